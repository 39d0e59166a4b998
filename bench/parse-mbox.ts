/**
 * Benchmark (not a test): stream a generated mbox of patch mails through readMessages
 * (split + mailparser) and report messages/s and peak RSS, for several mbox sizes, each in
 * a fresh process so that peak RSS belongs to that size alone. Memory must not grow with
 * the size of the mbox.
 *
 *   node --import tsx bench/parse-mbox.ts [count ...]     (default: 2000 10000)
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isInputError, readMessages } from '../src/ingest/index.js';

const SAMPLE = new URL('../samples/vfio-pci-reset-done-v18/v18-0003-vfio-pci-Add-a-reset_done-callback-for-vfio-pci-.patch', import.meta.url);

/** Write `count` variants of the sample's patch 3/4 as one mbox (git format-patch postmarks). */
async function generate(path: string, count: number): Promise<void> {
  const template = readFileSync(SAMPLE, 'utf8');
  const out = createWriteStream(path);
  for (let i = 0; i < count; i++) {
    const sha = i.toString(16).padStart(40, '0');
    const mail = template
      .replace(/^From [0-9a-f]{40} /, `From ${sha} `)
      .replace(/^Message-Id: <[^>]+>/m, `Message-Id: <${sha}.bench@example.org>`)
      .replace(/\[PATCH v18 3\/4\]/, `[PATCH v18 ${(i % 9) + 1}/9]`)
      .replace(/callback for vfio-pci/, `callback ${i} for vfio-pci`);
    if (!out.write(mail)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function measure(count: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vfio-bench-'));
  try {
    const path = join(dir, 'bench.mbox');
    await generate(path, count);
    const rssBefore = process.resourceUsage().maxRSS;
    const start = process.hrtime.bigint();
    let messages = 0;
    let errors = 0;
    for await (const item of readMessages(path)) {
      if (isInputError(item)) errors++;
      else messages++;
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    // What is still reachable after reading: must not depend on the count (no leak).
    (globalThis as { gc?: () => void }).gc?.();
    const liveHeapMiB = +(process.memoryUsage().heapUsed / 1048576).toFixed(1);
    const result = {
      count,
      mboxMiB: +(statSync(path).size / 1048576).toFixed(1),
      messages,
      errors,
      seconds: +seconds.toFixed(2),
      messagesPerSecond: Math.round(messages / seconds),
      peakRssMiB: +(process.resourceUsage().maxRSS / 1024).toFixed(1),
      rssBeforeReadingMiB: +(rssBefore / 1024).toFixed(1),
      liveHeapMiB,
    };
    console.log(JSON.stringify(result));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const [mode, arg] = process.argv.slice(2);
if (mode === '--one') {
  await measure(Number(arg));
} else {
  const counts = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const sizes = counts.length ? counts : [2000, 10000];
  console.log('count  mbox MiB  messages/s  peak RSS MiB  live heap after GC MiB');
  for (const n of sizes) {
    const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--one', String(n)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    const x = JSON.parse(r.stdout.trim().split('\n').pop()!);
    if (x.messages !== n || x.errors !== 0) throw new Error(`expected ${n} messages, got ${x.messages} and ${x.errors} errors`);
    console.log(`${String(n).padStart(5)}  ${String(x.mboxMiB).padStart(8)}  ${String(x.messagesPerSecond).padStart(10)}  ${String(x.peakRssMiB).padStart(12)}  ${String(x.liveHeapMiB).padStart(22)}`);
  }
}
