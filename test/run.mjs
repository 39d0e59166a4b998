#!/usr/bin/env node
// The test command (`npm test`): provisions what the tests read from outside the repository
// (scripts/prepare-tests.mjs: Debian kernel trees, public-inbox, git; stops first with one line
// when it cannot), rebuilds the CLI bundle, then, for the whole suite, the checks CI runs
// (typecheck, lint), then every *.test.ts under test/ with node's test runner (through tsx).
// Usage: node test/run.mjs [substring ...]   (only files whose path contains a substring; the
// typecheck and lint run only without filters)
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(ROOT);

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'fixtures' && dir === 'test') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/** Run a step; a failing step ends the run with its status. */
function step(label, cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    if (label) console.error(`test/run.mjs: ${label} failed`);
    process.exit(r.status ?? 1);
  }
  return r;
}

const filters = process.argv.slice(2);
const files = walk('test').filter((f) => filters.length === 0 || filters.some((s) => f.includes(s))).sort();
if (files.length === 0) {
  console.error(`test/run.mjs: no test files match ${filters.join(' ')}`);
  process.exit(2);
}
const prep = step('', process.execPath, ['scripts/prepare-tests.mjs'], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
process.env.VFIO_REVIEW_KERNELS = prep.stdout.trim();
// Tests run bin/vfio-review.js, which runs build/: build it from the current sources.
step('CLI build (scripts/build-cli.mjs)', process.execPath, ['scripts/build-cli.mjs']);
if (filters.length === 0) {
  step('typecheck (tsc --noEmit)', process.execPath, ['node_modules/typescript/bin/tsc', '--noEmit']);
  // Lint only (biome.json): the formatter stays off so no file is rewritten wholesale.
  step('lint (biome lint)', process.execPath, ['node_modules/@biomejs/biome/bin/biome', 'lint', '--error-on-warnings']);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
