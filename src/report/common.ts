/**
 * Helpers every format shares: severity words and counts, ordering of findings, the target
 * kernel sentence, and where a finding's line sits in the parsed hunks.
 */
import type { DiffLine, FileChange, Finding, Hunk, PatchModel, ReviewResult, Severity } from '../model.js';
import { hunkIndex, type DiffPosition } from '../patch/lines.js';
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

/**
 * The diff line showing post-image line `line` of `path` (an added or context line), or
 * undefined when no parsed hunk shows it: exactly the lines GitHub accepts with side RIGHT.
 * One index decides it everywhere (src/patch/lines.ts).
 */
export function findNewLine(patch: { files: readonly FileChange[] }, path: string, line: number): DiffPosition | undefined {
  return hunkIndex(patch).at(path, line, 'RIGHT');
}

/** Whether a finding can be shown against a line of the diff (and not just near it). */
export function inDiff(patch: PatchModel, f: Finding): boolean {
  return !f.outsideDiff && findNewLine(patch, f.file, f.line) !== undefined;
}

/** checkpatch's `#N` of a finding (its line in the patch file), or undefined outside the diff. */
export function patchLineOf(patch: PatchModel, f: Finding): number | undefined {
  const at = f.outsideDiff ? undefined : findNewLine(patch, f.file, f.line);
  return at ? hunkIndex(patch).patchLine(at) : undefined;
}

/** checkpatch's "N lines checked" for a patch. */
export function linesChecked(patch: PatchModel): number {
  return hunkIndex(patch).linesChecked();
}

/** `total: 1 errors, 2 warnings, 0 checks, 29 lines checked`, checkpatch's words (and plurals). */
export function totalLine(counts: Counts, lines: number): string {
  return `total: ${counts.error} errors, ${counts.warning} warnings, ${counts.check} checks, ${lines} lines checked`;
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
 * The patch's name in a report or reply. A bare diff has no subject of its own (ingest names
 * it after its file or "stdin"): call it after the files it changes.
 */
export function patchName(patch: PatchModel): string {
  const base = patch.source.split('/').pop()?.replace(/\.[^.]*$/, '') ?? '';
  const bare = !patch.messageId && !patch.from && (patch.subject === base || patch.subject === 'stdin' || !patch.subject.trim());
  if (!bare) return patch.subject;
  const paths = [...new Set(patch.files.map((f) => f.path))];
  const shown = paths.length > 2 ? `${paths.slice(0, 2).join(', ')} and ${paths.length - 2} more` : paths.join(', ');
  return shown ? `diff to ${shown}` : patch.subject;
}

/** A lore.kernel.org link to a message (public-inbox wants '/' escaped; '@' as %40 like the robots). */
export function loreLink(messageId: string): string {
  return `https://lore.kernel.org/r/${encodeURIComponent(messageId)}`;
}
