/**
 * The diff part of a patch -> FileChange[], through jsdiff 9's parsePatch.
 * Before jsdiff sees the text we walk it once ourselves (`scan`): to cut the `-- ` signature
 * (outside hunks only: `-- ` can be a removed line), to blank `GIT binary patch` payloads, and
 * to keep what jsdiff drops: hunk-header sections, similarity, which file is binary.
 */
// The one module we use (an export of the package): its index loads all twenty of jsdiff's.
import { parsePatch } from 'diff/lib/patch/parse.js';
import type { StructuredPatch } from 'diff';
import type { DiffLine, FileChange, FileStatus, Hunk } from '../model.js';
import { binaryMarker, skipBinaryPayload } from './binary.js';
import type { BinaryKind } from './binary.js';
import { LIMITS, overLimit, type Limits } from '../ingest/limits.js';

export type DiffLimits = Pick<Limits, 'diffFiles' | 'diffHunks' | 'diffLines'>;

export interface ParsedDiff {
  files: FileChange[];
  /** jsdiff's structured patches, index-aligned with `files` (for applying to a tree). */
  structured: StructuredPatch[];
  /** Set when the diff does not parse: names the line of the body. */
  error?: string;
}

/** git writes at most 80 bytes of function context; more is not a hunk header we need to read. */
const MAX_SECTION = 200;

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$/;

interface HunkHead {
  oldStart: number;
  newStart: number;
  section: string;
}
interface GitBlock {
  similarity?: number;
  binary?: BinaryKind;
}
interface Scan {
  text: string;
  hunks: HunkHead[];
  gitBlocks: GitBlock[];
}

/** Parse `diff` (text starting at its first header); `firstLine` is its 1-based line in the body. */
export function parseDiff(diff: string, firstLine = 1, limits: DiffLimits = LIMITS): ParsedDiff {
  const lines = diff.split('\n');
  if (lines.length > limits.diffLines) throw overLimit('the diff has', lines.length, limits.diffLines, 'lines');
  const scan = scanDiff(lines);
  if (scan.hunks.length > limits.diffHunks) throw overLimit('the diff has', scan.hunks.length, limits.diffHunks, 'hunks');
  let structured: StructuredPatch[];
  try {
    structured = parsePatch(scan.text);
  } catch (e) {
    return { files: [], structured: [], error: jsdiffError((e as Error).message, scan.text.split('\n'), firstLine) };
  }
  // Map first (the k-th git entry is the k-th `diff --git` block), then drop nameless empties.
  const files = toFileChanges(structured, scan);
  const keep = structured.map((p) => p.oldFileName !== undefined || p.newFileName !== undefined || p.hunks.length > 0);
  const nfiles = keep.filter(Boolean).length;
  if (nfiles > limits.diffFiles) throw overLimit('the diff has', nfiles, limits.diffFiles, 'files');
  return { files: files.filter((_, i) => keep[i]), structured: structured.filter((_, i) => keep[i]) };
}

/**
 * jsdiff says "Hunk at line N ..." of its input: say which line of the body that is, and for
 * "contained invalid line X" the line X itself (the first damaged line, not the hunk header).
 */
function jsdiffError(message: string, lines: string[], firstLine: number): string {
  const m = /line (\d+)/.exec(message);
  if (!m) return `diff does not parse: ${message}`;
  const hunkAt = Number(m[1]) - 1;
  const bad = /contained invalid line (.*)$/.exec(message)?.[1];
  const badAt = bad === undefined ? -1 : lines.indexOf(bad, hunkAt + 1);
  const at = (badAt >= 0 ? badAt : hunkAt) + firstLine;
  const text = message.replace(/line \d+/, `line ${hunkAt + firstLine}`);
  return `diff does not parse at line ${at}: ${text}`;
}

function scanDiff(lines: string[]): Scan {
  const out = lines.slice();
  const hunks: HunkHead[] = [];
  const gitBlocks: GitBlock[] = [];
  let i = 0;
  while (i < lines.length) {
    const l = lines[i];
    const h = HUNK.exec(l);
    if (h) {
      hunks.push({ oldStart: Number(h[1]), newStart: Number(h[3]), section: h[5].trim().slice(0, MAX_SECTION) });
      i = skipHunkBody(lines, i + 1, count(h[2]), count(h[4]));
      continue;
    }
    if (isSignature(lines, i)) return { text: out.slice(0, i).join('\n'), hunks, gitBlocks };
    if (l.startsWith('diff --git ')) gitBlocks.push({});
    const block = gitBlocks[gitBlocks.length - 1];
    const sim = /^similarity index (\d+)%$/.exec(l);
    if (sim && block) block.similarity = Number(sim[1]);
    const bin = binaryMarker(l);
    if (bin && block) block.binary = bin;
    if (bin === 'git-binary-patch') {
      const end = skipBinaryPayload(lines, i);
      for (let j = i; j < end; j++) out[j] = ''; // keep line numbers for jsdiff's messages
      i = end;
      continue;
    }
    i++;
  }
  return { text: out.join('\n'), hunks, gitBlocks };
}

function count(n: string | undefined): number {
  return n === undefined ? 1 : Number(n);
}

