/**
 * Golden tests: test/fixtures/diff/<case>.diff (made by gen.sh with real git/diff over real
 * kernel files) -> <case>.json (checked by hand). <case>.tree.json: the same with --tree on
 * Debian's linux-source 6.12.117.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildPatch } from '../../src/patch/index.js';
import { openTree } from '../../src/ingest/tree.js';
import { ROOT, messageFromText } from './helpers.js';
import { TREE_612 } from '../support/kernels.js';
import { goldenOf } from './golden.js';

const DIR = join(ROOT, 'test', 'fixtures', 'diff');
const cases = readdirSync(DIR)
  .filter((f) => f.endsWith('.diff'))
  .map((f) => f.slice(0, -'.diff'.length))
  .sort();

function load(name: string) {
  return messageFromText(readFileSync(join(DIR, `${name}.diff`), 'utf8'), `fixtures/${name}.diff`);
}

function expected(file: string): unknown {
  return JSON.parse(readFileSync(join(DIR, file), 'utf8'));
}

test('every fixture has a golden', () => {
  assert.ok(cases.length >= 20, `only ${cases.length} fixtures`);
  for (const c of cases) assert.ok(existsSync(join(DIR, `${c}.json`)), `${c}.json missing`);
});

for (const c of cases) {
  test(`golden: ${c}`, async () => {
    assert.deepEqual(goldenOf(await buildPatch(load(c))), expected(`${c}.json`));
  });
}

const treeCases = cases.filter((c) => existsSync(join(DIR, `${c}.tree.json`)));
for (const c of treeCases) {
  test(`golden with --tree linux-6.12: ${c}`, async () => {
    const tree = await openTree(TREE_612);
    assert.deepEqual(goldenOf(await buildPatch(load(c), { tree })), expected(`${c}.tree.json`));
  });
}
