/**
 * The real-patch corpus (bench/corpus/) is well-formed: every sidecar has its provenance and
 * labels, every label is a rule id the knowledge base has, and every patch file reads as one
 * patch mail whose diff parses. Not a test of precision: bench/corpus-eval.ts measures that.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_DIR, problemsOf, readCorpus } from '../bench/corpus-lib.js';
import { collectMessages } from '../src/ingest/index.js';
import { loadKnowledgeBase } from '../src/kb/index.js';
import { buildPatch } from '../src/patch/index.js';

const entries = await readCorpus();
const kb = await loadKnowledgeBase();
const ruleIds = new Set(kb.rules.map((r) => r.id));

test('the corpus holds at least 30 patches, most of them benign', () => {
  assert.ok(entries.length >= 30, `only ${entries.length} patches`);
  const benign = entries.filter((e) => e.expected.length === 0).length;
  assert.ok(benign > entries.length / 2, `${benign} benign of ${entries.length}`);
});

test('every patch file in the corpus has a sidecar with its provenance', () => {
  const described = new Set(entries.map((e) => e.patchPath));
  const orphans = readdirSync(CORPUS_DIR).filter((n) => n.endsWith('.patch') && !described.has(join(CORPUS_DIR, n)));
  assert.deepEqual(orphans, []);
});

test('problemsOf names a missing provenance field and an unexplained label', () => {
  const bad = { subject: 's', author: 'a', date: 'd', source: { kind: 'list-mail', repository: 'r' }, expected: ['x'], reasons: {} };
  const problems = problemsOf(bad, 'bad.yaml');
  assert.ok(problems.some((p) => p.includes('source.read_via')));
  assert.ok(problems.some((p) => p.includes('message_id or commit')));
  assert.ok(problems.some((p) => p.includes('no reason for x')));
});

for (const e of entries) {
  test(`corpus ${e.name}: labels are known rule ids, kernel line is known`, () => {
    for (const id of e.expected) assert.ok(ruleIds.has(id), `unknown rule id ${id}`);
    assert.equal(new Set(e.expected).size, e.expected.length, 'a label repeats');
    if (e.kernel) assert.ok(kb.lineForVersion(e.kernel), `unknown kernel line ${e.kernel}`);
  });

  test(`corpus ${e.name}: the patch reads as one patch mail with a parsed diff`, async () => {
    assert.ok(existsSync(e.patchPath), `missing ${e.patchPath}`);
    const { messages, errors } = await collectMessages([e.patchPath], {});
    assert.deepEqual(errors, []);
    assert.equal(messages.length, 1);
    const patch = await buildPatch(messages[0]);
    assert.equal(patch.kind, 'patch');
    assert.equal(patch.mangled, false, patch.mangledReason);
    assert.ok(patch.files.length > 0, 'no file in the diff');
    assert.ok(patch.files.some((f) => /^(drivers\/(vfio\/pci|pci)\/|include\/linux\/pci)/.test(f.path)), 'touches no followed file');
  });
}
