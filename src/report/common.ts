/**
 * Helpers every format shares: severity words and counts, ordering of findings, the target
 * kernel sentence, and where a finding's line sits in the parsed hunks.
 */
import type { DiffLine, FileChange, Finding, Hunk, PatchModel, ReviewResult, Severity } from '../model.js';
import { SEVERITIES } from '../model.js';
import type { KnowledgeBase } from '../kb/types.js';

/** checkpatch's level words. */
export const LEVEL: Record<Severity, string> = { error: 'ERROR', warning: 'WARNING', check: 'CHECK' };

export type Counts = Record<Severity, number>;

export function countFindings(findings: readonly Finding[]): Counts {
  const counts: Counts = { error: 0, warning: 0, check: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "1 error, 2 warnings" (only non-zero levels; "no findings" when empty). */
export function countsPhrase(counts: Counts): string {
  const parts = SEVERITIES.filter((s) => counts[s] > 0).map((s) => plural(counts[s], s));
  return parts.length ? parts.join(', ') : 'no findings';
}

/**
 * Most severe first, then by file and line: the same order in every format. Ties keep the
 * engine's order (a root cause before its consequences), since Array.prototype.sort is stable.
 */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || comparePosition(a, b),
  );
}

/** Findings in line order (for notes interleaved with quoted code); ties keep the engine's order. */
export function byPosition(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(comparePosition);
}

function comparePosition(a: Finding, b: Finding): number {
  return (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line;
}

/** The kernel line whose restore steps tables show: the review's target, else the newest. */
export function targetLineId(result: ReviewResult, kb: KnowledgeBase): string {
  return result.target?.line ?? kb.newestLine().id;
}

/** "6.19+ (default: newest known)" - what every report says it assumed. */
export function targetSentence(result: ReviewResult, kb: KnowledgeBase): string {
  return result.target?.description ?? `${kb.newestLine().id} (default: the newest line the knowledge base knows)`;
}

/** Union of the findings' step ids, in first-seen order. */
export function stepsOf(findings: readonly Finding[]): string[] {
  return [...new Set(findings.flatMap((f) => f.steps))];
}

/** Patches that carry code (cover letters and replies are not reported on). */
export function reviewedPatches(result: ReviewResult): PatchModel[] {
  return result.patches.filter((p) => p.kind === 'patch');
}

export interface LineAt {
  file: FileChange;
  hunk: Hunk;
  /** Index of the line in `hunk.lines`. */
  index: number;
  line: DiffLine;
}

/**
 * The diff line showing post-image line `line` of `path` (an added or context line), or
 * undefined when no parsed hunk shows it: exactly the lines GitHub accepts with side RIGHT.
 */
export function findNewLine(patch: PatchModel, path: string, line: number): LineAt | undefined {
  for (const file of patch.files) {
    if (file.path !== path || file.binary) continue;
    for (const hunk of file.hunks) {
      const index = hunk.lines.findIndex((l) => l.kind !== '-' && l.newLine === line);
      if (index >= 0) return { file, hunk, index, line: hunk.lines[index] };
    }
  }
  return undefined;
}

/** Whether a finding can be shown against a line of the diff (and not just near it). */
export function inDiff(patch: PatchModel, f: Finding): boolean {
  return !f.outsideDiff && findNewLine(patch, f.file, f.line) !== undefined;
}

/** The `diff --git` header lines git prints for a file (mode/rename lines included). */
export function fileHeader(file: FileChange): string[] {
  const oldPath = file.oldPath ?? file.path;
  const head = [`diff --git a/${oldPath} b/${file.path}`];
  if (file.status === 'added') head.push(`new file mode ${file.newMode ?? '100644'}`);
  if (file.status === 'deleted') head.push(`deleted file mode ${file.oldMode ?? '100644'}`);
  if (file.status === 'renamed' || file.status === 'copied') {
    const verb = file.status === 'renamed' ? 'rename' : 'copy';
    if (file.similarity !== undefined) head.push(`similarity index ${file.similarity}%`);
    head.push(`${verb} from ${oldPath}`, `${verb} to ${file.path}`);
  }
  return head;
}

export function hunkHeader(h: Hunk): string {
  const range = (start: number, n: number) => (n === 1 ? `${start}` : `${start},${n}`);
  return `@@ -${range(h.oldStart, h.oldLines)} +${range(h.newStart, h.newLines)} @@${h.section ? ' ' + h.section : ''}`;
}

/** A diff line as it appears in the patch: marker + text. */
export function diffText(l: DiffLine): string {
  return l.kind + l.text;
}

/**
 * Lines of the patch's diff as git would print it (file headers, `---`/`+++`, hunk headers,
 * lines), each with the file/line it shows. Used for checkpatch's `#N` position and its
 * "lines checked" count: positions count from the first `diff --git` line.
 */
export function diffListing(patch: PatchModel): { text: string; path?: string; newLine?: number }[] {
  const out: { text: string; path?: string; newLine?: number }[] = [];
  for (const file of patch.files) {
    for (const h of fileHeader(file)) out.push({ text: h });
    if (file.binary) continue;
    out.push({ text: file.status === 'added' ? '--- /dev/null' : `--- a/${file.oldPath ?? file.path}` });
    out.push({ text: file.status === 'deleted' ? '+++ /dev/null' : `+++ b/${file.path}` });
    for (const hunk of file.hunks) {
      out.push({ text: hunkHeader(hunk) });
      for (const l of hunk.lines) out.push({ text: diffText(l), path: file.path, newLine: l.kind === '-' ? undefined : l.newLine });
    }
  }
  return out;
}

/** A lore.kernel.org link to a message (public-inbox wants '/' escaped; '@' as %40 like the robots). */
export function loreLink(messageId: string): string {
  return `https://lore.kernel.org/r/${encodeURIComponent(messageId)}`;
}
