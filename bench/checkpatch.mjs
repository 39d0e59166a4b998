#!/usr/bin/env node
/**
 * vfio-review beside checkpatch.pl, side by side in one run: each pair of commands runs
 * alternately (ours first on even rounds, checkpatch first on odd ones), medians are compared
 * and printed as ratios (ours / checkpatch; below 1.0 is faster), so a loaded machine slows
 * both alike. checkpatch.pl, spelling.txt and const_structs.checkpatch are extracted from
 * Debian's linux-source-6.12 tarball (once, cached) and run with --no-tree, as b4 runs it.
 *
 *   node bench/checkpatch.mjs [--runs 9] [--mbox-runs 3]
 *
 * Scenarios: (1) a cold `vfio-review review` of one patch vs checkpatch on it, with our peak
 * RSS; (2) the b4 path, `review --format b4` once per patch over ten patches vs checkpatch over
 * the same ten; (3) one `review` of a 128-patch mbox vs checkpatch once per patch.
 * Needs the CLI build (npm ci or node scripts/build-cli.mjs) and /usr/bin/time.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin/vfio-review.js');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '9' }, 'mbox-runs': { type: 'string', default: '3' } } });
const RUNS = Number(values.runs);
const MBOX_RUNS = Number(values['mbox-runs']);
const CACHE = join(process.env.VFIO_REVIEW_BENCH_CACHE || join(tmpdir(), 'vfio-review-bench'), 'checkpatch-6.12');

/** checkpatch.pl and the two data files it reads beside itself, from the 6.12 tarball. */
function checkpatch() {
  const script = join(CACHE, 'scripts/checkpatch.pl');
  if (existsSync(script)) return script;
  const src = process.env.VFIO_REVIEW_SRC_DIR || '/usr/src';
  const tarball = readdirSync(src).find((n) => n.startsWith('linux-source-6.12.tar.'));
  if (!tarball) fail(`${src}/linux-source-6.12.tar.* not found (apt-get install linux-source-6.12)`);
  mkdirSync(CACHE, { recursive: true });
  const members = ['checkpatch.pl', 'spelling.txt', 'const_structs.checkpatch'].map((f) => `linux-source-6.12/scripts/${f}`);
  const r = spawnSync('tar', ['-xf', join(src, tarball), '-C', CACHE, '--strip-components=1', ...members], { encoding: 'utf8' });
  if (r.status !== 0) fail(`extracting checkpatch.pl from ${tarball}: ${r.stderr.trim()}`);
  return script;
}

function fail(line) {
  console.error(`bench/checkpatch: ${line}`);
  process.exit(2);
}

/** Ten mail-form patches: the v18 sample series and rule test cases (format-patch files). */
function tenPatches() {
  const sample = join(ROOT, 'samples/vfio-pci-reset-done-v18');
  const series = readdirSync(sample).filter((n) => /^v18-000[1-4]/.test(n)).sort().map((n) => join(sample, n));
  const cases = readdirSync(join(ROOT, 'rules'), { recursive: true })
    .filter((n) => n.endsWith('.patch'))
    .sort()
    .map((n) => join(ROOT, 'rules', n))
    .filter((p) => readFileSync(p, 'utf8').startsWith('From '));
  return [...series, ...cases].slice(0, 10);
}

/** A 128-message mbox cycling the ten patches, each with its own Message-Id and number. */
function mbox128(patches, dir) {
  const texts = patches.map((p) => readFileSync(p, 'utf8'));
  const files = [];
  const parts = [];
  for (let i = 0; i < 128; i++) {
    const text = texts[i % texts.length]
      .replace(/^Subject: \[PATCH[^\]]*\]/m, `Subject: [PATCH ${i + 1}/128]`)
      .replace(/^Message-Id: .*$/im, '')
      .replace(/^(From: .*)$/m, `$1\nMessage-Id: <bench-${i}@example.org>`);
    const file = join(dir, `p${String(i).padStart(3, '0')}.patch`);
    writeFileSync(file, text);
    files.push(file);
    parts.push(text.endsWith('\n') ? text : text + '\n');
  }
  const mbox = join(dir, 'series-128.mbox');
  writeFileSync(mbox, parts.join('\n'));
  return { mbox, files };
}

/** Run one command under /usr/bin/time: wall seconds and peak RSS (MiB). */
function measure(cmd, args, input) {
  const t = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  const wall = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== null && r.status > 1 && cmd === process.execPath) fail(`${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  const kb = Number(/(\d+)\s*$/.exec(r.stderr)?.[1] ?? 0);
  return { wall, rss: kb / 1024 };
}

/** A sequence of commands as one measurement: summed wall time, the largest RSS. */
function measureAll(steps) {
  let wall = 0;
  let rss = 0;
  for (const [cmd, args, input] of steps) {
    const m = measure(cmd, args, input);
    wall += m.wall;
    rss = Math.max(rss, m.rss);
  }
  return { wall, rss };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Alternating rounds of ours and theirs; medians of wall time and of our peak RSS. */
function compare(runs, ours, theirs) {
  const a = [];
  const b = [];
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) {
      a.push(measureAll(ours));
      b.push(measureAll(theirs));
    } else {
      b.push(measureAll(theirs));
      a.push(measureAll(ours));
    }
  }
  const wa = median(a.map((m) => m.wall));
  const wb = median(b.map((m) => m.wall));
  return { ours: wa, theirs: wb, ratio: wa / wb, rss: median(a.map((m) => m.rss)), theirRss: median(b.map((m) => m.rss)) };
}

const cp = checkpatch();
const perl = (file) => ['perl', [cp, '--no-tree', '-q', file]];
const patches = tenPatches();
if (patches.length < 10) fail(`only ${patches.length} mail-form patches found`);
const work = join(tmpdir(), `vfio-review-bench-${process.pid}`);
mkdirSync(work, { recursive: true });
const { mbox, files } = mbox128(patches, work);
const one = join(ROOT, 'samples/vfio-pci-reset-done-v18', readdirSync(join(ROOT, 'samples/vfio-pci-reset-done-v18')).find((n) => n.startsWith('v18-0003')));

const rows = [];
const cold = compare(RUNS, [[process.execPath, [BIN, 'review', one, '--fail-on', 'none']]], [perl(one)]);
rows.push(['cold review of one patch (v18 3/4)', cold, '<= 1.0, RSS <= 100 MiB']);
const b4 = compare(
  RUNS,
  patches.map((p) => [process.execPath, [BIN, 'review', '--format', 'b4', '--fail-on', 'none'], readFileSync(p, 'utf8')]),
  patches.map(perl),
);
rows.push(['b4 path, ten patches one call each', b4, '<= 1.0']);
const big = compare(MBOX_RUNS, [[process.execPath, [BIN, 'review', mbox, '--fail-on', 'none']]], files.map(perl));
rows.push(['128-patch mbox in one call vs checkpatch per patch', big, '<= 0.05']);

console.log(`vfio-review vs checkpatch.pl --no-tree (${cp}); medians of ${RUNS} alternating rounds (mbox: ${MBOX_RUNS})`);
console.log('| scenario | vfio-review | checkpatch.pl | ratio | peak RSS (ours / checkpatch) | goal |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const [name, r, goal] of rows) {
  console.log(`| ${name} | ${r.ours.toFixed(3)} s | ${r.theirs.toFixed(3)} s | ${r.ratio.toFixed(2)} | ${r.rss.toFixed(0)} / ${r.theirRss.toFixed(0)} MiB | ${goal} |`);
}
