/**
 * Meta-tests over the rule set (typescript-eslint's docs.test.ts, Semgrep's metalinter): every
 * rule has documentation, valid and invalid cases whose patches exist, references, id = path,
 * a unique TYPE, messages whose placeholders the engine fills and whose keys are all used, and
 * trigger vocabulary that names things the knowledge base knows (roles, steps, fixes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { relative } from 'node:path';
import { loadKnowledgeBase, RULES_DIR } from '../src/kb/index.js';
import { isRuleSpec, type CallMatcher, type Predicate, type RuleSpec, type StepSelector } from '../src/rules/types.js';
import { PLACEHOLDERS, isKnownPlaceholder, placeholdersOf, render } from '../src/analyze/render.js';
import { PROJECT, readCases } from './analyze/cases.js';

const kb = await loadKnowledgeBase();
const rules = kb.rules.filter(isRuleSpec) as RuleSpec[];

/** The placeholders a predicate tree binds with `as:` (through refs to rules/common.yaml too). */
function bindings(p: Predicate | undefined, shared: Record<string, Predicate>, out = new Set<string>(), seen = new Set<string>()): Set<string> {
  if (!p) return out;
  if (p.as) out.add(p.as);
  if (p.ref && !seen.has(p.ref)) {
    seen.add(p.ref);
    bindings(shared[p.ref], shared, out, seen);
  }
  for (const q of [...(p.all ?? []), ...(p.any ?? [])]) bindings(q, shared, out, seen);
  return out;
}

/** Everything a predicate tree names, for cross-checks against the KB. */
function collect(p: Predicate | undefined, out: { roles: Set<string>; steps: StepSelector[]; fixes: Set<string>; paths: Set<string> }) {
  if (!p) return out;
  const call = (m?: CallMatcher) => {
    if (!m?.role) return;
    for (const r of Array.isArray(m.role) ? m.role : [m.role]) if (!r.startsWith('/')) out.roles.add(r);
  };
  for (const m of [p.calls, p.addsCall, p.removesCall, p.movesCall, p.reaches, p.before?.call]) call(m);
  call({ role: p.kbRole });
  if (p.target?.step) out.steps.push(p.target.step);
  for (const f of [p.target?.fix, p.target?.fixMissing, p.target?.fixUnknown]) if (f) out.fixes.add(f);
  for (const id of p.kbPath?.id ? (Array.isArray(p.kbPath.id) ? p.kbPath.id : [p.kbPath.id]) : []) out.paths.add(id);
  for (const q of [...(p.all ?? []), ...(p.any ?? []), ...(p.not ? [p.not] : []), ...(p.elsewhere ? [p.elsewhere] : [])]) collect(q, out);
  return out;
}

test('there are rules, including the five the issue fixes by id', () => {
  const ids = rules.map((r) => r.id);
  for (const id of ['snapshot/stale-restore', 'snapshot/stale-tph', 'msix/memory-bit', 'kb/unknown-restore-step', 'snapshot/state-saved-assumption'])
    assert.ok(ids.includes(id), `rule ${id} is missing`);
});

test('TYPEs are unique and UPPER_SNAKE', () => {
  const seen = new Map<string, string>();
  for (const r of rules) {
    assert.match(r.type, /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/, `${r.id}: type ${r.type}`);
    assert.ok(!seen.has(r.type), `${r.id}: type ${r.type} also used by ${seen.get(r.type)}`);
    seen.set(r.type, r.id);
  }
});

