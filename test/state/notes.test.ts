/**
 * Notes that follow from the device-state model, through the real pipeline: each carries its
 * witness trace (and, where a premise is not visible, a condition), per kernel line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadKnowledgeBase } from '../../src/kb/index.js';
import { openTree } from '../../src/ingest/tree.js';
import { reviewMessages } from '../../src/pipeline.js';
import type { Finding, TraceStep } from '../../src/model.js';
import { patchToMessage, reviewPatchFiles } from '../analyze/support.js';
import { PROJECT } from '../analyze/cases.js';
import { TREE_612 } from '../support/kernels.js';

const kb = await loadKnowledgeBase();
const rule = (p: string) => join(PROJECT, 'rules', p);
const V18 = rule('snapshot/stale-restore/v18-3-reset-done.patch');

async function notes(file: string, kernel?: string): Promise<Finding[]> {
  return (await reviewPatchFiles([file], { kb, kernel })).findings.flat();
}

const one = (fs: Finding[], id: string) => {
  const f = fs.find((x) => x.rule === id);
  assert.ok(f, `no ${id} note: ${fs.map((x) => x.rule).join(', ')}`);
  return f;
};

const show = (t: TraceStep[] = []) => t.map((s, i) => `${i + 1}. ${s.function}() ${s.file ?? ''}:${s.line ?? ''} ${s.effect}`).join('\n');

/** Index of the first step matching, after `from`. */
function stepAt(trace: TraceStep[], fn: string, effect: RegExp, from = 0): number {
  return trace.findIndex((t, i) => i >= from && t.function === fn && effect.test(t.effect));
}

test('reset_done restoring the open-time snapshot: the MSI-X witness runs through pci_dev_restore() before reset_done (6.12.117 lines)', async () => {
  const f = one(await notes(V18, '6.12.117'), 'msix/memory-bit');
  const t = f.trace!;
  const cleared = stepAt(t, 'vfio_basic_config_write', /Command Memory off/);
  const saved = stepAt(t, 'pci_save_state', /the save in pci_dev_save_and_disable\(\) \(user: VFIO_DEVICE_RESET\), Memory off/);
  const restored = stepAt(t, 'pci_dev_restore', /calls pci_restore_state/);
  const cmd = stepAt(t, 'pci_restore_config_space', /Memory off/);
  const mmio = stepAt(t, '__pci_restore_msix_state', /Memory Space off/);
  const cb = stepAt(t, 'pci_dev_restore', /reset_done: vfio_pci_core_aer_reset_done/);
  const own = stepAt(t, 'vfio_pci_core_aer_reset_done', /calls pci_restore_state/);
  assert.ok(cleared >= 0 && cleared < saved && saved < restored && restored < cmd && cmd < mmio && mmio < cb && cb < own, show(t));
  // every kernel step is cited to the 6.12.117 tree, the patch steps to the patch
  assert.equal(t[restored].file, 'drivers/pci/pci.c');
  assert.equal(t[restored].line, 5129);
  assert.equal(t[cb].line, 5137);
  assert.equal(t[mmio].line, 888);
  assert.equal(t[own].line, 2294);
  assert.match(t[mmio].effect, /the MSI-X decoding fix turns Memory Space on/);
  assert.equal(f.severity, 'check');
});

test('the tree carries the MSI-X decoding fix: --tree 6.12.117 says the writes complete, from the tree\'s own code', async () => {
  const msg = patchToMessage(await readFile(V18, 'utf8'), V18);
  const r = await reviewMessages([msg], [], { kb, tree: await openTree(TREE_612) });
  const f = one(r.patches[0].findings, 'msix/memory-bit');
  assert.equal(f.severity, 'check');
  assert.match(f.message, /carries .*MSI-X/);
  const t = f.trace!;
  const mmio = stepAt(t, '__pci_restore_msix_state', /the MSI-X decoding fix turns Memory Space on around the writes, so they complete/);
  assert.ok(mmio > 0, show(t));
  // the tree's vfio_pci_ioctl_reset() is followed: its own line of the pci_try_reset_function() call
  assert.ok(t.some((s) => s.function === 'vfio_pci_ioctl_reset' && s.line === 1275 && /calls pci_try_reset_function/.test(s.effect)), show(t));
});

test('TPH never enabled anywhere: the TPH note is a check that states the premise as a condition', async () => {
  const f = one(await notes(V18), 'snapshot/stale-tph');
  assert.equal(f.severity, 'check');
  assert.equal(f.conditions?.length, 1);
  assert.match(f.conditions![0], /This assumes TPH gets enabled while the device is open: nothing in this patch/);
  assert.match(f.message, /Nothing in this patch, its series or the tree given enables TPH/);
  assert.ok(f.trace!.some((s) => s.event === 'assumed: TPH enabled'), show(f.trace));
  // on a line without the TPH step there is no TPH note at all
  assert.equal((await notes(V18, '6.12')).filter((x) => x.rule === 'snapshot/stale-tph').length, 0);
});

