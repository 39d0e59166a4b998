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
import { SEVERITIES } from '../model.js';
import type { KnowledgeBase } from '../kb/types.js';
import type { ReportContext } from './context.js';
import { findNewLine, reviewedPatches } from './common.js';
import { notesOf, type Note } from './causes.js';
import { escapeMarkdownLine, inlineCode } from './escape.js';
import { detailsBlock, footerLine, noteMarkdown, stepsSection, summaryBlock } from './markdown.js';
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
  const inline: Note[] = [];
  const outside: Note[] = [];
  const overflow: Note[] = [];
  for (const { n, patch } of uniqueNotes(result)) {
    const f = n.lead;
    if (f.outsideDiff || !findNewLine(opts.diff ?? patch, f.file, f.line)) outside.push(n);
    else if (inline.length >= max) overflow.push(n);
    else inline.push(n);
  }
  const comments = inline.map((n): ReviewComment => ({
    path: n.lead.file,
    line: n.lead.line,
    side: 'RIGHT',
    body: commentBody(n, result, ctx),
    fingerprint: markerFingerprint(n.lead.fingerprint),
  }));
  const leads = (ns: Note[]) => ns.map((n) => n.lead);
  return { body: reviewBody(result, ctx, { inline, outside, overflow }), comments, outside: leads(outside), overflow: leads(overflow) };
}

interface Placed {
  inline: Note[];
  outside: Note[];
  overflow: Note[];
}

/** Notes of all patches, most severe first (so the cap keeps those inline), one per headline fingerprint. */
function uniqueNotes(result: ReviewResult): { n: Note; patch: PatchModel }[] {
  const seen = new Set<string>();
  const all = reviewedPatches(result).flatMap((patch) => notesOf(patch).map((n) => ({ n, patch })));
  const order = [...all].sort((a, b) => SEVERITIES.indexOf(a.n.severity) - SEVERITIES.indexOf(b.n.severity));
  return order.filter(({ n }) => !seen.has(n.lead.fingerprint) && Boolean(seen.add(n.lead.fingerprint)));
}

/** An inline comment: the short note (the full explanation is folded in the review summary). */
function commentBody(n: Note, result: ReviewResult, ctx: ReportContext): string {
  const note = noteMarkdown(n, ctx, { heading: '', location: false, suggestion: true });
  const meta = `<sub>${TOOL} ${VERSION} · Linux ${escapeMarkdownLine(result.target?.line ?? ctx.kb.newestLine().id)} · in full: the review summary</sub>`;
  return `${note}\n\n${meta}\n\n${fingerprintMarker(n.lead.fingerprint)}`;
}

function reviewBody(result: ReviewResult, ctx: ReportContext, placed: Placed): string {
  const { inline, outside, overflow } = placed;
  const all = [...inline, ...outside, ...overflow];
  const findings = all.flatMap((n) => n.points);
  const parts = [summaryBlock(result, ctx, reviewedPatches(result).length)];
  if (all.length) parts.push(overviewTable(placed));
  if (hasSteps(findings)) parts.push(stepsSection(result, ctx, findings));
  if (inline.length) parts.push(['### Inline notes in full', ...inline.map((n) => `${escapeMarkdownLine(n.lead.title)}\n\n${detailsBlock(n)}`)].join('\n\n'));
  if (outside.length) parts.push(section('Notes on lines outside the diff', outside, ctx));
  if (overflow.length) parts.push(section(`More notes (only ${inline.length} are posted inline per review)`, overflow, ctx));
  parts.push(footerLine(), SUMMARY_MARKER);
  return parts.join('\n\n');
}

/** One row per note: what, where, and whether it is inline or in this body. */
function overviewTable({ inline, outside, overflow }: Placed): string {
  const rows = ['| Level | Note | Where | Shown |', '| --- | --- | --- | --- |'];
  // In a GFM table a '|' ends the cell even inside a code span, unless escaped.
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const row = (n: Note, shown: string) => {
    const f = n.lead;
    const more = n.points.length > 1 ? ` (+${n.points.length - 1} related)` : '';
    return `| ${f.severity} | ${escapeMarkdownLine(f.title)} ${cell(inlineCode(f.type))}${more} | ${cell(inlineCode(`${f.file}:${f.line}`))} | ${shown} |`;
  };
  for (const n of inline) rows.push(row(n, 'inline'));
  for (const n of outside) rows.push(row(n, 'below (outside the diff)'));
  for (const n of overflow) rows.push(row(n, 'below'));
  return rows.join('\n');
}

/** Notes in the body: short, their full text folded, each with its marker. */
function section(title: string, notes: Note[], ctx: ReportContext): string {
  const items = notes.map((n) => `${noteMarkdown(n, ctx, { heading: '####', location: true, details: true })}\n\n${fingerprintMarker(n.lead.fingerprint)}`);
  return [`### ${title}`, ...items].join('\n\n');
}
