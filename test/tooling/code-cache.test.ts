// The bin's V8 code cache (bin/vfio-review.js, build/cli.cache from scripts/build-cli.mjs):
// the build's cache is one this node takes, and a review with it says exactly what a review
// compiled from source says. A cache V8 would reject costs a start its whole gain silently,
// which is why the bin can be asked (VFIO_REVIEW_CODE_CACHE=report).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, SAMPLE_DIR } from '../patch/helpers.js';

const BIN = join(ROOT, 'bin/vfio-review.js');
const PATCH = join(SAMPLE_DIR, 'v18-0003-vfio-pci-Add-a-reset_done-callback-for-vfio-pci-.patch');

function review(mode: string, args: string[] = [PATCH]) {
  return spawnSync(process.execPath, [BIN, 'review', ...args, '--fail-on', 'none'], {
    encoding: 'utf8',
    env: { ...process.env, VFIO_REVIEW_CODE_CACHE: mode },
  });
}

test('the build writes a code cache this node takes', () => {
  assert.ok(existsSync(join(ROOT, 'build/cli.cache')), 'build/cli.cache (node scripts/build-cli.mjs writes it)');
  const r = review('report');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /^vfio-review: code cache used$/m);
});

test('a review with the cache prints what a review compiled from source prints', () => {
  const on = review('report');
  const off = review('off');
  assert.equal(on.status, off.status);
  assert.ok(on.stdout.length > 500, 'the review printed its notes');
  assert.equal(on.stdout, off.stdout);
  assert.doesNotMatch(off.stderr, /code cache/);
});

test('a cache of another bundle is refused by V8 and the review still runs', () => {
  // A copy of the bin beside a bundle and a cache that do not belong together.
  const dir = mkdtempSync(join(tmpdir(), 'vfio-review-cache-'));
  for (const sub of ['bin', 'build']) mkdirSync(join(dir, sub));
  copyFileSync(BIN, join(dir, 'bin/vfio-review.js'));
  copyFileSync(join(ROOT, 'bin/package.json'), join(dir, 'bin/package.json'));
  writeFileSync(join(dir, 'build/cli.cjs'), 'exports.main = async (argv) => { process.stdout.write(argv.join(" ") + "\\n"); return 0; };\n');
  copyFileSync(join(ROOT, 'build/cli.cache'), join(dir, 'build/cli.cache'));
  const r = spawnSync(process.execPath, [join(dir, 'bin/vfio-review.js'), 'a', 'b'], { encoding: 'utf8', env: { ...process.env, VFIO_REVIEW_CODE_CACHE: 'report' } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'a b\n');
  assert.match(r.stderr, /code cache rejected/);
});