/** Index past a hunk body of the given sizes; stops early on a line that cannot be in it. */
function skipHunkBody(lines: string[], from: number, oldN: number, newN: number): number {
  let i = from;
  while ((oldN > 0 || newN > 0) && i < lines.length) {
    const c = lines[i][0];
    if (c === ' ' || c === undefined) {
      oldN--;
      newN--;
    } else if (c === '-') oldN--;
    else if (c === '+') newN--;
    else if (c !== '\\') break;
    i++;
  }
  while (i < lines.length && lines[i].startsWith('\\')) i++;
  return i;
}

/** git format-patch's `-- \n2.39.5`; `--` alone when a mailer ate the space, if little follows. */
function isSignature(lines: string[], i: number): boolean {
  if (lines[i] === '-- ') return true;
  if (lines[i] !== '--') return false;
  return lines.slice(i + 1).filter((l) => l.trim()).length <= 2;
}

function toFileChanges(patches: StructuredPatch[], scan: Scan): FileChange[] {
  let hunkIndex = 0;
  let gitIndex = 0;
  return patches.map((p) => {
    const block = p.isGit ? scan.gitBlocks[gitIndex++] : undefined;
    const hunks = p.hunks.map((h) => {
      // The next header we saw with the same numbers (jsdiff adds 1 to an empty side's start).
      const oldStart = h.oldStart - (h.oldLines === 0 ? 1 : 0);
      const newStart = h.newStart - (h.newLines === 0 ? 1 : 0);
      let j = hunkIndex;
      while (j < scan.hunks.length && (scan.hunks[j].oldStart !== oldStart || scan.hunks[j].newStart !== newStart)) j++;
      if (j < scan.hunks.length) hunkIndex = j + 1;
      return toHunk(h, j < scan.hunks.length ? scan.hunks[j].section : '');
    });
    return toFileChange(p, block, hunks);
  });
}

function toFileChange(p: StructuredPatch, block: GitBlock | undefined, hunks: Hunk[]): FileChange {
  const [oldName, newName] = stripPrefixes(p.oldFileName, p.newFileName, !!p.isGit);
  const status = fileStatus(p, oldName, newName);
  const binary = !!p.isBinary || !!block?.binary;
  const path = (status === 'deleted' ? oldName : newName) ?? oldName ?? '';
  const fc: FileChange = { path, status, binary, hunks: binary ? [] : hunks };
  if ((status === 'renamed' || status === 'copied') && oldName) fc.oldPath = oldName;
  if (p.oldMode) fc.oldMode = p.oldMode;
  if (p.newMode) fc.newMode = p.newMode;
  if (block?.similarity !== undefined) fc.similarity = block.similarity;
  return fc;
}

function fileStatus(p: StructuredPatch, oldName?: string, newName?: string): FileStatus {
  if (p.isCreate || oldName === '/dev/null') return 'added';
  if (p.isDelete || newName === '/dev/null') return 'deleted';
  if (p.isRename) return 'renamed';
  if (p.isCopy) return 'copied';
  return 'modified';
}

/**
 * git: drop `a/` and `b/` (absent with --no-prefix). Plain `diff -u` of two trees
 * (`linux.orig/drivers/x.c`): drop the first component, as `patch -p1` would.
 */
function stripPrefixes(oldName: string | undefined, newName: string | undefined, git: boolean): [string?, string?] {
  if (git) {
    const prefixed = (oldName ?? 'a/').startsWith('a/') || oldName === '/dev/null';
    const bPrefixed = (newName ?? 'b/').startsWith('b/') || newName === '/dev/null';
    if (prefixed && bPrefixed) return [strip(oldName, 'a/'), strip(newName, 'b/')];
    return [oldName, newName];
  }
  return [dropFirst(oldName), dropFirst(newName)];
}

function strip(name: string | undefined, prefix: string): string | undefined {
  return name?.startsWith(prefix) ? name.slice(prefix.length) : name;
}

function dropFirst(name: string | undefined): string | undefined {
  if (!name || name === '/dev/null' || name.startsWith('/')) return name;
  const slash = name.indexOf('/');
  return slash > 0 ? name.slice(slash + 1) : name;
}

function toHunk(h: StructuredPatch['hunks'][number], section: string): Hunk {
  let oldLine = h.oldStart;
  let newLine = h.newStart;
  const lines: DiffLine[] = [];
  for (const raw of h.lines) {
    const kind = raw[0];
    if (kind === '\\') {
      if (lines.length) lines[lines.length - 1].noNewlineAtEnd = true;
      continue;
    }
    const text = raw.slice(1);
    if (kind === '+') lines.push({ kind: '+', text, newLine: newLine++ });
    else if (kind === '-') lines.push({ kind: '-', text, oldLine: oldLine++ });
    else lines.push({ kind: ' ', text, oldLine: oldLine++, newLine: newLine++ });
  }
  // jsdiff adds 1 to the start of an empty side (`@@ -0,0 +1,22 @@` -> 1); keep git's numbers.
  const oldStart = h.oldLines === 0 ? h.oldStart - 1 : h.oldStart;
  const newStart = h.newLines === 0 ? h.newStart - 1 : h.newStart;
  return { oldStart, oldLines: h.oldLines, newStart, newLines: h.newLines, section, lines };
}
