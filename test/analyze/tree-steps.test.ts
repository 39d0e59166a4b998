/**
 * With --tree the notes follow the tree's own pci_restore_state(), not its kernel line's: a copy
 * of Debian 6.12 whose pci_restore_state() no longer calls pci_restore_ptm_state() still resolves
 * to the 6.12 line, but no note lists the PTM step.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadKnowledgeBase, resolveTarget } from '../../src/kb/index.js';
import { expandSteps } from '../../src/analyze/scope.js';
import { openTree } from '../../src/ingest/tree.js';
import { reviewMessages } from '../../src/pipeline.js';
import type { Finding } from '../../src/model.js';
import { render } from '../../src/report/index.js';
import { TREE_612 } from '../support/kernels.js';
import { PROJECT } from './cases.js';
import { patchToMessage } from './support.js';

const kb = await loadKnowledgeBase();
const PATCH = join(PROJECT, 'rules/snapshot/stale-restore/v18-3-reset-done.patch');
const PTM_CALL = '\tpci_restore_ptm_state(dev);\n';

/** drivers/pci, drivers/vfio/pci and include/linux/pci.h of a tree, in a scratch folder. */
async function copyKernelParts(src: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vfio-review-tree-steps-'));
  for (const part of ['drivers/pci', 'drivers/vfio/pci', 'include/linux/pci.h', '.debian-version']) {
    await mkdir(dirname(join(dir, part)), { recursive: true });
    await cp(join(src, part), join(dir, part), { recursive: true }).catch((err: NodeJS.ErrnoException) => {
      if (!(part === '.debian-version' && err.code === 'ENOENT')) throw err;
    });
  }
  return dir;
}

/** Remove the one pci_restore_ptm_state() call of pci_restore_state() (pci.c calls it nowhere else). */
async function dropPtmRestore(root: string): Promise<void> {
  const path = join(root, 'drivers/pci/pci.c');
  const text = await readFile(path, 'utf8');
  assert.equal(text.split(PTM_CALL).length, 2, 'pci.c calls pci_restore_ptm_state() once');
  await writeFile(path, text.replace(PTM_CALL, ''));
}

async function review(opts: { tree?: string; kernel?: string }): Promise<{ findings: Finding[]; steps?: string[]; text: string }> {
  const msg = patchToMessage(await readFile(PATCH, 'utf8'), PATCH);
  const tree = opts.tree ? await openTree(opts.tree) : undefined;
  const { kb: _kb, ...r } = await reviewMessages([msg], [], { kb, tree, kernel: opts.kernel });
  return { findings: r.patches.flatMap((p) => p.findings), steps: r.target?.steps, text: render('text', r, { kb }) };
}

test("--tree records the tree's own restore steps; --kernel leaves them to the line", async () => {
  const t = await resolveTarget(kb, { tree: await openTree(TREE_612) });
  assert.deepEqual(t.steps, kb.line('6.12')!.restore, 'Debian 6.12 has exactly the 6.12 sequence');
  assert.equal((await resolveTarget(kb, { kernel: '6.12.117' })).steps, undefined);
  assert.equal((await resolveTarget(kb, {})).steps, undefined);
});

test('expandSteps: the target steps when set, the line otherwise, nested steps after their parent', () => {
  const line = expandSteps(kb, '6.12').map((s) => s.id);
  assert.deepEqual(line.slice(0, 3), ['pcie', 'ltr', 'l1ss']);
  assert.ok(line.includes('ptm'));
  assert.deepEqual(expandSteps(kb, { line: '6.12' }).map((s) => s.id), line);
  const own = expandSteps(kb, { line: '6.12', steps: kb.line('6.12')!.restore.filter((id) => id !== 'ptm') }).map((s) => s.id);
  assert.deepEqual(own, line.filter((id) => id !== 'ptm'));
});

test('a tree whose pci_restore_state() lacks the PTM step gives notes that do not list it', async () => {
  const root = await copyKernelParts(TREE_612);
  await dropPtmRestore(root);

  const t = await resolveTarget(kb, { tree: await openTree(root) });
  assert.equal(t.line, '6.12', 'still closest to the 6.12 line');
  assert.match(t.description, /closest line, 1 step difference/);
  assert.deepEqual(t.steps, kb.line('6.12')!.restore.filter((id) => id !== 'ptm'));

  // Control: the 6.12 line (same fixes as the Debian tree) lists PTM among the snapshot steps.
  const byLine = await review({ kernel: '6.12.117' });
  const lineNote = byLine.findings.find((f) => f.rule === 'snapshot/stale-restore');
  assert.ok(lineNote, 'stale-restore note with --kernel 6.12.117');
  assert.ok(lineNote.steps.includes('ptm'));
  assert.match(lineNote.message, /pci_restore_ptm_state\(\)/);
  assert.match(byLine.text, /pci_restore_ptm_state/, 'the step table of the 6.12 line has the PTM row');

  const byTree = await review({ tree: root });
  assert.deepEqual(byTree.steps, t.steps);
  const treeNote = byTree.findings.find((f) => f.rule === 'snapshot/stale-restore');
  assert.ok(treeNote, 'stale-restore note with --tree');
  assert.deepEqual(treeNote.steps, lineNote.steps.filter((id) => id !== 'ptm'));
  assert.ok(byTree.findings.length > 0);
  assert.doesNotMatch(byTree.text, /pci_restore_ptm_state/, "the step table follows the tree's own steps");
  for (const f of byTree.findings) {
    assert.ok(!f.steps.includes('ptm'), `${f.rule} lists the ptm step`);
    assert.doesNotMatch(`${f.message}\n${f.suggestion}`, /pci_restore_ptm_state/, `${f.rule} names pci_restore_ptm_state()`);
  }
});
