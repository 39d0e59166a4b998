// scripts/prepare-tests.mjs, the test command's provisioning: when something the tests need is
// missing and it cannot install it, it stops with one line naming the command to run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KERNELS } from '../support/kernels.js';

const SCRIPT = join(import.meta.dirname, '../../scripts/prepare-tests.mjs');

/** Run the script with the kernel tarballs hidden (an empty source dir, an empty kernels dir). */
function prepareWithout(env: Record<string, string>, uid?: number) {
  // World-readable, with its own copy of the script: a child running as nobody must read both
  // (the checkout may sit under a private home).
  const empty = mkdtempSync(join(tmpdir(), 'vfio-review-prep-'));
  chmodSync(empty, 0o755);
  copyFileSync(SCRIPT, join(empty, 'prepare-tests.mjs'));
  return spawnSync(process.execPath, [join(empty, 'prepare-tests.mjs')], {
    encoding: 'utf8',
    cwd: tmpdir(),
    uid,
    gid: uid,
    env: { ...process.env, VFIO_REVIEW_KERNELS: join(empty, 'kernels'), VFIO_REVIEW_SRC_DIR: empty, ...env },
  });
}

test('already provisioned: prints the kernels dir and exits 0', () => {
  const r = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8', env: { ...process.env, VFIO_REVIEW_KERNELS: KERNELS } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), KERNELS);
  assert.equal(r.stderr, '', 'nothing to do, nothing said');
});

test('missing kernel sources and no apt-get: one line naming the install command, exit 2', () => {
  const r = prepareWithout({ VFIO_REVIEW_APT_GET: '/nonexistent/apt-get' });
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /^prepare-tests: tests need linux-source-6\.12, linux-source-6\.1 \((no apt-get here|not root)\): run `sudo apt-get install -y --no-install-recommends linux-source-6\.12 linux-source-6\.1`/);
});

test('missing kernel sources, not root: one line, exit 2, apt-get not run', () => {
  // As root, drop to nobody for the child; as a user, the child is already not root.
  const r = prepareWithout({}, process.getuid?.() === 0 ? 65534 : undefined);
  assert.equal(r.status, 2, r.stderr);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /\(not root\): run `sudo apt-get install -y --no-install-recommends linux-source-6\.12 linux-source-6\.1`/);
});
