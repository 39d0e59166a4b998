/**
 * Golden files for the reporters: test/report/golden/<name>. A mismatch fails with both texts;
 * `UPDATE_GOLDEN=1 node test/run.mjs report` rewrites them, after which the diff must be read
 * (git diff test/report/golden) before it is committed: goldens are reviewed, not regenerated blindly.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import assert from 'node:assert/strict';

const DIR = new URL('./golden/', import.meta.url);

export function assertGolden(name: string, actual: string): void {
  const url = new URL(name, DIR);
  if (process.env.UPDATE_GOLDEN === '1') {
    writeFileSync(url, actual);
    return;
  }
  assert.ok(existsSync(url), `golden file test/report/golden/${name} is missing (UPDATE_GOLDEN=1 creates it)`);
  assert.equal(actual, readFileSync(url, 'utf8'), `output differs from test/report/golden/${name}`);
}
