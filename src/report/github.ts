/**
 * The GitHub pull-request review built from findings: inline comments on lines that are in
 * the diff, everything else in the body. Pure: posting lives in src/post/github.ts.
 * (Owned by the reports work; the Action work consumes it.)
 *
 * - An inline comment is anchored by path + line + side RIGHT, and only when a parsed hunk
 *   shows that post-image line (a context or added line): GitHub rejects the WHOLE review
 *   with 422 if one anchor is outside the diff, so every anchor is checked here.
 * - A note that cannot be anchored, or that exceeds the inline cap (GitHub's secondary rate
 *   limits and 422s on big reviews), goes into the body in full: never lost.
 * - Every comment ends with fingerprintMarker(fp), the key for update-instead-of-repeat.
 * - Patch-controlled text is escaped (escape.ts): no markdown/HTML, no @mention, no #123.
 */
import type { Finding, PatchModel, ReviewResult } from '../model.js';
import type { KnowledgeBase } from '../kb/types.js';
import type { ReportContext } from './context.js';
import { findNewLine, reviewedPatches, sortFindings, targetSentence } from './common.js';
import { escapeMarkdownLine, inlineCode } from './escape.js';
import { findingMarkdown, footerLine, stepsSection, summaryBlock } from './markdown.js';
import { hasSteps } from './steps.js';
import { TOOL, VERSION } from '../version.js';
import { SUMMARY_MARKER, fingerprintMarker, markerFingerprint } from './marker.js';

// The markers are part of this module's contract (the Action imports them from here).
export { SUMMARY_MARKER, fingerprintMarker, listMarkers, markerFingerprint, parseMarker, stripMarkers } from './marker.js';

export interface ReviewComment {
  path: string;
  line: number;
  side: 'RIGHT' | 'LEFT';
  /** Markdown; ends with the hidden fingerprint marker. */
  body: string;
  /** The fingerprint as the marker carries it (what parseMarker returns for this body). */
  fingerprint: string;
}

export interface ReviewPayload {
  /** Markdown summary with the restore-step table and the notes that could not be anchored. */
  body: string;
  comments: ReviewComment[];
  /** Findings whose line is not in the diff (they are in `body`). */
  outside: Finding[];
  /** Anchorable findings left out of `comments` by the inline cap (they are in `body`); always set by buildGithubReview. */
  overflow?: Finding[];
}

export interface GithubReviewOptions {
  kb: KnowledgeBase;
  /** Hunks to check anchors against, e.g. the pull request's whole diff; default: each finding's own patch. */
  diff?: PatchModel;
  /** Most inline comments in one review; the rest go into the body. */
  maxInline?: number;
}

/** About 25-40 comments per review is what bots that post reliably use (ecosystem notes 1.6). */
export const MAX_INLINE_COMMENTS = 30;

export function buildGithubReview(result: ReviewResult, opts: GithubReviewOptions): ReviewPayload {
  const ctx: ReportContext = { kb: opts.kb };
  const max = opts.maxInline ?? MAX_INLINE_COMMENTS;
  const inline: Finding[] = [];
  const outside: Finding[] = [];
  const overflow: Finding[] = [];
  for (const { f, patch } of uniqueFindings(result)) {
    if (f.outsideDiff || !findNewLine(opts.diff ?? patch, f.file, f.line)) outside.push(f);
    else if (inline.length >= max) overflow.push(f);
    else inline.push(f);
  }
  const comments = inline.map((f): ReviewComment => ({
    path: f.file,
    line: f.line,
    side: 'RIGHT',
    body: commentBody(f, result, ctx),
    fingerprint: markerFingerprint(f.fingerprint),
  }));
  return { body: reviewBody(result, ctx, { inline, outside, overflow }), comments, outside, overflow };
}

interface Placed {
  inline: Finding[];
  outside: Finding[];
  overflow: Finding[];
}

/** Findings of all patches, most severe first (so the cap keeps those inline), one per fingerprint. */
function uniqueFindings(result: ReviewResult): { f: Finding; patch: PatchModel }[] {
  const seen = new Set<string>();
  const out: { f: Finding; patch: PatchModel }[] = [];
  const all = reviewedPatches(result).flatMap((patch) => patch.findings.map((f) => ({ f, patch })));
  const order = sortFindings(all.map((x) => x.f));
  for (const f of order) {
    if (seen.has(f.fingerprint)) continue;
    seen.add(f.fingerprint);
    out.push({ f, patch: all.find((x) => x.f === f)!.patch });
  }
  return out;
}

function commentBody(f: Finding, result: ReviewResult, ctx: ReportContext): string {
  const note = findingMarkdown(f, result, ctx, { heading: '', location: false });
  const meta = `<sub>${TOOL} ${VERSION} · target: ${escapeMarkdownLine(targetSentence(result, ctx.kb))} · ${inlineCode(`vfio-review explain ${f.rule}`)}</sub>`;
  return `${note}\n\n${meta}\n\n${fingerprintMarker(f.fingerprint)}`;
}

function reviewBody(result: ReviewResult, ctx: ReportContext, placed: Placed): string {
  const { inline, outside, overflow } = placed;
  const all = [...inline, ...outside, ...overflow];
  const parts = [summaryBlock(result, ctx, reviewedPatches(result).length)];
  if (all.length) parts.push(overviewTable(placed));
  if (hasSteps(all)) parts.push(stepsSection(result, ctx, all));
  if (outside.length) parts.push(section('Notes on lines outside the diff', outside, result, ctx));
  if (overflow.length) parts.push(section(`More notes (only ${inline.length} are posted inline per review)`, overflow, result, ctx));
  parts.push(footerLine(), SUMMARY_MARKER);
  return parts.join('\n\n');
}

/** One row per note: what, where, and whether it is inline or in this body. */
function overviewTable({ inline, outside, overflow }: Placed): string {
  const rows = ['| Level | Note | Where | Shown |', '| --- | --- | --- | --- |'];
  // In a GFM table a '|' ends the cell even inside a code span, unless escaped.
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const row = (f: Finding, shown: string) =>
    `| ${f.severity} | ${escapeMarkdownLine(f.title)} ${cell(inlineCode(f.type))} | ${cell(inlineCode(`${f.file}:${f.line}`))} | ${shown} |`;
  for (const f of inline) rows.push(row(f, 'inline'));
  for (const f of outside) rows.push(row(f, 'below (outside the diff)'));
  for (const f of overflow) rows.push(row(f, 'below'));
  return rows.join('\n');
}

/** Notes in the body: no per-note step table (the body's table marks their steps), to stay small. */
function section(title: string, findings: Finding[], result: ReviewResult, ctx: ReportContext): string {
  const notes = findings.map((f) => `${findingMarkdown(f, result, ctx, { heading: '####', location: true, table: false })}\n\n${fingerprintMarker(f.fingerprint)}`);
  return [`### ${title}`, ...notes].join('\n\n');
}
