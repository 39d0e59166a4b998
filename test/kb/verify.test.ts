import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadKnowledgeBase, verifyTree, formatVerify } from '../../src/kb/index.js';
import { openTree } from '../../src/ingest/tree.js';
import { copyTree, editTree, scratch } from './helpers.js';
import { TREE_61, TREE_612 } from '../support/kernels.js';

const kb = await loadKnowledgeBase();

async function verify(root: string) {
  return verifyTree(kb, await openTree(root));
}

/** Verify a copy of the 6.12 tree with one edit (see editTree). */
async function verifyEdited(file: string, from: string, to: string) {
  const root = await copyTree(TREE_612);
  await editTree(root, file, from, to);
  return verify(root);
}

/** What `kb verify` says: exit code and output, through the real CLI in a child process. */
function cli(...args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, ['bin/vfio-review.js', 'kb', 'verify', ...args], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

test('Debian 6.12.117: clean, line 6.12, no gate, MSI-X fix present', async () => {
  const r = await verify(TREE_612);
  assert.deepEqual(r.drifts, [], formatVerify(r));
  assert.equal(r.line.id, '6.12');
  assert.equal(r.gate, false);
  assert.equal(r.fixes['a2f1e22390ac'], true);
  assert.equal(r.fixes['msix-memory-decoding'], true);
  assert.equal(r.fixes['tph'], false);
});

test('Debian 6.1.192: clean, line 6.1, gate present', async () => {
  const r = await verify(TREE_61);
  assert.deepEqual(r.drifts, [], formatVerify(r));
  assert.equal(r.line.id, '6.1');
  assert.equal(r.gate, true);
  assert.equal(r.fixes['a2f1e22390ac'], false);
  assert.equal(r.fixes['msix-memory-decoding'], true);
});

test('the CLI exits 0 on a clean tree and 2 without --tree', () => {
  // A child process: node:test reports through this process's stdout, so it must not be captured here.
  const ok = cli('--tree', TREE_612);
  assert.equal(ok.status, 0, ok.out);
  assert.match(ok.out, /OK: the knowledge base matches the tree/);
  const bad = cli();
  assert.equal(bad.status, 2);
  assert.match(bad.out, /--tree: kb verify needs --tree DIR/);
});

test('the CLI refuses a folder without drivers/pci/pci.c in one line (exit 2)', async () => {
  const root = await scratch('vfio-review-tree-');
  await mkdir(join(root, 'drivers'));
  const r = cli('--tree', root);
  assert.equal(r.status, 2, r.out);
  assert.equal(r.out, `vfio-review: ${root}: not a kernel tree (no drivers/pci/pci.c)\n`);
});

test('a step added to pci_restore_state() is unknown drift (exit 1)', async () => {
  const root = await copyTree(TREE_612);
  await editTree(root, 'drivers/pci/pci.c', '\tpci_restore_ptm_state(dev);\n', '\tpci_restore_ptm_state(dev);\n\tpci_restore_foo_state(dev);\n');
  const r = await verify(root);
  assert.equal(r.line.id, '6.12');
  assert.deepEqual(r.drifts.map((d) => d.kind), ['unknown-step']);
  assert.match(r.drifts[0].message, /unknown restore step pci_restore_foo_state\(\) at position 9: does it restore from the snapshot or from live state\?/);
  const run = cli('--tree', root);
  assert.equal(run.status, 1, run.out);
  assert.match(run.out, /DRIFT \[unknown-step\]/);
  assert.match(run.out, /FAIL: 1 difference/);
});

test('two steps swapped is order drift', async () => {
  const r = await verifyEdited(
    'drivers/pci/pci.c',
    '\tpci_restore_dpc_state(dev);\n\tpci_restore_ptm_state(dev);\n',
    '\tpci_restore_ptm_state(dev);\n\tpci_restore_dpc_state(dev);\n',
  );
  assert.deepEqual(r.drifts.map((d) => d.kind), ['order']);
  assert.match(r.drifts[0].message, /pci_restore_state\(\): order differs from line 6\.12 at step 7: tree calls 'ptm' where the line has 'dpc'/);
});

test('a step removed from pci_save_state() is missing-step drift', async () => {
  const r = await verifyEdited('drivers/pci/pci.c', '\tpci_save_aer_state(dev);\n', '');
  assert.deepEqual(r.drifts.map((d) => d.kind), ['missing-step']);
  assert.match(r.drifts[0].message, /pci_save_state\(\): line 6\.12 has step 'aer', which the tree does not call/);
});

test('a snapshot step that stops reading the snapshot is classification drift', async () => {
  const r = await verifyEdited(
    'drivers/pci/pci.c',
    '\tsave_state = pci_find_saved_cap(dev, PCI_CAP_ID_PCIX);\n\tpos = pci_find_capability(dev, PCI_CAP_ID_PCIX);\n',
    '\tsave_state = NULL;\n\tpos = pci_find_capability(dev, PCI_CAP_ID_PCIX);\n',
  );
  assert.deepEqual(r.drifts.map((d) => d.kind), ['classification']);
  assert.match(r.drifts[0].message, /step 'pcix': pci_restore_pcix_state\(\) \(drivers\/pci\/pci\.c\) reads no snapshot .* says 'snapshot'/);
});

test('a live step that starts reading the snapshot is classification drift, followed into ats.c', async () => {
  const r = await verifyEdited(
    'drivers/pci/ats.c',
    '\tif (!dev->ats_enabled)\n\t\treturn;\n\n\tctrl = PCI_ATS_CTRL_ENABLE;\n',
    '\tif (!dev->ats_enabled)\n\t\treturn;\n\n\tctrl = PCI_ATS_CTRL_ENABLE | (dev->saved_config_space[1] & 0);\n',
  );
  assert.deepEqual(r.drifts.map((d) => d.kind), ['classification']);
  assert.match(r.drifts[0].message, /step 'ats': pci_restore_ats_state\(\) \(drivers\/pci\/ats\.c\) reads the snapshot \(pci_restore_ats_state: saved_config_space\) but the knowledge base says 'live'/);
});

/** Turn a 6.12 copy into a TPH tree: our own minimal tph.c (not kernel code) and the calls. */
async function tphTree(opts: { gate: boolean; liveGate: boolean }): Promise<string> {
  const root = await copyTree(TREE_612);
  await editTree(root, 'drivers/pci/pci.c', '\tpci_restore_ptm_state(dev);\n', '\tpci_restore_ptm_state(dev);\n\tpci_restore_tph_state(dev);\n');
  await editTree(root, 'drivers/pci/pci.c', '\tpci_save_ptm_state(dev);\n', '\tpci_save_ptm_state(dev);\n\tpci_save_tph_state(dev);\n');
  if (opts.gate) {
    await editTree(root, 'drivers/pci/pci.c', 'void pci_restore_state(struct pci_dev *dev)\n{\n', 'void pci_restore_state(struct pci_dev *dev)\n{\n\tif (!dev->state_saved)\n\t\treturn;\n\n');
  }
  const check = opts.liveGate ? '\tif (!pdev->tph_cap || !pdev->tph_enabled)\n\t\treturn;\n' : '\tif (!pdev->tph_cap)\n\t\treturn;\n';
  const fn = (name: string) =>
    `void ${name}(struct pci_dev *pdev)\n{\n\tstruct pci_cap_saved_state *s;\n\n${check}\ts = pci_find_saved_ext_cap(pdev, PCI_EXT_CAP_ID_TPH);\n\tif (s)\n\t\ttest_only_touch(pdev, s);\n}\n`;
  await writeFile(join(root, 'drivers/pci/tph.c'), fn('pci_restore_tph_state') + '\n' + fn('pci_save_tph_state'));
  return root;
}

test('a TPH tree with the gate is line 6.13-6.18; without it, 6.19+', async () => {
  const gated = await verify(await tphTree({ gate: true, liveGate: true }));
  assert.deepEqual(gated.drifts, [], formatVerify(gated));
  assert.equal(gated.line.id, '6.13-6.18');
  assert.equal(gated.fixes['tph'], true);
  // the copy says it is Debian 6.12.117: 6.13-6.18's line numbers (read elsewhere) are not held against it
  assert.ok(gated.info.some((l) => /cited lines of 6\.13-6\.18 not compared \(6\.12\.117 is a 6\.12 release\)/.test(l)), formatVerify(gated));
  const newest = await verify(await tphTree({ gate: false, liveGate: true }));
  assert.deepEqual(newest.drifts, [], formatVerify(newest));
  assert.equal(newest.line.id, '6.19+');
});

test('a TPH restore that no longer tests the live tph_enabled is gate drift', async () => {
  const r = await verify(await tphTree({ gate: false, liveGate: false }));
  assert.deepEqual(r.drifts.map((d) => d.kind), ['gate']);
  assert.match(r.drifts[0].message, /step 'tph': pci_restore_tph_state\(\) no longer tests the live flag tph_enabled/);
});

test('a vfio path that no longer makes its listed calls is vfio-path drift', async () => {
  const r = await verifyEdited('drivers/vfio/pci/vfio_pci_core.c', 'out_restore_state:\n\tpci_restore_state(pdev);\n', 'out_restore_state:\n');
  // the effects check sees it too: the model's close no longer matches the tree
  assert.deepEqual([...new Set(r.drifts.map((d) => d.kind))], ['vfio-path', 'effect']);
  assert.ok(r.drifts.filter((d) => d.kind === 'effect').every((d) => /^vfio_pci_core_disable\(\): .*pci_restore_state/.test(d.message)), formatVerify(r));
  assert.match(r.drifts[0].message, /vfio path 'close-restore': vfio_pci_core_disable\(\) does not call pci_restore_state\(\) where the knowledge base says/);
});

test('effects: the model\'s calls, their order and cited lines agree with both Debian trees', async () => {
  for (const root of [TREE_612, TREE_61]) {
    const r = await verify(root);
    const line = r.info.find((l) => l.startsWith('effects:')) ?? '';
    assert.match(line, /effects: \d+ functions' calls and order checked, \d+ cited lines compared, all agree/, formatVerify(r));
    assert.ok(Number(/(\d+) cited lines/.exec(line)![1]) >= 30, line);
  }
});

test('effects drift: reset_done before the core restore in pci_dev_restore() (exit 1)', async () => {
  const root = await copyTree(TREE_612);
  await editTree(root, 'drivers/pci/pci.c', '\tpci_restore_state(dev);\n\n\t/*\n\t * dev->driver->err_handler->reset_done()', '\t/*\n\t * dev->driver->err_handler->reset_done()');
  await editTree(root, 'drivers/pci/pci.c', '\t\terr_handler->reset_done(dev);\n}', '\t\terr_handler->reset_done(dev);\n\tpci_restore_state(dev);\n}');
  const r = await verify(root);
  const effect = r.drifts.filter((d) => d.kind === 'effect').map((d) => d.message);
  assert.ok(effect.some((m) => /pci_dev_restore\(\): calls ->reset_done\(\) earlier|pci_dev_restore\(\): .*pci\.c:5129 should hold the call to pci_restore_state/.test(m)), effect.join('\n'));
  const out = cli('--tree', root);
  assert.equal(out.status, 1, out.out);
  assert.match(out.out, /DRIFT \[effect\] pci_dev_restore\(\)/);
});

test('effects drift: the Command write of pci_dev_save_and_disable() gone', async () => {
  const r = await verifyEdited('drivers/pci/pci.c', '\tpci_write_config_word(dev, PCI_COMMAND, PCI_COMMAND_INTX_DISABLE);\n}', '}');
  assert.ok(r.drifts.some((d) => d.kind === 'effect' && /pci_dev_save_and_disable\(\): drivers\/pci\/pci\.c:5121 should hold/.test(d.message)), formatVerify(r));
});
