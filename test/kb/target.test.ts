import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UserError } from '../../src/errors.js';
import { loadKnowledgeBase, resolveTarget, stateSavedGate } from '../../src/kb/index.js';
import { openTree } from '../../src/ingest/tree.js';
import { copyTree, editTree } from './helpers.js';
import { TREE_61, TREE_612 } from '../support/kernels.js';

const kb = await loadKnowledgeBase();

test('with neither option: the newest line, saying it was assumed', async () => {
  const t = await resolveTarget(kb, {});
  assert.equal(t.line, '6.19+');
  assert.equal(t.how, 'default');
  assert.equal(t.description.startsWith('assumed 6.19+ (newest known; pass --kernel or --tree)'), true);
  assert.equal(t.fixes['a2f1e22390ac'], true);
  assert.equal(t.fixes['tph'], true);
  assert.equal(t.fixes['msix-memory-decoding'], undefined, 'mainline release of the MSI-X fix is not recorded');
  assert.equal(stateSavedGate(kb, t), false);
});

test('--kernel: 6.12, 6.12.117, v6.19-rc1, 6.18.x', async () => {
  const plain = await resolveTarget(kb, { kernel: '6.12' });
  assert.equal(plain.line, '6.12');
  assert.equal(plain.how, 'kernel-option');
  assert.equal(plain.fixes['a2f1e22390ac'], undefined, 'depends on the 6.12.y sublevel');
  assert.equal(stateSavedGate(kb, plain), undefined);
  const deb = await resolveTarget(kb, { kernel: '6.12.117' });
  assert.equal(deb.fixes['a2f1e22390ac'], true);
  assert.equal(deb.fixes['msix-memory-decoding'], true);
  assert.equal(stateSavedGate(kb, deb), false);
  const old = await resolveTarget(kb, { kernel: '6.12.50' });
  assert.equal(old.fixes['a2f1e22390ac'], false);
  assert.equal(stateSavedGate(kb, old), true);
  assert.equal((await resolveTarget(kb, { kernel: 'v6.19-rc1' })).line, '6.19+');
  assert.equal((await resolveTarget(kb, { kernel: '6.18.9' })).line, '6.13-6.18');
  assert.equal((await resolveTarget(kb, { kernel: '6.18.10' })).line, '6.19+');
  const six1 = await resolveTarget(kb, { kernel: '6.1' });
  assert.equal(six1.fixes['a2f1e22390ac'], false);
  assert.match(six1.description, /^6\.1 \(from --kernel 6\.1; a2f1e22390ac absent, MSI-X decoding fix unknown/);
});

test('an unknown --kernel is a UserError listing the known lines', async () => {
  await assert.rejects(resolveTarget(kb, { kernel: '5.15' }), (err: unknown) => {
    assert.ok(err instanceof UserError);
    assert.equal(err.line(), "--kernel: unknown kernel '5.15'; known lines: 6.1 (6.1..6.8), 6.12 (6.9..6.12), 6.13-6.18 (6.13..6.18), 6.19+ (6.19+)");
    return true;
  });
});

test('--tree: Debian 6.12 resolves by code, with its backports', async () => {
  const t = await resolveTarget(kb, { tree: await openTree(TREE_612) });
  assert.equal(t.line, '6.12');
  assert.equal(t.how, 'tree');
  assert.equal(
    t.description,
    `6.12 (from --tree ${TREE_612} (Debian 6.12.117); a2f1e22390ac present, MSI-X decoding fix present, TPH absent, inaccessible-config save skip present)`,
  );
  assert.equal(stateSavedGate(kb, t), false);
});

test('--tree: Debian 6.1 keeps the gate', async () => {
  const t = await resolveTarget(kb, { tree: await openTree(TREE_61) });
  assert.equal(t.line, '6.1');
  assert.equal(t.fixes['a2f1e22390ac'], false);
  assert.equal(t.fixes['msix-memory-decoding'], true);
  assert.equal(stateSavedGate(kb, t), true);
});

test('--tree: a tree without the MSI-X fix code is recognised as lacking it', async () => {
  const root = await copyTree(TREE_612);
  await editTree(root, 'drivers/pci/msi/msi.c', 'cmd | PCI_COMMAND_MEMORY', 'cmd');
  const t = await resolveTarget(kb, { tree: await openTree(root) });
  assert.equal(t.fixes['msix-memory-decoding'], false);
  assert.match(t.description, /MSI-X decoding fix absent/);
});

test("treeShape gives a tree's own steps, unknown calls included", async () => {
  const { treeShape } = await import('../../src/kb/index.js');
  const root = await copyTree(TREE_612);
  await editTree(root, 'drivers/pci/pci.c', '\tpci_restore_ptm_state(dev);\n', '\tpci_restore_ptm_state(dev);\n\tpci_restore_foo_state(dev);\n');
  const shape = await treeShape(kb, await openTree(root));
  assert.deepEqual(shape.restore.slice(7, 9), [
    { function: 'pci_restore_ptm_state', step: 'ptm' },
    { function: 'pci_restore_foo_state', step: undefined },
  ]);
  assert.equal(shape.gate, false);
  assert.deepEqual(shape.save.map((c) => c.step), ['pcie', 'pcix', 'dpc', 'aer', 'ptm', 'vc']);
});
