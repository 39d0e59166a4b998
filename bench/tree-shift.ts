/**
 * --tree on trees shifted between hunks (issue 11, must-have 5): function recall and precision,
 * and changed lines attributed to the right function, on the 6.1 -> 6.12 diffs of the vfio/pci
 * and PCI core C files, against the exact 6.1 base and against a 6.1 copy with comment lines
 * inserted between hunks (test/patch/shift.ts).
 *   node --import tsx bench/tree-shift.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPatch } from '../src/patch/index.js';
import { openTree } from '../src/ingest/tree.js';
import { parseDiff } from '../src/patch/diff.js';
import { messageFromDiff } from '../test/patch/helpers.js';
import { KERNELS } from '../test/support/kernels.js';
import { kernelDiff, score, SHIFT_FILES, truth, writeShifted, type Score } from '../test/patch/shift.js';

const root = mkdtempSync(join(tmpdir(), 'vr-shift-'));
const base = await openTree(join(KERNELS, 'linux-6.1'));
const totals = { exact: [] as Score[], shifted: [] as Score[] };
try {
  for (const path of SHIFT_FILES) {
    const diff = kernelDiff(path);
    const want = await truth(path, parseDiff(diff).files[0]);
    writeShifted(root, path, diff);
    for (const [kind, tree] of [['exact', base], ['shifted', await openTree(root)]] as const) {
      const model = await buildPatch(messageFromDiff(diff, path), { tree });
      const s = await score(path, model, want);
      totals[kind].push(s);
      const note = model.analysis?.treeNote ? ` (${model.analysis.treeNote.slice(0, 80)})` : '';
      console.log(`${kind.padEnd(7)} ${path}: functions ${s.right}/${s.truth} found of ${s.found}; lines ${s.linesRight}/${s.lines}${note}`);
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
for (const [kind, list] of Object.entries(totals)) {
  const sum = (k: keyof Score) => list.reduce((a, s) => a + s[k], 0);
  const recall = sum('right') / sum('truth');
  const precision = sum('right') / sum('found');
  console.log(`${kind}: function recall ${recall.toFixed(3)}, precision ${precision.toFixed(3)}, changed lines right ${sum('linesRight')}/${sum('lines')}`);
}
