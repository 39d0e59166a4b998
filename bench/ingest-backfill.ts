/**
 * Backfill benchmark for `vfio-review ingest`: a public-inbox v2 inbox of N messages (default
 * 20,000; mostly unrelated traffic, as on a real list, with a vfio-pci series every ~2,000
 * mails), read from scratch by one `ingest --once`. Reported: messages/s and peak RSS, beside
 * the floor: `git log` over the same epoch, and git cat-file reading every message blob.
 *
 * The intake (reading the archive and deciding every mail) is also reported on its own: it is
 * what scales with the list's traffic, whereas the review of the vfio-pci series is the same
 * work however much unrelated mail surrounds them.
 *
 *   npx tsx bench/ingest-backfill.ts [--messages 20000] [--keep] [--inbox DIR]
 *   (--inbox: measure an inbox kept by an earlier --keep instead of building one; the CLI
 *   bundle in build/ is what runs: `npm run build:cli` after changing src/.)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { importMbox, initInbox, makeRoot } from '../test/support/public-inbox.js';
import { mbox, noise, seriesClone } from '../test/support/public-inbox-fixtures.js';

const { values } = parseArgs({
  options: { messages: { type: 'string', default: '20000' }, keep: { type: 'boolean' }, inbox: { type: 'string' } },
});
const total = Number(values.messages);
const reuse = values.inbox ? resolve(values.inbox) : undefined;
const root = reuse ? mkdtempSync(join(tmpdir(), 'vfio-review-bench-run-')) : makeRoot('vfio-review-bench-');

function timed<T>(f: () => T): [T, number] {
  const t = process.hrtime.bigint();
  const r = f();
  return [r, Number(process.hrtime.bigint() - t) / 1e9];
}

function sh(cmd: string, args: string[], input?: string): { out: string; err: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30, input });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return { out: r.stdout, err: r.stderr };
}

// 1. The inbox: unrelated traffic with a vfio-pci series (5 mails) every ~2,000 mails.
function buildInbox(): { dir: string; count: number } {
  const inbox = initInbox(root, 'bench');
  const mails: string[] = [];
  let clone = 1;
  while (mails.length < total) {
    const chunk = Math.min(1995, total - mails.length - 5);
    if (chunk > 0) mails.push(...noise(chunk, mails.length));
    if (mails.length + 5 <= total) mails.push(...seriesClone(clone++));
    else break;
  }
  // In slices: each public-inbox import must finish within the helper's one-minute limit.
  const [, buildS] = timed(() => {
    for (let i = 0; i < mails.length; i += 10_000) importMbox(inbox, mbox(mails.slice(i, i + 10_000)));
  });
  console.log(`inbox: ${mails.length} messages (${clone - 1} vfio-pci series), built by public-inbox in ${buildS.toFixed(1)} s`);
  return { dir: inbox.dir, count: mails.length };
}
const inbox = reuse ? { dir: reuse, count: 0 } : buildInbox();
const epoch = join(inbox.dir, 'git', '0.git');

// 2. The floor.
const [logOut, logS] = timed(() => sh('git', ['--git-dir', epoch, 'log', '--reverse', '--raw', '--no-abbrev', '--format=%H']).out);
const blobs = [...logOut.matchAll(/ ([0-9a-f]{40}) [AM]\tm$/gm)].map((m) => m[1]);
const messages = inbox.count || blobs.length;
if (reuse) console.log(`inbox: ${reuse}, ${messages} messages`);
const [, catS] = timed(() => sh('git', ['--git-dir', epoch, 'cat-file', '--batch'], blobs.join('\n') + '\n'));
console.log(`floor: git log --raw over the epoch ${logS.toFixed(2)} s; + cat-file of ${blobs.length} blobs ${catS.toFixed(2)} s`);

// 3. The backfill, as an operator runs it.
writeFileSync(join(root, 'policy.yaml'), 'series_wait_minutes: 0\n');
const bin = fileURLToPath(new URL('../bin/vfio-review.js', import.meta.url));
const run = sh('/usr/bin/time', ['-f', 'TIME %e %M %U %S', process.execPath, bin, 'ingest', inbox.dir, '--state', join(root, 'state.db'),
  '--outbox', join(root, 'out'), '--config', join(root, 'policy.yaml'), '--once']);
const m = /TIME ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(run.err)!;
const secs = Number(m[1]);
const rssMb = Number(m[2]) / 1024;
const cpu = Number(m[3]) + Number(m[4]);
const summary = run.err.split('\n').find((l) => l.includes('done in')) ?? '';
console.log(`ingest --once: ${secs.toFixed(1)} s wall, ${cpu.toFixed(1)} s CPU (incl. ~1 s start-up), ${Math.round(messages / secs)} messages/s wall, ${Math.round(messages / cpu)} messages/CPU-s, peak RSS ${rssMb.toFixed(0)} MiB (process tree, git included)`);
console.log(`  ${summary.replace(/^vfio-review ingest: /, '')}`);
console.log(`  vs git log --raw: ingest ${(secs / logS).toFixed(1)}x`);
const phase = /\(intake ([\d.]+) s, review ([\d.]+) s, peak RSS (\d+) MiB\)/.exec(summary);
if (phase) {
  const intakeS = Number(phase[1]);
  console.log(`  intake alone: ${intakeS.toFixed(1)} s, ${Math.round(messages / intakeS)} messages/s, ${(intakeS / logS).toFixed(1)}x git log --raw`);
  // /usr/bin/time's figure is the largest of the process tree: git log and cat-file map the
  // epoch's pack and reach ~210 MiB at 200,000 mails; the job's own peak is this one.
  console.log(`  peak RSS of vfio-review itself: ${phase[3]} MiB (the /usr/bin/time figure above includes its git children)`);
}
const again = sh('/usr/bin/time', ['-f', 'TIME %e %M %U %S', process.execPath, bin, 'ingest', inbox.dir, '--state', join(root, 'state.db'),
  '--outbox', join(root, 'out'), '--config', join(root, 'policy.yaml'), '--once']);
console.log(`second run (nothing new): ${/TIME ([\d.]+)/.exec(again.err)![1]} s`);
if (!values.keep) rmSync(root, { recursive: true, force: true });
else if (reuse) console.log(`kept: ${root} (state and outbox)`);
else console.log(`kept: ${root}`);
