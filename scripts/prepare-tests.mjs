#!/usr/bin/env node
// Provision what the test suite reads from outside the repository, once and idempotently:
// Debian's linux-source-6.12 / -6.1 trees (extracted by .ci/kernels.sh into $VFIO_REVIEW_KERNELS),
// public-inbox with its Xapian search (the httpd serves t.mbox.gz only with it), and git.
// When everything is there this costs a few stat()s and one perl start. When something is
// missing it installs it with apt-get as root; otherwise it stops first with one line naming
// the command to run (exit 2), so no test ever fails or skips for a missing tool.
// Usage: node scripts/prepare-tests.mjs   (test/run.mjs calls it; prints the kernels dir)
// Env: VFIO_REVIEW_KERNELS (default /tmp/vfio-review-kernels). For this script's own tests:
// VFIO_REVIEW_APT_GET (the apt-get to run, default the one on PATH) and VFIO_REVIEW_SRC_DIR
// (where the linux-source tarballs are, default /usr/src).
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const KERNELS = process.env.VFIO_REVIEW_KERNELS || '/tmp/vfio-review-kernels';
const SRC_DIR = process.env.VFIO_REVIEW_SRC_DIR || '/usr/src';
const VERSIONS = ['6.12', '6.1'];

/** Each need: the Debian package that provides it, and how to tell it is present. */
const needs = [
  ...VERSIONS.map((v) => ({
    pkg: `linux-source-${v}`,
    present: () => existsSync(join(KERNELS, `linux-${v}`, '.extracted')) || tarball(v) !== undefined,
  })),
  { pkg: 'git', present: () => onPath('git') },
  { pkg: 'public-inbox', present: () => onPath('public-inbox-init') && onPath('public-inbox-httpd') },
  { pkg: 'xapian-tools', present: () => onPath('xapian-compact') },
  { pkg: 'libsearch-xapian-perl', present: () => run('perl', ['-MSearch::Xapian', '-e', '1']).status === 0 },
];

function tarball(v) {
  const name = readdirSync(SRC_DIR).find((n) => n.startsWith(`linux-source-${v}.tar.`));
  return name ? join(SRC_DIR, name) : undefined;
}

function onPath(cmd) {
  if (cmd.includes('/')) return executable(cmd);
  return (process.env.PATH ?? '').split(delimiter).some((d) => d && executable(join(d, cmd)));
}

function executable(p) {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function run(cmd, args, opts = {}) {
  return spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
}

function stop(line) {
  console.error(`prepare-tests: ${line}`);
  process.exit(2);
}

function missingPackages() {
  return needs.filter((n) => !safe(n.present)).map((n) => n.pkg);
}

function safe(f) {
  try {
    return f();
  } catch {
    return false;
  }
}

function install(pkgs) {
  const aptGet = process.env.VFIO_REVIEW_APT_GET || 'apt-get';
  const cmd = `apt-get install -y --no-install-recommends ${pkgs.join(' ')}`;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !onPath(aptGet)) {
    const why = isRoot ? 'no apt-get here' : 'not root';
    stop(`tests need ${pkgs.join(', ')} (${why}): run \`sudo ${cmd}\`, then npm test again`);
  }
  console.error(`prepare-tests: installing ${pkgs.join(' ')} (once)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const upd = run(aptGet, ['update', '-qq'], { env });
  if (upd.status !== 0) stop(`\`apt-get update\` failed: ${lastLine(upd.stderr)}`);
  const inst = run(aptGet, ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { env });
  if (inst.status !== 0) stop(`\`${cmd}\` failed: ${lastLine(inst.stderr)}`);
  const still = missingPackages();
  if (still.length > 0) stop(`still missing after apt-get install: ${still.join(', ')}`);
}

function lastLine(text) {
  return (text ?? '').trim().split('\n').pop() || 'no message';
}

function extractKernels() {
  if (VERSIONS.every((v) => existsSync(join(KERNELS, `linux-${v}`, '.extracted')))) return;
  console.error(`prepare-tests: extracting the Debian kernel trees into ${KERNELS} (once)`);
  const r = run('bash', [join(ROOT, '.ci/kernels.sh'), KERNELS]);
  if (r.status !== 0) stop(`.ci/kernels.sh ${KERNELS} failed: ${lastLine(r.stderr)}`);
}

const missing = missingPackages();
if (missing.length > 0) install(missing);
extractKernels();
console.log(KERNELS);
