/**
 * Trees shifted between hunks (issue 11, must-have 5): the 6.1 -> 6.12 diff of a file, applied
 * with --tree to a copy of the 6.1 file with comment lines inserted between its hunks (a
 * different number in each gap, so every hunk lands at its own offset). The truth is read
 * without our mapper: the function of 6.12 around each '+' line, of 6.1 around each '-' line.
 * Shared by test/patch/tree-shift.test.ts and bench/tree-shift.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseFunctions } from '../../src/patch/cparse.js';
import { parseDiff } from '../../src/patch/diff.js';
import type { FileChange, PatchModel } from '../../src/model.js';
import { KERNELS } from '../support/kernels.js';

/** `git diff` of one file from linux-6.1 to linux-6.12, with a/ b/ paths. */
export function kernelDiff(path: string): string {
  let out: string;
  try {
    out = execFileSync('git', ['diff', '--no-index', `linux-6.1/${path}`, `linux-6.12/${path}`], { cwd: KERNELS, encoding: 'utf8', maxBuffer: 64 << 20 });
  } catch (e) {
    out = (e as { stdout: string }).stdout; // exit 1: the files differ
  }
  return out.replaceAll('a/linux-6.1/', 'a/').replaceAll('b/linux-6.12/', 'b/');
}

/** Functions holding the changed lines, by the trees themselves: `name` -> changed line count. */
export async function truth(path: string, file: FileChange): Promise<Map<string, number>> {
  const post = await parseFunctions(readFileSync(join(KERNELS, 'linux-6.12', path), 'utf8'));
  const pre = await parseFunctions(readFileSync(join(KERNELS, 'linux-6.1', path), 'utf8'));
  const names = new Map<string, number>();
  for (const h of file.hunks) {
    for (const l of h.lines) {
      const fns = l.kind === '+' ? post : l.kind === '-' ? pre : [];
      const at = l.kind === '+' ? l.newLine! : l.oldLine!;
      const fn = fns.find((f) => f.startLine <= at && at <= f.endLine);
      if (fn) names.set(fn.name, (names.get(fn.name) ?? 0) + 1);
    }
  }
  return names;
}

/** Lines inserted in gap k (between hunk k and k+1): 1, 3, 5, 7, 1, ... */
export const gapLines = (k: number) => (k % 4) * 2 + 1;

/**
 * Write the 6.1 file under `root` with `//` comment lines in the middle of every gap between
 * hunks (and none before the first hunk); `//` so that one inside a block comment stays one. Returns the offset each hunk should land at.
 */
export function writeShifted(root: string, path: string, diff: string): number[] {
  const file = parseDiff(diff).files[0];
  const lines = readFileSync(join(KERNELS, 'linux-6.1', path), 'utf8').split('\n');
  const offsets = [0];
  const inserts: { at: number; n: number }[] = [];
  file.hunks.forEach((h, k) => {
    const next = file.hunks[k + 1];
    if (!next) return;
    const end = h.oldStart + h.oldLines; // first line after hunk k (1-based)
    let at = Math.floor((end + next.oldStart) / 2); // inside the gap, clear of both contexts
    // Not inside a macro's `\` continuation lines: a line there would change the code.
    while (at > end && /\\\s*$/.test(lines[at - 2] ?? '')) at--;
    inserts.push({ at, n: gapLines(k) });
    offsets.push(offsets[k] + gapLines(k));
  });
  for (const { at, n } of [...inserts].reverse()) lines.splice(at - 1, 0, ...Array(n).fill('// a line the patch did not know'));
  const out = join(root, path);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, lines.join('\n'));
  return offsets;
}

export interface Score {
  truth: number;
  found: number;
  right: number;
  recall: number;
  precision: number;
  /** Changed lines whose function the model names as the truth does, of all with a truth. */
  linesRight: number;
  lines: number;
}

/** Function names of the model against the truth, and each '+' line's function. */
export async function score(path: string, model: PatchModel, want: Map<string, number>): Promise<Score> {
  const found = new Set(model.functions.filter((f) => f.file === path).map((f) => f.name));
  const right = [...found].filter((n) => want.has(n)).length;
  const file = model.files.find((f) => f.path === path)!;
  const post = await parseFunctions(readFileSync(join(KERNELS, 'linux-6.12', path), 'utf8'));
  let lines = 0;
  let linesRight = 0;
  for (const l of file.hunks.flatMap((h) => h.lines.filter((x) => x.kind === '+'))) {
    const fn = post.find((f) => f.startLine <= l.newLine! && l.newLine! <= f.endLine);
    if (!fn) continue;
    lines++;
    const ours = model.functions.find((f) => f.file === path && f.addedLines.includes(l.newLine!));
    if (ours?.name === fn.name) linesRight++;
  }
  return {
    truth: want.size,
    found: found.size,
    right,
    recall: want.size ? right / want.size : 1,
    precision: found.size ? right / found.size : 1,
    linesRight,
    lines,
  };
}

/** The C files of drivers/vfio/pci and the PCI core that changed from 6.1 to 6.12. */
export const SHIFT_FILES = [
  'drivers/vfio/pci/vfio_pci_core.c',
  'drivers/vfio/pci/vfio_pci_intrs.c',
  'drivers/vfio/pci/vfio_pci_rdwr.c',
  'drivers/vfio/pci/vfio_pci_config.c',
  'drivers/vfio/pci/vfio_pci.c',
  'drivers/vfio/pci/vfio_pci_priv.h',
  'drivers/pci/pci.c',
  'drivers/pci/pci.h',
];
