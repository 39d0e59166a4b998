/**
 * The unknown-step walk (src/state/steps.ts): the post-patch save and restore sequences and the
 * step bodies against the target line's step lists. Unit cases on a small world, then the real
 * corpus patch 02 through the pipeline, whose witness must show the save's early return and what
 * a later restore then writes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadKnowledgeBase } from '../../src/kb/index.js';
import type { Finding, TraceStep } from '../../src/model.js';
import { opsOf } from '../../src/state/ops.js';
import { describeWrite, walkSteps, type StepWalkWorld, type WalkCode } from '../../src/state/steps.js';
import { reviewPatchFiles } from '../analyze/support.js';
import { PROJECT } from '../analyze/cases.js';

const numbered = (text: string, from = 100) => text.split('\n').map((t, i) => ({ line: from + i, text: t }));

test('opsOf: calls and returns in order, each with the branch it runs under; calls in a condition are tests', () => {
  const ops = opsOf(
    numbered(`void f(struct pci_dev *dev)
{
	if (PCI_POSSIBLE_ERROR(val)) {
		pci_warn(dev, "x");
		return -EIO;
	} else
		g(dev);
	for (i = 0; i < 4; i++)
		pci_write_config_dword(dev, i * 4, dev->saved_config_space[i]);
	return 0;
}`),
    'f',
  );
  const view = ops.map((o) => `${o.kind}:${o.callee ?? o.value}@${o.line}[${o.gates.join('|')}]${o.inCondition ? '?' : ''}`);
  assert.deepEqual(view, [
    'call:PCI_POSSIBLE_ERROR@102[]?',
    'call:pci_warn@103[PCI_POSSIBLE_ERROR(val)]',
    'return:-EIO@104[PCI_POSSIBLE_ERROR(val)]',
    'call:g@106[not (PCI_POSSIBLE_ERROR(val))]',
    'call:pci_write_config_dword@108[loop]',
    'return:0@109[]',
  ]);
});

test('describeWrite: a constant Command value is from no snapshot, with its bits; a save buffer is the snapshot', () => {
  assert.equal(
    describeWrite('pci_write_config_word', ['pdev', 'PCI_COMMAND', 'PCI_COMMAND_MEMORY | PCI_COMMAND_IO']),
    'PCI_COMMAND = PCI_COMMAND_MEMORY | PCI_COMMAND_IO (a constant, from no snapshot: Memory on, I/O on, Bus Master off)',
  );
  assert.match(describeWrite('pci_write_config_dword', ['dev', 'pos', 'save_state->cap.data[0]']), /from a save buffer/);
  assert.match(describeWrite('writel', ['entry->msg.data', 'base + PCI_MSIX_ENTRY_DATA']), /MMIO, from live state/);
});

/** A world with two restore steps (a snapshot one and a live one) and code for some functions. */
function world(code: Record<string, { text: string; added: number[] }>, knownChange?: string): StepWalkWorld {
  const codeOf = (name: string): WalkCode | undefined => {
    const c = code[name];
    if (!c) return undefined;
    return { file: 'drivers/pci/pci.c', lines: numbered(c.text), added: new Set(c.added), removedCalls: new Set(), removed: [], complete: true, start: 100 };
  };
  return {
    line: '6.19+',
    steps: new Map([
      ['config-space', { id: 'config-space', function: 'pci_restore_config_space', source: 'snapshot', summary: 'the header' }],
      ['msi', { id: 'msi', function: 'pci_restore_msi_state', source: 'live', summary: 'MSI' }],
    ]),
    restore: ['config-space', 'msi'],
    save: [],
    nested: {},
    gate: false,
    known: (n) => n === 'pci_restore_msi_state',
    knownChange: (fn) => (fn === knownChange ? 'a-fix' : undefined),
    code: codeOf,
  };
}

const RESTORE = `void pci_restore_state(struct pci_dev *dev)
{
	pci_restore_config_space(dev);
	pci_restore_msi_state(dev);
}`;

