/**
 * One generic runner for every rule's test cases (ESLint's RuleTester, ast-grep's `test`):
 * each valid and invalid patch goes through the real pipeline (message -> buildPatch ->
 * analyzePatch with the real knowledge base), and only the rule under test is compared.
 * A failure is named the ast-grep way: Noisy (reported but should not be) or Missing. An
 * expected finding that lists `messages` must use those message keys; and after its cases,
 * every message key of the rule must have been used by some expected finding (a paragraph no
 * case produces is a paragraph nobody has seen rendered).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { relative } from 'node:path';
import { loadKnowledgeBase } from '../src/kb/index.js';
import { isRuleSpec } from '../src/rules/types.js';
import type { Finding } from '../src/model.js';
import { reviewPatchFiles } from './analyze/support.js';
import { PROJECT, readCases, type ExpectedFinding, type RuleCase } from './analyze/cases.js';

const kb = await loadKnowledgeBase();

function show(f: Finding): string {
  return `${f.severity} ${f.function ?? '-'}:${f.line} (${f.file}) [${(f.messageKeys ?? []).join(', ')}]`;
}

function matches(e: ExpectedFinding, f: Finding): boolean {
  return (
    f.function === e.function &&
    (e.line === undefined || f.line === e.line) &&
    (e.severity === undefined || f.severity === e.severity) &&
    (e.file === undefined || f.file === e.file) &&
    (e.messages ?? []).every((k) => (f.messageKeys ?? []).includes(k))
  );
}

/** Check one case; returns the message keys of the findings it expected. */
async function check(ruleId: string, c: RuleCase, kind: 'valid' | 'invalid'): Promise<string[]> {
  const { findings } = await reviewPatchFiles(c.patches, { kernel: c.kernel, kb });
  const mine = findings.flat().filter((f) => f.rule === ruleId);
  const rest = [...mine];
  const missing: ExpectedFinding[] = [];
  const used: string[] = [];
  for (const e of c.findings) {
    const i = rest.findIndex((f) => matches(e, f));
    if (i < 0) missing.push(e);
    else used.push(...(rest.splice(i, 1)[0].messageKeys ?? []));
  }
  const problems: string[] = [];
  for (const e of missing)
    problems.push(
      `Missing: expected ${e.severity ?? ''} ${e.function}${e.line ? `:${e.line}` : ''}${e.messages ? ` [${e.messages.join(', ')}]` : ''}; got ${mine.map(show).join(', ') || 'nothing'}`,
    );
  for (const f of rest) problems.push(`Noisy: ${show(f)} was reported${kind === 'valid' ? ' on a valid case' : ' but not expected'}`);
  assert.equal(problems.length, 0, `${ruleId} ${kind} ${c.patches.map((p) => relative(PROJECT, p)).join(' + ')}${c.kernel ? ` (kernel ${c.kernel})` : ''}${c.why ? `: ${c.why}` : ''}\n  ${problems.join('\n  ')}`);
  return used;
}

for (const rule of kb.rules) {
  if (!isRuleSpec(rule) || !rule.testFile) continue;
  const cases = await readCases(rule.testFile);
  test(`rule ${rule.id}`, async (t) => {
    assert.equal(cases.id, rule.id, `${rule.testFile}: id must be ${rule.id}`);
    const used = new Set<string>();
    for (const [kind, list] of [['valid', cases.valid], ['invalid', cases.invalid]] as const)
      for (const [i, c] of list.entries())
        await t.test(`${kind}[${i}] ${c.patches.map((p) => relative(PROJECT, p)).join(' + ')}${c.kernel ? ` --kernel ${c.kernel}` : ''}`, async () => {
          for (const k of await check(rule.id, c, kind)) used.add(k);
        });
    await t.test('meta: every message key is produced by some case', () => {
      const unused = Object.keys(rule.messages).filter((k) => !used.has(k));
      assert.deepEqual(unused, [], `${rule.id}: no case of ${rule.testFile} produces message(s) ${unused.join(', ')}`);
    });
  });
}
