/**
 * "Is this line in the diff?" decided once (reviewdog's way): one index over the hunks jsdiff
 * parsed (src/patch/diff.ts), which the analysis, the reports (quotes, `#N`, GitHub anchors)
 * and the posting stage all ask. GitHub accepts a review comment on exactly the lines this
 * index holds: side RIGHT = added and context lines, side LEFT = removed and context lines.
 *
 * It also numbers lines the way checkpatch does: `#N` is the line of the patch file, and
 * "N lines checked" counts hunk lines as checkpatch's $cnt_lines does.
 */
import type { DiffLine, FileChange, Hunk, Message } from '../model.js';
import { parseDiff } from './diff.js';

export type Side = 'RIGHT' | 'LEFT';

/** Where one line of a file shows in the diff. */
export interface DiffPosition {
  file: FileChange;
  hunk: Hunk;
  /** Index of the line in `hunk.lines`. */
  index: number;
  line: DiffLine;
}

interface FileLines {
  right: Map<number, DiffPosition>;
  left: Map<number, DiffPosition>;
}

export class HunkIndex {
  private readonly byPath = new Map<string, FileLines>();

  constructor(readonly files: readonly FileChange[]) {
    for (const file of files) {
      if (file.binary) continue;
      const entry = this.byPath.get(file.path) ?? { right: new Map(), left: new Map() };
      this.byPath.set(file.path, entry);
      for (const hunk of file.hunks) {
        hunk.lines.forEach((line, index) => {
          const pos = { file, hunk, index, line };
          if (line.kind !== '-' && line.newLine !== undefined && !entry.right.has(line.newLine)) entry.right.set(line.newLine, pos);
          if (line.kind !== '+' && line.oldLine !== undefined && !entry.left.has(line.oldLine)) entry.left.set(line.oldLine, pos);
        });
      }
    }
  }

  /** The diff line showing line `line` of `path` on `side` (post-image for RIGHT). */
  at(path: string, line: number, side: Side = 'RIGHT'): DiffPosition | undefined {
    const f = this.byPath.get(path);
    if (!f || !Number.isInteger(line) || line < 1) return undefined;
    return (side === 'LEFT' ? f.left : f.right).get(line);
  }

  /** Whether a review comment on (path, line, side) is part of the diff. */
  has(path: string, line: number, side: Side = 'RIGHT'): boolean {
    return this.at(path, line, side) !== undefined;
  }

  /** Post-image lines of `path` that the diff shows (added and context). */
  rightLines(path: string): Set<number> {
    return new Set(this.byPath.get(path)?.right.keys() ?? []);
  }

  /**
   * checkpatch's `#N` for a position: the line in the patch file, when the patch stage
   * recorded where each hunk header is (Hunk.patchLine); else counted from the first file
   * header of the diff, as the diff would print.
   */
  patchLine(pos: DiffPosition): number {
    const start = pos.hunk.patchLine ?? this.diffOnlyHeaderLine(pos.hunk);
    let n = start + 1 + pos.index;
    // A "\ No newline at end of file" line inside the hunk takes a line of the file too.
    for (let i = 0; i < pos.index; i++) if (pos.hunk.lines[i].noNewlineAtEnd) n++;
    return n;
  }

  /** checkpatch's "N lines checked": every hunk line up to the hunk's last added or context line. */
  linesChecked(): number {
    let n = 0;
    for (const file of this.files) for (const hunk of file.hunks) n += checkedLines(hunk);
    return n;
  }

  private diffOnlyHeaderLine(target: Hunk): number {
    let n = 0;
    for (const file of this.files) {
      n += fileHeaderLength(file);
      if (file.binary) continue;
      n += 2; // --- and +++
      for (const hunk of file.hunks) {
        n++;
        if (hunk === target) return n;
        n += hunk.lines.length + hunk.lines.filter((l) => l.noNewlineAtEnd).length;
      }
    }
    return n;
  }
}

/**
 * checkpatch sets $realcnt to the new side's count + 1 at `@@` and counts a line while it is not
 * 0; ' ' and '+' lines use it up, so '-' lines after the last of them end the count.
 */
function checkedLines(hunk: Hunk): number {
  let last = -1;
  hunk.lines.forEach((l, i) => {
    if (l.kind !== '-') last = i;
  });
  let n = last + 1;
  for (let i = 0; i < last; i++) if (hunk.lines[i].noNewlineAtEnd) n++;
  return n;
}

/** Lines of git's header block before `---` (diff --git, mode, similarity, rename). */
function fileHeaderLength(file: FileChange): number {
  let n = 1;
  if (file.status === 'added' || file.status === 'deleted') n++;
  if (file.status === 'renamed' || file.status === 'copied') n += file.similarity !== undefined ? 3 : 2;
  return n + 1; // the index line
}

const indexes = new WeakMap<readonly FileChange[], HunkIndex>();

/** The index of a patch's hunks, built once per files array. */
export function hunkIndex(patch: { files: readonly FileChange[] }): HunkIndex {
  let idx = indexes.get(patch.files);
  if (!idx) indexes.set(patch.files, (idx = new HunkIndex(patch.files)));
  return idx;
}

/** The index of a unified diff as text (a pull request's diff), through the same jsdiff parse. */
export function indexDiff(diff: string): HunkIndex {
  return new HunkIndex(parseDiff(diff.replace(/\r\n/g, '\n')).files);
}

const HUNK_HEAD = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

/**
 * Record on each hunk the line of its `@@` header in the patch file (Hunk.patchLine): `diff` is
 * the diff text as the patch stage split it, `firstLine` the patch-file line of its first line.
 */
export function numberHunks(files: readonly FileChange[], diff: string, firstLine: number): void {
  const lines = diff.split('\n');
  let at = 0;
  for (const file of files) {
    for (const hunk of file.hunks) {
      while (at < lines.length && !sameHunk(lines[at], hunk)) at++;
      if (at >= lines.length) return;
      hunk.patchLine = firstLine + at;
      at++;
    }
  }
}

function sameHunk(text: string, hunk: Hunk): boolean {
  const m = HUNK_HEAD.exec(text);
  return !!m && Number(m[1]) === hunk.oldStart && Number(m[2]) === hunk.newStart;
}

/**
 * The patch-file line where a message's diff starts. `git format-patch` files and mbox members
 * begin with a "From <sha>" line the raw message does not keep, so it is counted back in; a diff
 * found in the raw text is numbered from there, else from the decoded body (an encoded body).
 */
export function diffFirstLine(msg: Message, diff: string, bodyLine: number): number {
  const first = diff.split('\n', 1)[0];
  const raw = msg.raw?.toString('utf8').replace(/\r\n/g, '\n');
  const fromLine = (msg.postmarked ?? /#\d+$|\.(patch|mbox)$/.test(msg.source)) ? 1 : 0;
  if (raw && first) {
    const i = raw.split('\n').indexOf(first);
    if (i >= 0) return i + 1 + fromLine;
  }
  return bodyLine;
}
