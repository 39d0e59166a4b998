/**
 * --tree: apply a file's patch to the tree's pre-image in memory (jsdiff applyPatch, a little
 * fuzz) and turn the whole pre- and post-files into two Sides, their lines translated to the
 * patch's numbering (the hunks may land a few lines off when the tree is not the exact base).
 */
import { applyPatch } from 'diff';
import type { StructuredPatch } from 'diff';
import type { FileChange, Hunk } from '../model.js';
import type { SourceTree } from '../ingest/tree.js';
import { analyzeC } from './cparse.js';
import type { CParseOptions } from './cparse.js';
import { remap } from './sides.js';
import type { Side } from './sides.js';

/** Mismatched context lines tolerated per hunk: enough for a neighbour's one-line change. */
const FUZZ = 2;

/** Post-images of files that earlier parts of the same series changed, by path. */
export type Overlay = Map<string, string | null>;

export type TreeResult = { ok: true; sides: Side[]; post: string } | { ok: false; note: string };

export async function treeSides(
  tree: SourceTree,
  file: FileChange,
  patch: StructuredPatch,
  overlay?: Overlay,
  c: CParseOptions = {},
): Promise<TreeResult> {
  const oldPath = file.oldPath ?? file.path;
  const pre = file.status === 'added' ? '' : await readPre(tree, oldPath, overlay);
  if (pre === undefined) return { ok: false, note: `${oldPath}: not in ${tree.describe()}` };
  const post = applyPatch(pre, patch, { fuzzFactor: FUZZ }); // a deletion must apply too: '' then
  if (post === false) return { ok: false, note: failedHunk(tree, file, pre, patch) };
  const sides: Side[] = [];
  if (file.status !== 'deleted') sides.push(await wholeSide(file.path, post, file.hunks, true, c));
  if (file.status !== 'added') sides.push(await wholeSide(file.path, pre, file.hunks, false, c));
  return { ok: true, sides, post };
}

async function readPre(tree: SourceTree, path: string, overlay?: Overlay): Promise<string | undefined> {
  if (overlay?.has(path)) return overlay.get(path) ?? undefined;
  return tree.read(path);
}

/** "drivers/x.c: hunk 2 (@@ -10,6 +10,7 @@) does not apply to /src/linux (git 1a2b3c)" */
function failedHunk(tree: SourceTree, file: FileChange, pre: string, patch: StructuredPatch): string {
  let k = 0;
  while (k < patch.hunks.length && applyPatch(pre, { ...patch, hunks: patch.hunks.slice(0, k + 1) }, { fuzzFactor: FUZZ }) !== false) k++;
  const h = file.hunks[Math.min(k, file.hunks.length - 1)];
  const head = h ? ` (@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@)` : '';
  return `${file.path}: hunk ${k + 1}${head} does not apply to ${tree.describe()}`;
}

async function wholeSide(file: string, text: string, hunks: Hunk[], post: boolean, c: CParseOptions): Promise<Side> {
  const lines = text.split('\n');
  const toPatch = lineMapper(lines, hunks, post);
  const facts = remap(await analyzeC(text, c), toPatch);
  const byLine = new Map<number, string>();
  lines.forEach((l, i) => {
    const p = toPatch(i + 1);
    if (p !== undefined && !byLine.has(p)) byLine.set(p, l);
  });
  const changed = new Set(
    hunks.flatMap((h) => h.lines.filter((l) => l.kind === (post ? '+' : '-')).map((l) => (post ? l.newLine : l.oldLine) as number)),
  );
  return { file, post, facts, changed, text: byLine, whole: true };
}

/**
 * Tree line -> patch line. Each hunk is found where it landed (its lines of this side matched
 * exactly, nearest the header's position); a tree line takes the offset of the last hunk at
 * or above it.
 */
function lineMapper(lines: string[], hunks: Hunk[], post: boolean): (line: number) => number | undefined {
  const offsets = hunks
    .map((h) => {
      const seen = h.lines.filter((l) => l.kind === ' ' || l.kind === (post ? '+' : '-'));
      const start = (post ? seen[0]?.newLine : seen[0]?.oldLine) ?? 0;
      return { start, delta: seen.length ? landed(lines, seen.map((l) => l.text), start) : 0 };
    })
    .sort((a, b) => a.start - b.start);
  return (line) => {
    let delta = offsets[0]?.delta ?? 0;
    for (const o of offsets) if (o.start + o.delta <= line) delta = o.delta;
    const p = line - delta;
    return p >= 1 ? p : undefined;
  };
}

/** Offset from `start` (1-based) where `want` matches `lines` exactly; 0 when nowhere near. */
function landed(lines: string[], want: string[], start: number): number {
  const matches = (at: number) => at >= 0 && want.every((w, i) => lines[at + i] === w);
  for (let d = 0; d < 3000; d++) {
    if (matches(start - 1 + d)) return d;
    if (d && matches(start - 1 - d)) return -d;
  }
  return 0;
}
