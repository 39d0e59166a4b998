/**
 * `kbRole`: rules name a role of rules/kb/functions.yaml instead of listing kernel functions, so
 * a function added to the knowledge base reaches the rules with no rule edit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKnowledgeBase, RULES_DIR } from '../../src/kb/index.js';
import { PROJECT } from './cases.js';
import { reviewPatchFiles } from './support.js';

const PATCH = join(PROJECT, 'rules/msix/memory-bit/msix-shutdown-comment.patch');

test('msix-restore-path is the KB role msix-mmio-writer, not a list in common.yaml', async () => {
  const common = await readFile(join(RULES_DIR, 'common.yaml'), 'utf8');
  assert.doesNotMatch(common, /__pci_restore_msix_state|pci_write_msg_msix|pci_msix_write_vector_ctrl/);
  const kb = await loadKnowledgeBase();
  const path = kb.rules.find((r) => r.id === 'msix/memory-bit')!.shared!['msix-restore-path'];
  assert.deepEqual(path.all?.[0], { kbRole: 'msix-mmio-writer' });
  for (const fn of ['__pci_restore_msix_state', 'pci_restore_msi_state', 'pci_write_msg_msix', 'pci_msix_write_vector_ctrl', '__pci_write_msi_msg'])
    assert.ok(kb.functions.get(fn)?.roles.includes('msix-mmio-writer'), `${fn} is an MSI-X MMIO writer in the KB`);
});

test('a function added to the KB as msix-mmio-writer is on the MSI-X restore path of the rules', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vfio-review-kbrole-'));
  try {
    await cp(RULES_DIR, dir, { recursive: true });
    const before = await reviewPatchFiles([PATCH], { kb: await loadKnowledgeBase(dir) });
    assert.deepEqual(before.findings.flat().filter((f) => f.rule === 'msix/memory-bit'), [], 'pci_msix_shutdown() is not a writer');

    const file = join(dir, 'kb/functions.yaml');
    const text = await readFile(file, 'utf8');
    const entry = [
      '  - name: pci_msix_shutdown',
      '    roles: [msix-mmio-writer]',
      '    description: Test entry.',
      "    citations: [{ file: drivers/pci/msi/msi.c, function: pci_msix_shutdown, at: 'test' }]",
      '',
      '',
    ].join('\n');
    await writeFile(file, text.replace('  - name: __pci_restore_msix_state\n', `${entry}  - name: __pci_restore_msix_state\n`));

    const kbAfter = await loadKnowledgeBase(dir);
    const comment = await reviewPatchFiles([PATCH], { kb: kbAfter });
    assert.deepEqual(comment.findings.flat().filter((f) => f.rule === 'msix/memory-bit'), [], 'a comment changes no MMIO write');
    // the same hunk with a Vector Control write instead of the comment: a write the patch adds
    const writes = join(dir, 'shutdown-write.patch');
    const text2 = (await readFile(PATCH, 'utf8')).replace(/^\+\t\/\*.*\*\/$/m, '+\tpci_msix_write_vector_ctrl(desc, desc->pci.msix_ctrl);');
    assert.notEqual(text2, await readFile(PATCH, 'utf8'));
    await writeFile(writes, text2);
    const after = await reviewPatchFiles([writes], { kb: kbAfter });
    const notes = after.findings.flat().filter((f) => f.rule === 'msix/memory-bit');
    assert.deepEqual(notes.map((f) => f.function), ['pci_msix_shutdown']);
    const before2 = await reviewPatchFiles([writes], { kb: await loadKnowledgeBase(RULES_DIR) });
    assert.deepEqual(before2.findings.flat().filter((f) => f.rule === 'msix/memory-bit'), [], 'not a writer before the KB says so');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
