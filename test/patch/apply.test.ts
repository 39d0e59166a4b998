/** --tree: whole-file analysis on real trees, and the fallback when the patch does not apply. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPatch } from '../../src/patch/index.js';
import { openTree } from '../../src/ingest/tree.js';
import { SAMPLE_DIR, messageFromPatchFile } from './helpers.js';
import { TREE_61, TREE_612 } from '../support/kernels.js';

const parts = readdirSync(SAMPLE_DIR).filter((f) => !f.includes('cover')).sort().map((f) => join(SAMPLE_DIR, f));

test('sample series on linux-6.12: every part applies (on top of the earlier parts), whole bodies', async () => {
  const tree = await openTree(TREE_612);
  const models = [];
  for (const p of parts) models.push(await buildPatch(messageFromPatchFile(p, { seriesKey: 'v18' }), { tree }));
  assert.deepEqual(models.map((m) => m.analysis), [1, 2, 3, 4].map(() => ({ mode: 'tree' })));
  const [p1, p2, p3] = models;
  const detected = p1.functions[0];
  assert.equal(detected.name, 'vfio_pci_core_aer_err_detected');
  assert.equal(detected.complete, true);
  assert.equal(detected.newLine, 2269, 'definition line, before the hunk');
  assert.deepEqual(detected.assignedTo, ['error_detected'], 'wired by an unchanged initialiser in the tree');
  assert.ok(detected.calls.includes('eventfd_signal') && detected.calls.includes('dev_get_drvdata'));
  assert.ok(p2.functions[0].calls.includes('guard'), 'part 2 analysed on top of part 1 (guard(rcu) is from 1/4)');
  assert.ok(!p2.functions[0].calls.includes('rcu_read_lock'), 'not on the bare tree');
  const added = p3.functions.find((f) => f.name === 'vfio_pci_core_aer_reset_done');
  assert.equal(added?.change, 'added');
  assert.deepEqual(added?.calls, ['dev_get_drvdata', 'pci_load_saved_state', 'pci_restore_state']);
  const wired = p3.callbacks.filter((c) => c.variable === 'vfio_pci_core_err_handlers');
  assert.deepEqual(wired.map((c) => [c.field, c.change, c.newLine]), [['error_detected', 'unchanged', 2368], ['reset_done', 'added', 2369]]);
});

test('linux-6.1: part 1 does not apply -> note naming file and hunk, fragment fallback', async () => {
  const tree = await openTree(TREE_61);
  const m = await buildPatch(messageFromPatchFile(parts[0]), { tree });
  assert.equal(m.analysis?.mode, 'fragment');
  assert.match(m.analysis?.treeNote ?? '', /^drivers\/vfio\/pci\/vfio_pci_core\.c: hunk 1 \(@@ -2272,11 \+2272,10 @@\) does not apply to .*linux-6\.1 \(Debian 6\.1\.192\)/);
  assert.deepEqual(m.functions.map((f) => [f.name, f.complete, f.addedCalls, f.removedCalls]), [
    ['vfio_pci_core_aer_err_detected', false, ['guard'], ['rcu_read_lock', 'rcu_read_unlock']],
  ]);
});

test('a modified copy of 6.12 where hunk 2 of part 3 does not apply', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vr-apply-'));
  try {
    cpSync(join(TREE_612, 'drivers/vfio/pci'), join(dir, 'drivers/vfio/pci'), { recursive: true });
    const core = join(dir, 'drivers/vfio/pci/vfio_pci_core.c');
    const text = readFileSync(core, 'utf8');
    writeFileSync(core, text.replace('\t.error_detected = vfio_pci_core_aer_err_detected,\n', '\t.error_detected = other_err_detected,\n\t.mmio_enabled = other_mmio_enabled,\n'));
    const m = await buildPatch(messageFromPatchFile(parts[2]), { tree: await openTree(dir) });
    assert.equal(m.analysis?.mode, 'fragment');
    assert.match(m.analysis?.treeNote ?? '', /vfio_pci_core\.c: hunk 2 \(@@ -2355,6 \+2366,7 @@\) does not apply/);
    assert.deepEqual(m.functions.map((f) => [f.name, f.change, f.assignedTo]), [['vfio_pci_core_aer_reset_done', 'added', ['reset_done']]]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a tree where the hunks land 5 lines lower: model stays in the patch\'s numbering', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vr-apply-'));
  try {
    cpSync(join(TREE_612, 'drivers/vfio/pci'), join(dir, 'drivers/vfio/pci'), { recursive: true });
    const core = join(dir, 'drivers/vfio/pci/vfio_pci_core.c');
    writeFileSync(core, '/*\n * five\n * extra\n * lines\n */\n' + readFileSync(core, 'utf8'));
    const m = await buildPatch(messageFromPatchFile(parts[2]), { tree: await openTree(dir) });
    assert.equal(m.analysis?.mode, 'tree');
    const fn = m.functions[0];
    assert.deepEqual([fn.name, fn.newLine, fn.newEndLine, fn.addedLines[0], fn.complete], ['vfio_pci_core_aer_reset_done', 2286, 2295, 2286, true]);
    const cbs = m.callbacks.filter((c) => c.variable === 'vfio_pci_core_err_handlers');
    assert.deepEqual(cbs.map((c) => [c.field, c.change, c.newLine]), [['error_detected', 'unchanged', 2368], ['reset_done', 'added', 2369]]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
