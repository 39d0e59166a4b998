/**
 * --tree: apply a file's patch to the tree's pre-image in memory, hunk by hunk, the way GNU
 * patch does (each hunk searched for nearest to where the previous one landed, then with 1 and
 * 2 lines of its outer context ignored: fuzz), and turn the whole pre- and post-files into two
 * Sides whose lines are in the patch's numbering.
 *
 * Every hunk keeps where it applied (`Hunk.applied`: its own offset and fuzz), so each changed
 * line is mapped exactly, through its own hunk, to the line that holds it in the post-image:
 * when the tree is not the patch's base, hunks of one file land at different offsets, and the
 * function that holds a line is the one around it in the tree. A hunk that cannot be placed is
 * left out of the image and analysed as a fragment on its own (`unplaced`).
 */
import type { FileChange, Hunk } from '../model.js';
import type { SourceTree } from '../ingest/tree.js';
import { analyzeC } from './cparse.js';
import type { CParseOptions } from './cparse.js';
import { remap } from './sides.js';
import type { Side } from './sides.js';

/** Outer context lines a hunk may ignore (GNU patch's default fuzz factor). */
const MAX_FUZZ = 2;

/** Post-images of files that earlier parts of the same series changed, by path. */
export type Overlay = Map<string, string | null>;

export type TreeResult =
  | { ok: true; sides: Side[]; post: string; notes: string[]; unplaced: Hunk[] }
  | { ok: false; note: string };

/** Where one hunk applied: 0-based first line of its old side in the pre-image, and fuzz. */
interface Placement {
  hunk: Hunk;
  at: number;
  fuzz: number;
}

export async function treeSides(tree: SourceTree, file: FileChange, overlay?: Overlay, c: CParseOptions = {}): Promise<TreeResult> {
  const oldPath = file.oldPath ?? file.path;
  const pre = file.status === 'added' ? '' : await readPre(tree, oldPath, overlay);
  if (pre === undefined) return { ok: false, note: `${oldPath}: not in ${tree.describe()}` };
  const preLines = pre === '' ? [] : pre.split('\n');
  const placed = placeHunks(preLines, file.hunks);
  const unplaced = file.hunks.filter((h, i) => !placed[i]);
  file.hunks.forEach((h, i) => {
    const p = placed[i];
    h.applied = p ? { placed: true, offset: p.at + 1 - firstOld(h), fuzz: p.fuzz } : { placed: false };
  });
  const placements = placed.filter((p): p is Placement => !!p);
  if (placements.length === 0) return { ok: false, note: failedNote(tree, file, unplaced[0]) };
  const { lines: postLines, postAt } = applyPlaced(preLines, placements);
  const post = postLines.join('\n');
  const sides: Side[] = [];
  if (file.status !== 'deleted') sides.push(await wholeSide(file.path, post, spans(placements, postAt, true), true, c));
  if (file.status !== 'added') sides.push(await wholeSide(file.path, pre, spans(placements, placements.map((p) => p.at), false), false, c));
  const notes = [
    ...placements.filter((p) => p.fuzz > 0).map((p) => `${file.path}: ${hunkName(file, p.hunk)} applied with fuzz ${p.fuzz}`),
    ...unplaced.map((h) => `${failedNote(tree, file, h)}: fragment analysis for that hunk`),
  ];
  return { ok: true, sides, post, notes, unplaced };
}

async function readPre(tree: SourceTree, path: string, overlay?: Overlay): Promise<string | undefined> {
  if (overlay?.has(path)) return overlay.get(path) ?? undefined;
  return tree.read(path);
}

/** "hunk 2 (@@ -10,6 +10,7 @@)" */
function hunkName(file: FileChange, h: Hunk): string {
  return `hunk ${file.hunks.indexOf(h) + 1} (@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@)`;
}

/** "drivers/x.c: hunk 2 (@@ -10,6 +10,7 @@) does not apply to /src/linux (git 1a2b3c)" */
function failedNote(tree: SourceTree, file: FileChange, h: Hunk | undefined): string {
  return `${file.path}: ${h ? hunkName(file, h) : 'the patch'} does not apply to ${tree.describe()}`;
}

/** 1-based line where a hunk's old side starts (git writes 10,0 for an insertion after line 10). */
function firstOld(h: Hunk): number {
  return h.oldLines === 0 ? h.oldStart + 1 : h.oldStart;
}

function oldSide(h: Hunk): string[] {
  return h.lines.filter((l) => l.kind !== '+').map((l) => l.text);
}

/**
 * Place each hunk in order, none before the end of the one placed before it. A hunk is looked
 * for at its header's line moved by the last placed hunk's offset, then outwards; first with
 * all its lines, then ignoring 1, then 2 outer context lines at each end.
 */
export function placeHunks(pre: string[], hunks: Hunk[], maxFuzz = MAX_FUZZ): (Placement | undefined)[] {
  const out: (Placement | undefined)[] = [];
  let offset = 0;
  let floor = 0; // first pre line the next hunk may use
  for (const hunk of hunks) {
    const want = oldSide(hunk);
    const expected = firstOld(hunk) - 1 + offset;
    let placed: Placement | undefined;
    for (let fuzz = 0; fuzz <= maxFuzz && !placed; fuzz++) {
      const at = search(pre, want, contextCut(hunk, fuzz), expected, floor);
      if (at !== undefined) placed = { hunk, at, fuzz };
    }
    if (placed) {
      offset = placed.at - (firstOld(hunk) - 1);
      floor = placed.at + want.length;
    }
    out.push(placed);
  }
  return out;
}