test('a bare state_saved gate in a step is the gate the KB knows (no event); the same gate with a write in its branch is unknown', () => {
  const bare = `static void pci_restore_config_space(struct pci_dev *pdev)
{
	if (!pdev->state_saved)
		return;
	pci_restore_config_space_range(pdev, 0, 15, 0, false);
}`;
  assert.deepEqual(walkSteps(world({ pci_restore_state: { text: RESTORE, added: [] }, pci_restore_config_space: { text: bare, added: [102, 103] } })), []);
  const branch = `static void pci_restore_config_space(struct pci_dev *pdev)
{
	if (!pdev->state_saved) {
		pci_write_config_word(pdev, PCI_COMMAND, PCI_COMMAND_MEMORY);
		return;
	}
	pci_restore_config_space_range(pdev, 0, 15, 0, false);
}`;
  const events = walkSteps(world({ pci_restore_state: { text: RESTORE, added: [] }, pci_restore_config_space: { text: branch, added: [102, 103, 104, 105] } }));
  assert.deepEqual(
    events.map((e) => `${e.kind} ${e.function}:${e.line} ${e.gate ?? ''}`),
    ['write pci_restore_config_space:103 if (!pdev->state_saved)', 'return pci_restore_config_space:104 if (!pdev->state_saved)'],
  );
  // the witness is the walk from pci_restore_state() into the step, file:line of each step
  assert.deepEqual(
    events[0].trace.map((t) => `${t.function}:${t.line ?? ''}`),
    ['pci_restore_state:100', 'pci_restore_state:102', 'pci_restore_config_space:103'],
  );
  assert.match(events[0].expected, /step config-space as pci_restore_config_space\(\): the header, from the snapshot/);
  // a change the knowledge base knows as a fix of that function is not unknown
  assert.deepEqual(walkSteps(world({ pci_restore_state: { text: RESTORE, added: [] }, pci_restore_config_space: { text: branch, added: [102, 103, 104, 105] } }, 'pci_restore_config_space')), []);
});

test('a bare early return on what the step gate of the KB names is known; on anything else it is new', () => {
  const step = (cond: string) => `static void pci_restore_config_space(struct pci_dev *pdev)
{
	if (${cond})
		return;
	pci_restore_config_space_range(pdev, 0, 15, 0, false);
}`;
  const w = (cond: string) => {
    const wd = world({ pci_restore_state: { text: RESTORE, added: [] }, pci_restore_config_space: { text: step(cond), added: [102, 103] } });
    wd.steps.set('config-space', { ...wd.steps.get('config-space')!, gate: 'pdev->hdr_cap and the save buffer present' });
    return walkSteps(wd).map((e) => `${e.kind}:${e.gate}`);
  };
  assert.deepEqual(w('!pdev->hdr_cap'), []);
  assert.deepEqual(w('!save_state'), []);
  assert.deepEqual(w('pdev->is_virtfn'), ['return:if (pdev->is_virtfn)']);
});

test('a call in pci_restore_state() that is no step of the line is unknown; a known one on a context line is not', () => {
  const text = `void pci_restore_state(struct pci_dev *dev)
{
	pci_restore_config_space(dev);
	pci_restore_foo_state(dev);
	pci_restore_msi_state(dev);
}`;
  const events = walkSteps(world({ pci_restore_state: { text, added: [103] } }));
  assert.deepEqual(events.map((e) => `${e.kind} ${e.callee}:${e.line}`), ['call pci_restore_foo_state:103']);
  assert.match(events[0].cannot, /^This assumes that pci_restore_foo_state\(\) writes the device: its body is not in scope/);
});

