/**
 * The words a note uses come from the rules' data, not the engine: the {{context}} phrase from
 * a named predicate's `phrase:` in rules/common.yaml, and {{load}} from the `as: load` binding.
 * A copy of rules/ with another phrase and without the binding gives another note.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKnowledgeBase, RULES_DIR } from '../../src/kb/index.js';
import { reviewPatchFiles } from '../analyze/support.js';

const PATCH = join(RULES_DIR, 'snapshot/stale-restore/ioctl-reset-restore.patch');

async function staleRestore(rulesDir?: string) {
  const kb = await loadKnowledgeBase(rulesDir);
  const { findings } = await reviewPatchFiles([PATCH], { kb });
  return findings.flat().find((f) => f.rule === 'snapshot/stale-restore')!;
}

test('{{context}} and {{load}} follow rules/common.yaml', async () => {
  const shipped = await staleRestore();
  assert.match(shipped.message, /^vfio_pci_ioctl_reset\(\), an ioctl path, loads a saved snapshot with pci_load_saved_state\(\)/);
  const dir = await mkdtemp(join(tmpdir(), 'vfio-review-words-'));
  try {
    await cp(RULES_DIR, join(dir, 'rules'), { recursive: true });
    const common = join(dir, 'rules', 'common.yaml');
    const text = await readFile(common, 'utf8');
    const edited = text
      .replace('phrase: an ioctl path', 'phrase: a user operation (VFIO ioctl)')
      .replace('- { reaches: { role: load }, as: load }', '- { reaches: { role: load } }');
    assert.notEqual(edited, text);
    await writeFile(common, edited);
    const f = await staleRestore(join(dir, 'rules'));
    assert.match(f.message, /^vfio_pci_ioctl_reset\(\), a user operation \(VFIO ioctl\), loads a saved snapshot with {2}and writes it back with pci_restore_state\(\)/, 'without the binding the engine supplies no load function');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