/** How many leading and trailing lines to ignore at a fuzz: context lines only, as GNU patch. */
function contextCut(hunk: Hunk, fuzz: number): { lead: number; tail: number } {
  const lines = hunk.lines.filter((l) => l.kind !== '+');
  let lead = 0;
  while (lead < fuzz && lines[lead]?.kind === ' ') lead++;
  let tail = 0;
  while (tail < fuzz && lines[lines.length - 1 - tail]?.kind === ' ' && lines.length - 1 - tail >= lead) tail++;
  return { lead, tail };
}

/** Start (0-based) nearest `expected` where `want` matches `pre`, ignoring the cut lines. */
function search(pre: string[], want: string[], cut: { lead: number; tail: number }, expected: number, floor: number): number | undefined {
  const last = pre.length - want.length; // the whole span must lie in the file
  const matches = (at: number) => {
    for (let i = cut.lead; i < want.length - cut.tail; i++) if (pre[at + i] !== want[i]) return false;
    return true;
  };
  if (last < floor) return undefined;
  const start = Math.min(Math.max(expected, floor), last);
  for (let d = 0; start - d >= floor || start + d <= last; d++) {
    if (start + d <= last && matches(start + d)) return start + d;
    if (d > 0 && start - d >= floor && matches(start - d)) return start - d;
  }
  return undefined;
}

/** The post-image: placed hunks applied (context kept as the tree has it), and where each landed. */
function applyPlaced(pre: string[], placements: Placement[]): { lines: string[]; postAt: number[] } {
  const lines: string[] = [];
  const postAt: number[] = [];
  let i = 0;
  for (const p of placements) {
    while (i < p.at) lines.push(pre[i++]);
    postAt.push(lines.length);
    for (const l of p.hunk.lines) {
      if (l.kind === '+') lines.push(l.text);
      else if (l.kind === ' ') lines.push(pre[i++]);
      else i++;
    }
  }
  while (i < pre.length) lines.push(pre[i++]);
  return { lines, postAt };
}

/** One placed hunk on one side: its tree lines (1-based) and the patch line each one is. */
interface Span {
  from: number;
  to: number;
  /** Patch line of tree line `from + k`. */
  patchLines: number[];
  changed: number[];
}

/** The spans of one side, in tree order; a hunk with no line on this side has none. */
function spans(placements: Placement[], starts: number[], post: boolean): Span[] {
  return placements.flatMap((p, k) => {
    const seen = p.hunk.lines.filter((l) => l.kind === ' ' || l.kind === (post ? '+' : '-'));
    if (seen.length === 0) return [];
    const patchLines = seen.map((l) => (post ? l.newLine : l.oldLine) as number);
    const changed = seen.filter((l) => l.kind !== ' ').map((l) => (post ? l.newLine : l.oldLine) as number);
    return [{ from: starts[k] + 1, to: starts[k] + seen.length, patchLines, changed }];
  });
}

async function wholeSide(file: string, text: string, hunkSpans: Span[], post: boolean, c: CParseOptions): Promise<Side> {
  const lines = text.split('\n');
  const toPatch = lineMapper(hunkSpans);
  const facts = remap(await analyzeC(text, c), toPatch);
  const byLine = new Map<number, string>();
  lines.forEach((l, i) => {
    const p = toPatch(i + 1);
    if (p !== undefined && !byLine.has(p)) byLine.set(p, l);
  });
  const changed = new Set(hunkSpans.flatMap((s) => s.changed));
  return { file, post, facts, changed, text: byLine, whole: true };
}

/**
 * Tree line -> patch line. Inside a placed hunk, exact, through that hunk. Between two hunks,
 * the offset of the hunk above (below, before the first), kept strictly between the two hunks'
 * patch lines: the map never decreases, so a function of the tree holds a changed line exactly
 * when its mapped range does, whatever the tree inserted between the hunks.
 */
export function lineMapper(hunkSpans: Span[]): (line: number) => number | undefined {
  return (line) => {
    // First span that ends at or after the line (binary search: whole files, many hunks).
    let lo = 0;
    let hi = hunkSpans.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (hunkSpans[mid].to < line) lo = mid + 1;
      else hi = mid;
    }
    const k = lo;
    const next = hunkSpans[k];
    if (next && line >= next.from) return next.patchLines[line - next.from];
    const prev = hunkSpans[k - 1];
    const low = prev ? prev.patchLines[prev.patchLines.length - 1] + 1 : 1;
    const high = next ? next.patchLines[0] - 1 : Infinity;
    const guess = prev ? prev.patchLines[prev.patchLines.length - 1] + (line - prev.to) : next ? next.patchLines[0] - (next.from - line) : line;
    return Math.max(low, Math.min(guess, Math.max(high, low)));
  };
}
