/**
 * compileRules over plain data (no YAML, no files: what a snapshot of the rules gives), and the
 * compiled matchers over a small world: `as:` binds what its object matched, `not` keeps
 * nothing, refs resolve to rules/common.yaml's predicates, phrases name {{context}}.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRules } from '../../src/rules/compile.js';
import type { RuleSet, RuleSpec } from '../../src/rules/types.js';
import { emptyEvidence, type CallTest, type EvalEnv, type Reach, type Subject, type World } from '../../src/rules/world.js';
import { UserError } from '../../src/errors.js';

function subject(name: string, calls: string[], file = 'drivers/vfio/pci/vfio_pci_core.c'): Subject {
  return { name, file, change: 'added', origin: 'patch', calls, addedCalls: calls, removedCalls: [], addedIdentifiers: [], removedIdentifiers: [], added: [], removed: [], diffLines: [], oldSeq: [], newSeq: calls, body: '' };
}

/** Direct calls only, KB roles from a map: enough to run the vocabulary. */
function world(subjects: Subject[], roles: Record<string, string[]>): World {
  const w: World = {
    subjects,
    byName: new Map(subjects.map((s) => [s.name, s])),
    vfioPaths: [{ id: 'close-restore', function: 'vfio_pci_core_disable', kind: 'close', restoresOpenSnapshot: true }],
    roles: () => [],
    newRoles: () => [],
    kbRoles: (n) => roles[n] ?? [],
    isKnownStep: () => false,
    isKnownCall: (c) => c in roles,
    reaches: (s: Subject, m: CallTest): Reach[] => s.calls.filter((c) => m.test(c, w)).map((c) => ({ callee: c, first: c, path: [c], isNew: true })),
    leadsTo: (c: string, m: CallTest) => m.test(c, w),
  };
  return w;
}

const RULE: RuleSpec = {
  id: 'demo/sample',
  type: 'DEMO_SAMPLE',
  severity: 'warning',
  title: 'A demo rule for the compiler tests',
  description: 'Loads and restores outside an ioctl path.',
  references: [{ title: 'none' }],
  file: 'rules/demo/sample.yaml',
  messages: { what: '{{function}} loads with {{load}}.', why: 'Because.', fix: 'Do not.' },
  trigger: {
    all: [
      { reaches: { role: 'load' }, as: 'load' },
      { reaches: { role: 'restore' }, as: 'restore' },
      { not: { ref: 'ioctlish' } },
      { not: { name: 'nope', as: 'never' } },
    ],
  },
};

const SET: RuleSet = {
  common: { predicates: { ioctlish: { name: '/ioctl/', phrase: 'an ioctl path' } }, unknownContext: 'somewhere' },
  commonFile: 'rules/common.yaml',
  rules: [RULE],
};

const ROLES = { pci_load_saved_state: ['load'], pci_restore_state: ['restore'] };
const env = (w: World): EvalEnv => ({ world: w, target: { line: '6.19+', how: 'default', description: '6.19+', fixes: {} }, steps: [], stateSavedGate: false });

test('a compiled trigger binds what `as:` objects matched; `not` binds nothing', () => {
  const [rule] = compileRules(SET);
  const s = subject('vfio_pci_core_aer_reset_done', ['pci_load_saved_state', 'pci_restore_state']);
  const ev = emptyEvidence();
  assert.equal(rule.compiled.trigger(s, env(world([s], ROLES)), ev), true);
  assert.deepEqual(ev.bindings, { load: 'pci_load_saved_state()', restore: 'pci_restore_state()' });
  assert.deepEqual(ev.reaches.map((r) => r.callee), ['pci_load_saved_state', 'pci_restore_state']);
});

test('a failed trigger leaves the evidence untouched; refs and phrases come from common', () => {
  const [rule] = compileRules(SET);
  const ioctl = subject('vfio_pci_ioctl_reset', ['pci_load_saved_state', 'pci_restore_state']);
  const ev = emptyEvidence();
  assert.equal(rule.compiled.trigger(ioctl, env(world([ioctl], ROLES)), ev), false);
  assert.deepEqual(ev, emptyEvidence());
  const { contexts, unknownContext } = rule.compiled.common;
  assert.deepEqual(contexts.map((c) => [c.name, c.phrase]), [['ioctlish', 'an ioctl path']]);
  assert.equal(contexts[0].when(ioctl, env(world([ioctl], ROLES)), emptyEvidence()), true);
  assert.equal(unknownContext, 'somewhere');
});

test('compiling twice gives independent matchers and leaves the data as it was', () => {
  const before = JSON.stringify(SET);
  const a = compileRules(SET);
  const b = compileRules(JSON.parse(before) as RuleSet);
  assert.notEqual(a[0].compiled.trigger, b[0].compiled.trigger);
  assert.equal(JSON.stringify(SET), before);
});

test('a bad pattern in plain data is a UserError naming file, entry and field', () => {
  const bad: RuleSet = { ...SET, rules: [{ ...RULE, trigger: { all: [{ file: 'drivers/[pci' }] } }] };
  assert.throws(() => compileRules(bad), (e: unknown) => e instanceof UserError && /rules\/demo\/sample\.yaml: rule 'demo\/sample', field 'trigger\.all\[0\]\.file': 'drivers\/\[pci' is not a valid glob/.test(e.line()));
});

test('a bad replacement regex fails at load naming its field', () => {
  const bad: RuleSet = { ...SET, rules: [{ ...RULE, replacement: { match: '(unclosed', with: '$1' } }] };
  assert.throws(() => compileRules(bad), (e: unknown) => e instanceof UserError && /field 'replacement\.match'/.test(e.line()));
});