test('TPH enabled and disabled only by user operations: close writes the open-time zeros when the user did not disable', async () => {
  const f = one(await notes(rule('snapshot/stale-tph/tph-user-enable-disable.patch')), 'snapshot/stale-tph');
  assert.equal(f.function, 'vfio_pci_core_feature_tph');
  const t = f.trace!;
  const enable = stepAt(t, 'pcie_enable_tph', /tph_enabled = 1/);
  const load = stepAt(t, 'pci_load_saved_state', /loads vdev->pci_saved_state/);
  const zero = stepAt(t, 'pci_restore_tph_state', /written from the save in vfio_pci_core_enable\(\) \(open\), loaded from vdev->pci_saved_state: zero/);
  assert.ok(enable > 0 && enable < load && load < zero && t[zero].event === 'close', show(t));
  assert.ok(!t.some((s) => s.function === 'pcie_disable_tph'), 'the witness never disables TPH');
  assert.match(f.conditions?.join(' ') ?? '', /vfio_pci_core_feature_tph\(\) is reachable from userspace/);
});

test('the driver sets Memory just before its own pci_restore_state(): the config-space step writes Command back from the snapshot first', async () => {
  const f = one(await notes(rule('msix/memory-bit/reset-done-memory-before-restore.patch')), 'msix/memory-bit');
  const t = f.trace!;
  const set = stepAt(t, 'pci_write_config_word', /PCI_COMMAND = cmd \| PCI_COMMAND_MEMORY: Command Memory on/);
  const own = stepAt(t, 'vfio_pci_core_aer_reset_done', /calls pci_restore_state/, set);
  const cmd = stepAt(t, 'pci_restore_config_space', /Command written back from the save in vfio_pci_core_enable\(\) \(open\)/, own);
  assert.ok(set > 0 && own > set && cmd > own, show(t));
  assert.match(f.message, /pci_restore_config_space\(\)\s+writes the snapshot's Command value over it/);
});

test('a failed load on a line with the state_saved gate writes no mix: no note there, a note on 6.19+', async () => {
  for (const line of ['6.1', '6.17']) assert.ok(!(await notes(V18, line)).some((f) => f.rule === 'snapshot/load-unchecked'), line);
  const newest = one(await notes(V18), 'snapshot/load-unchecked');
  assert.match(newest.message, /writes that mix back/);
});

test('6.1 names its own MSI-X writers: no pci_write_msg_msix()', async () => {
  const f = one(await notes(V18, '6.1'), 'msix/memory-bit');
  assert.doesNotMatch(f.message, /pci_write_msg_msix/);
  assert.match(f.message, /__pci_write_msi_msg\(\)/);
  assert.ok(f.trace!.every((s) => !/pci_write_msg_msix/.test(s.effect)), show(f.trace));
  assert.ok(f.trace!.some((s) => s.function === '__pci_restore_msix_state' && s.line === 320), show(f.trace));
});

test('6.1: a NULL load before a restore is a no-op there; on 6.19+ the witness shows the last save written back', async () => {
  const file = rule('snapshot/state-saved-assumption/discard-then-restore.patch');
  const newest = one(await notes(file), 'snapshot/state-saved-assumption');
  const t = newest.trace!;
  const nul = stepAt(t, 'pci_load_saved_state', /state_saved = false; the state is NULL/);
  const back = stepAt(t, 'pci_restore_state', /writes back the save in vfio_pci_core_enable\(\) \(open\) \(no state_saved gate/);
  assert.ok(nul > 0 && back > nul, show(t));
  const old = one(await notes(file, '6.1'), 'snapshot/state-saved-assumption');
  assert.equal(old.trace, undefined, '6.1 has the gate: nothing to witness');
});

test('a violation the code before the patch has too is not the witness: the MSI-X note follows the restore the patch adds after the core one', async () => {
  const f = one(await notes(rule('snapshot/state-saved-assumption/reset-ioctl-force-restore.patch')), 'msix/memory-bit');
  const t = f.trace!;
  const core = stepAt(t, 'pci_dev_restore', /calls pci_restore_state/);
  const own = stepAt(t, 'vfio_pci_ioctl_reset', /calls pci_restore_state/, core + 1);
  const write = stepAt(t, '__pci_restore_msix_state', /with Memory Space off/, own + 1);
  assert.ok(core >= 0 && own > core && write > own, show(t));
  // the core's own MSI-X write in the same reset is there before the patch: not the witness
  assert.equal(t.filter((s) => s.function === '__pci_restore_msix_state').length, 1, show(t));
});

test('a log-only patch to vfio_pci_set_power_state(): the pm_save MSI-X path is there before the patch too, so it is not this patch\'s note (6.12.117)', async () => {
  const fixture = new URL('./fixtures/pm-save-restore-debug.patch', import.meta.url).pathname;
  const found = await notes(fixture, '6.12.117');
  assert.ok(!found.some((f) => f.rule === 'msix/memory-bit'), found.map((f) => f.rule).join(', '));
});

test('a patch with no part in the power state is explored without the PMCSR events', async () => {
  for (const f of await notes(V18)) assert.ok(!(f.trace ?? []).some((s) => /PMCSR/.test(s.event)), `${f.rule}: ${show(f.trace)}`);
});

