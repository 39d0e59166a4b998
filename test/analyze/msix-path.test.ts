/**
 * The MSI-X restore path read on its own (src/analyze/msix-path.ts), through the real pipeline:
 * the witness follows the post-patch body's Command writes and MMIO writes on one path, and a
 * write the hunks do not show is taken from the knowledge base and said to be.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadKnowledgeBase } from '../../src/kb/index.js';
import { reviewPatchFiles } from './support.js';
import { PROJECT } from './cases.js';

const kb = await loadKnowledgeBase();
const patch = (name: string) => join(PROJECT, 'rules/msix/memory-bit', name);
const msix = async (name: string, kernel?: string) =>
  (await reviewPatchFiles([patch(name)], { kb, kernel })).findings.flat().filter((f) => f.rule === 'msix/memory-bit');

test('v19: the witness is the write_msg-false path, where Vector Control is written with the snapshot Command', async () => {
  const [f] = await msix('pci-msi-memory-decoding-v19.patch');
  assert.ok(f, 'v19 gets the note');
  const effects = f.trace!.map((t) => t.effect);
  assert.ok(effects.some((e) => /write_msg is false/.test(e)), effects.join('\n'));
  const last = effects[effects.length - 1];
  assert.match(last, /^pci_msix_write_vector_ctrl\(\) writes the MSI-X table through MMIO with Memory Space as the snapshot left it/);
  assert.ok(!effects.some((e) => /PCI_COMMAND = cmd\|PCI_COMMAND_MEMORY/.test(e)), 'the Memory-on write is not on this path');
  assert.ok(f.conditions?.some((c) => /the patch does not show/.test(c) && /line 886 of the 6\.12 tree/.test(c)), String(f.conditions));
  assert.doesNotMatch(f.message, /not validated/);
});

test('a change to the loop itself shows its writes: no knowledge-base condition', async () => {
  const [f] = await msix('msix-restore-vector-ctrl.patch');
  assert.ok(f);
  assert.ok(f.trace!.some((t) => t.line === 889 && /__pci_write_msi_msg\(\) writes the MSI-X table/.test(t.effect)), JSON.stringify(f.trace));
  assert.equal(f.conditions, undefined);
});

test('the fix (v21) and the guard() conversion get no note; without the knowledge-base loop v19 shows no write to judge', async () => {
  assert.deepEqual(await msix('pci-msi-memory-decoding-v21.patch'), []);
  assert.deepEqual(await msix('pci-msi-guard-msi-desc-lock.patch', '6.15'), []);
  const fn = kb.functions.get('__pci_restore_msix_state')!;
  const fact = fn.mmioWrites;
  delete fn.mmioWrites;
  try {
    const notes = (await reviewPatchFiles([patch('pci-msi-memory-decoding-v19.patch')], { kb })).findings.flat().filter((f) => f.rule === 'msix/memory-bit');
    assert.deepEqual(notes, [], 'v19 shows no MMIO write of its own: only the KB copy of the loop fills the gap');
  } finally {
    fn.mmioWrites = fact;
  }
});
