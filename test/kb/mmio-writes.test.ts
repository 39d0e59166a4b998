/**
 * functions.yaml `mmioWrites:` is read from the kernel: at the cited line of each Debian tree the
 * function's body holds that code, between the two statements it names.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadKnowledgeBase } from '../../src/kb/index.js';
import { TREE_61, TREE_612 } from '../support/kernels.js';

const TREES: Record<string, string> = { '6.1': TREE_61, '6.12': TREE_612 };
const norm = (t: string) => t.replace(/\s+/g, '');

test('mmioWrites: each cited line starts that code, after `after` and before `before`, in the cited file', async () => {
  const kb = await loadKnowledgeBase();
  const facts = [...kb.functions.values()].filter((f) => f.mmioWrites);
  assert.ok(facts.length > 0, 'some function carries mmioWrites');
  for (const fn of facts) {
    const fact = fn.mmioWrites!;
    const file = fn.citations[0].file;
    for (const [line, at] of Object.entries(fact.lines)) {
      const src = (await readFile(join(TREES[line], file), 'utf8')).split('\n');
      const code = fact.code.split('\n');
      const here = src.slice(at - 1, at - 1 + code.length);
      assert.deepEqual(here.map(norm), code.map(norm), `${fn.name} on ${line} at ${file}:${at}`);
      const start = src.findIndex((l) => new RegExp(`^\\w.*\\b${fn.name}\\(`).test(l));
      const end = src.findIndex((l, i) => i > start && l === '}');
      const body = src.slice(start, end + 1).map(norm);
      const after = body.indexOf(norm(fact.after));
      const before = body.indexOf(norm(fact.before));
      const loop = at - 1 - start;
      assert.ok(after >= 0 && after < loop && before > loop, `${fn.name} on ${line}: ${fact.after} ... code ... ${fact.before}`);
    }
  }
});