for (const r of rules) {
  test(`meta ${r.id}`, async (t) => {
    await t.test('id equals the path', () => {
      assert.equal(relative(RULES_DIR, `${PROJECT}/${r.file}`).replace(/\.ya?ml$/, ''), r.id);
    });
    await t.test('has documentation with what, why and fix', () => {
      assert.ok(r.doc && r.doc.length > 200, `${r.id}: no documentation (<name>.md beside the rule or a doc: field)`);
      for (const h of ['## What it finds', '## Why it matters', '## How to fix', '## Examples'])
        assert.ok(r.doc!.includes(h), `${r.id}: documentation lacks a '${h}' section`);
      assert.ok(r.doc!.includes(r.id), `${r.id}: documentation should name the rule id`);
    });
    await t.test('has references', () => {
      assert.ok(r.references.length >= 1, `${r.id}: no references`);
      for (const ref of r.references) if (ref.url) assert.doesNotThrow(() => new URL(ref.url!), `${r.id}: bad URL ${ref.url}`);
    });
    await t.test('has valid and invalid cases whose patches exist', async () => {
      assert.ok(r.testFile, `${r.id}: no ${r.id}.test.yaml beside the rule`);
      const cases = await readCases(r.testFile!);
      assert.ok(cases.valid.length >= 1, `${r.id}: no valid case`);
      assert.ok(cases.invalid.length >= 1, `${r.id}: no invalid case`);
      for (const c of [...cases.valid, ...cases.invalid]) for (const p of c.patches) await access(p);
    });
    await t.test('messages: placeholders known (engine, or bound by the rule) and filled, every key used', () => {
      const used = new Set(['what', 'why', 'fix']);
      for (const v of r.variants ?? []) for (const k of [...(v.what ? [v.what] : []), ...(v.fixWith ? [v.fixWith] : []), ...(v.add ?? []), ...(v.fix ?? [])]) used.add(k);
      const shared = r.shared ?? {};
      // `not` binds nothing (what it saw is thrown away), so bindings are read outside it only
      const bound = bindings(r.trigger, shared);
      for (const v of r.variants ?? []) bindings(v.when, shared, bound);
      for (const k of Object.keys(r.defaults ?? {})) bound.add(k);
      for (const k of bound) assert.ok(!(k in PLACEHOLDERS), `${r.id}: binds {{${k}}}, which the engine already fills`);
      for (const [key, template] of Object.entries(r.messages)) {
        assert.ok(used.has(key), `${r.id}: message '${key}' is never used by a variant`);
        for (const name of placeholdersOf(template))
          assert.ok(isKnownPlaceholder(name, kb) || bound.has(name), `${r.id}: message '${key}' uses {{${name}}}, which neither the engine fills nor the rule binds (as: / defaults:)`);
        const values = Object.fromEntries([...Object.keys(PLACEHOLDERS), ...bound].map((k) => [k, `<${k}>`]));
        const out = render(template, values, kb);
        assert.ok(!out.includes('{{') && !out.includes('}}'), `${r.id}: message '${key}' left a placeholder: ${out}`);
      }
    });
    await t.test('trigger names roles, steps, fixes and paths the knowledge base knows', () => {
      const names = collect(r.trigger, { roles: new Set(), steps: [], fixes: new Set(), paths: new Set() });
      for (const v of r.variants ?? []) collect(v.when, names);
      for (const p of Object.values(r.shared ?? {})) collect(p, names);
      for (const a of r.anchor ?? []) collect({ reaches: a.call, removesCall: a.removed }, names);
      const kbRoles = new Set([...kb.functions.values()].flatMap((f) => f.roles));
      for (const role of names.roles) assert.ok(kbRoles.has(role as never), `${r.id}: no KB function has role '${role}'`);
      for (const f of names.fixes) assert.ok(kb.fixes.some((x) => x.id === f), `${r.id}: unknown fix '${f}'`);
      for (const id of names.paths) assert.ok(kb.vfioPaths.some((x) => x.id === id), `${r.id}: unknown vfio path '${id}'`);
      for (const sel of [...names.steps, ...(r.steps ?? [])])
        for (const id of sel.id ? (Array.isArray(sel.id) ? sel.id : [sel.id]) : []) assert.ok(kb.steps.has(id), `${r.id}: unknown step '${id}'`);
    });
    await t.test('severity and title are usable', () => {
      assert.ok(['error', 'warning', 'check'].includes(r.severity));
      assert.ok(r.title.length <= 100 && !r.title.endsWith('.'), `${r.id}: title should be short, without a final period`);
      assert.ok(r.suggestion && r.suggestion.length > 10, `${r.id}: no one-line suggestion`);
    });
  });
}
