/**
 * --tree maps each hunk by where it applied (issue 11, must-have 5): 6.1 -> 6.12 diffs on a
 * 6.1 tree with comment lines inserted between hunks (test/patch/shift.ts), every hunk at its
 * own offset; a hunk applied with fuzz says so; one that cannot be placed is read as a fragment.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPatch } from '../../src/patch/index.js';
import { openTree } from '../../src/ingest/tree.js';
import { parseDiff } from '../../src/patch/diff.js';
import { messageFromDiff } from './helpers.js';
import { kernelDiff, score, truth, writeShifted } from './shift.js';

const root = mkdtempSync(join(tmpdir(), 'vr-shift-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

for (const path of ['drivers/vfio/pci/vfio_pci_core.c', 'drivers/vfio/pci/vfio_pci_rdwr.c', 'drivers/vfio/pci/vfio_pci_intrs.c']) {
  test(`${path}: every hunk at its own offset, each changed line in its own function`, async () => {
    const diff = kernelDiff(path);
    const offsets = writeShifted(root, path, diff);
    assert.ok(new Set(offsets).size > 3, 'hunks land at several offsets');
    const model = await buildPatch(messageFromDiff(diff, path), { tree: await openTree(root) });
    assert.equal(model.analysis?.mode, 'tree');
    assert.deepEqual(model.files[0].hunks.map((h) => h.applied), offsets.map((offset) => ({ placed: true, offset, fuzz: 0 })));
    const s = await score(path, model, await truth(path, parseDiff(diff).files[0]));
    assert.deepEqual([s.right, s.found, s.linesRight], [s.truth, s.truth, s.lines], JSON.stringify(s));
  });
}

/** The shifted copy of a file with one line replaced. */
function edit(path: string, from: string, to: string): void {
  const file = join(root, path);
  const text = readFileSync(file, 'utf8');
  assert.ok(text.includes(from), `tree has ${JSON.stringify(from)}`);
  writeFileSync(file, text.replace(from, to));
}

test('a hunk whose outer context line changed applies with fuzz 1, and the note says so', async () => {
  const path = 'drivers/vfio/pci/vfio_pci_core.c';
  const diff = kernelDiff(path);
  const offsets = writeShifted(root, path, diff);
  const file = parseDiff(diff).files[0];
  const k = file.hunks.findIndex((h, i) => i > 0 && h.lines[0].kind === ' ' && h.lines[0].text.trim().length > 8);
  edit(path, `\n${file.hunks[k].lines[0].text}\n`, `\n${file.hunks[k].lines[0].text} /* changed */\n`);
  const model = await buildPatch(messageFromDiff(diff, path), { tree: await openTree(root) });
  const h = model.files[0].hunks[k];
  assert.deepEqual(h.applied, { placed: true, offset: offsets[k], fuzz: 1 });
  assert.match(model.analysis?.treeNote ?? '', new RegExp(`hunk ${k + 1} \\(@@ -${h.oldStart},${h.oldLines} \\+${h.newStart},${h.newLines} @@\\) applied with fuzz 1`));
  assert.equal(model.analysis?.mode, 'tree');
  const s = await score(path, model, await truth(path, file));
  assert.equal(s.linesRight, s.lines);
});

test('a hunk that cannot be placed is read as a fragment, the others still whole', async () => {
  const path = 'drivers/vfio/pci/vfio_pci_intrs.c';
  const diff = kernelDiff(path);
  writeShifted(root, path, diff);
  const file = parseDiff(diff).files[0];
  const k = file.hunks.findIndex((h, i) => i > 0 && h.lines.some((l) => l.kind === '-' && l.text.trim().length > 12));
  const removed = file.hunks[k].lines.find((l) => l.kind === '-' && l.text.trim().length > 12)!.text;
  edit(path, `\n${removed}\n`, `\n${removed.replace(/\w+/, 'renamed_in_this_tree')}\n`);
  const model = await buildPatch(messageFromDiff(diff, path), { tree: await openTree(root) });
  const hunks = model.files[0].hunks;
  assert.deepEqual(hunks[k].applied, { placed: false });
  assert.ok(hunks.every((h, i) => i === k || h.applied?.placed), 'the other hunks applied');
  assert.equal(model.analysis?.mode, 'fragment');
  assert.match(model.analysis?.treeNote ?? '', new RegExp(`hunk ${k + 1} \\(@@ [^)]*\\) does not apply to .*: fragment analysis for that hunk`));
  // The fragment still names its function (hunk header or definition), and whole-file
  // functions of the other hunks are complete.
  const s = await score(path, model, await truth(path, file));
  assert.equal(s.recall, 1, JSON.stringify(s));
  assert.ok(model.functions.filter((f) => f.complete).length >= s.truth - 2);
});