test('a save that returns before saving: what a later restore does depends on the state_saved gate of the post-patch pci_restore_state()', () => {
  const save = `int pci_save_state(struct pci_dev *dev)
{
	if (dev->error)
		return -EIO;
	for (i = 0; i < 16; i++)
		pci_read_config_dword(dev, i * 4, &dev->saved_config_space[i]);
	dev->state_saved = true;
	return 0;
}`;
  const branch = `static void pci_restore_config_space(struct pci_dev *pdev)
{
	if (!pdev->state_saved) {
		pci_write_config_word(pdev, PCI_COMMAND, PCI_COMMAND_MEMORY);
		return;
	}
}`;
  const gated = `void pci_restore_state(struct pci_dev *dev)
{
	if (!dev->state_saved)
		return;
	pci_restore_config_space(dev);
}`;
  const later = (restore: string) => {
    const events = walkSteps(world({ pci_save_state: { text: save, added: [102, 103] }, pci_restore_state: { text: restore, added: [] }, pci_restore_config_space: { text: branch, added: [102, 103, 104, 105] } }));
    const ret = events.find((e) => e.kind === 'return' && e.function === 'pci_save_state');
    assert.ok(ret, events.map((e) => e.kind).join());
    assert.match(ret.what, /returns -EIO early when dev->error, before saved_config_space\[\] is read/);
    return ret.trace.filter((t) => t.event.startsWith('later:')).map((t) => t.effect);
  };
  const withGate = later(gated);
  assert.equal(withGate.length, 1);
  assert.match(withGate[0], /returns at once while state_saved is false/);
  const without = later(RESTORE);
  assert.match(without[0], /with no state_saved gate/);
  assert.match(without[1], /^with state_saved false: PCI_COMMAND = PCI_COMMAND_MEMORY \(a constant, from no snapshot: Memory on/);
});

const kbP = loadKnowledgeBase();
const show = (t: TraceStep[] = []) => t.map((s, i) => `${i + 1}. [${s.event}] ${s.function}() ${s.file ?? ''}:${s.line ?? ''} ${s.effect}`).join('\n');

test('corpus patch 02 (6.18): the save returning -EIO, and what a later restore then writes (Command = MEMORY|IO from no snapshot), as the witness', async () => {
  const file = join(PROJECT, 'rules/kb/unknown-restore-step/avoid-saving-error-values-v5.patch');
  const notes: Finding[] = (await reviewPatchFiles([file], { kb: await kbP, kernel: '6.18' })).findings.flat().filter((f) => f.rule === 'kb/unknown-restore-step');
  const save = notes.find((f) => f.function === 'pci_save_state');
  assert.ok(save, notes.map((f) => f.function).join(', '));
  const t = save.trace!;
  const ret = t.findIndex((s) => s.function === 'pci_save_state' && s.line === 1755 && /returns -EIO early when PCI_POSSIBLE_ERROR\(val\), before saved_config_space\[\] is read/.test(s.effect));
  const cmd = t.findIndex((s) => s.event.startsWith('later:') && s.function === 'pci_restore_config_space' && s.line === 1823 && /PCI_COMMAND = PCI_COMMAND_MEMORY \| PCI_COMMAND_IO \(a constant, from no snapshot: Memory on/.test(s.effect));
  assert.ok(ret >= 0 && cmd > ret, show(t));
  assert.match(save.message, /What does a later restore write back then\? From the walk: .*with state_saved false: PCI_COMMAND = PCI_COMMAND_MEMORY/s);
  assert.ok(save.conditions?.some((c) => /PCI_POSSIBLE_ERROR\(val\) holds on some save/.test(c)), String(save.conditions));
  const branch = notes.find((f) => f.function === 'pci_restore_config_space');
  assert.ok(branch);
  assert.match(branch.message, /It runs under if \(!pdev->state_saved\): when does that hold\?/);
  assert.ok(branch.trace!.some((s) => /calls pci_restore_config_space\(\): step config-space \(snapshot\)/.test(s.effect)), show(branch.trace));
  assert.deepEqual(branch.steps, ['config-space']);
  // the bare state_saved gates the patch adds to the other steps are not this rule's
  assert.deepEqual(notes.map((f) => f.function).sort(), ['pci_restore_config_space', 'pci_save_state']);
});
