import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadKnowledgeBase } from '../../src/kb/index.js';
import { stepByFunction } from '../../src/kb/load.js';

const kb = await loadKnowledgeBase();

test('every line names known steps, and the newest line is 6.19+', () => {
  assert.deepEqual(kb.lines.map((l) => l.id), ['6.1', '6.12', '6.13-6.18', '6.19+']);
  assert.equal(kb.newestLine().id, '6.19+');
  for (const line of kb.lines) {
    for (const id of [...line.restore, ...line.save]) assert.ok(kb.steps.has(id), `${line.id}: ${id}`);
    assert.ok(line.orderingFacts.every((f) => typeof f === 'string'), 'ordering facts are flattened');
  }
});

test('the lines differ where the kernel does: LTR first in 6.1, TPH from 6.13, gate gone in 6.19+', () => {
  assert.equal(kb.line('6.1')!.restore[0], 'ltr');
  assert.deepEqual(kb.line('6.12')!.nested?.pcie, ['ltr', 'l1ss']);
  assert.ok(!kb.line('6.12')!.restore.includes('tph'));
  const tph = kb.line('6.13-6.18')!.restore;
  assert.equal(tph[tph.indexOf('ptm') + 1], 'tph');
  assert.equal(kb.line('6.13-6.18')!.stateSavedGate, true);
  assert.equal(kb.line('6.19+')!.stateSavedGate, false);
});

test('COMMAND (config-space) comes before the MSI-X restore in every line, and the fact is stated', () => {
  for (const line of kb.lines) {
    assert.ok(line.restore.indexOf('config-space') < line.restore.indexOf('msi'), line.id);
    assert.ok(line.orderingFacts.some((f) => /PCI_COMMAND.*snapshot.*MSI-X/s.test(f)), line.id);
  }
});

test('step classification follows the v18 thread table', () => {
  const snapshot = [...kb.steps.values()].filter((s) => s.source === 'snapshot').map((s) => s.id).sort();
  assert.deepEqual(snapshot, ['aer', 'config-space', 'dpc', 'l1ss', 'ltr', 'pcie', 'pcix', 'ptm', 'tph', 'vc']);
  assert.equal(kb.steps.get('aer-clear')!.source, 'clears-hw');
  assert.equal(kb.steps.get('tph')!.liveGate, 'tph_enabled');
  assert.equal(kb.steps.get('msix')!.mmio, true);
});

test('every entry has a citation naming a file and where it was read', () => {
  const cited = [...kb.steps.values(), ...kb.lines, ...kb.functions.values(), ...kb.vfioPaths];
  for (const e of cited) {
    assert.ok(e.citations.length > 0);
    for (const c of e.citations) assert.match(c.at, /\d+\.\d+|@[0-9a-f]{40}/);
  }
  for (const f of kb.fixes) assert.ok(f.references.length > 0, f.id);
});

test('functions carry their roles; step functions are added with restore-step/save-step', () => {
  assert.deepEqual(kb.functions.get('pci_load_saved_state')!.roles, ['load']);
  assert.deepEqual(kb.functions.get('__pci_reset_function_locked')!.callbacks, []);
  assert.deepEqual(kb.functions.get('pci_try_reset_function')!.callbacks, ['reset_prepare', 'reset_done']);
  assert.ok(kb.functions.get('pci_restore_tph_state')!.roles.includes('restore-step'));
  assert.ok(kb.functions.get('pci_save_tph_state')!.roles.includes('save-step'));
  assert.ok(kb.functions.get('__pci_restore_msix_state')!.roles.includes('msix-mmio-writer'));
  assert.equal(stepByFunction(kb, 'pci_save_vc_state', 'save')!.id, 'vc');
});

test('only the close path may restore the open-time snapshot', () => {
  assert.deepEqual(kb.vfioPaths.filter((p) => p.restoresOpenSnapshot).map((p) => p.function), ['vfio_pci_core_disable']);
  assert.ok(kb.vfioPaths.find((p) => p.id === 'device-reset-ioctl')!.calls.includes('pci_try_reset_function'));
});

test('lineForVersion accepts 6.12, 6.12.117, v6.19-rc1; 6.18.10+ has the 6.19+ shape', () => {
  assert.equal(kb.lineForVersion('6.12')?.id, '6.12');
  assert.equal(kb.lineForVersion('6.12.117')?.id, '6.12');
  assert.equal(kb.lineForVersion('v6.19-rc1')?.id, '6.19+');
  assert.equal(kb.lineForVersion('7.2')?.id, '6.19+');
  assert.equal(kb.lineForVersion('6.18.9')?.id, '6.13-6.18');
  assert.equal(kb.lineForVersion('6.18.10')?.id, '6.19+');
  assert.equal(kb.lineForVersion('6.1.192')?.id, '6.1');
  assert.equal(kb.lineForVersion('5.15'), undefined);
  assert.equal(kb.lineForVersion('banana'), undefined);
});
