/**
 * `--format markdown` (GitHub job summaries, PR bodies): a summary with the restore-step
 * table of the target line (the steps any note is about marked), then one note per cause,
 * grouped by patch. Everything from the patch or the findings is escaped (escape.ts): it is
 * data; the rules' own `code spans` stay code spans (proseMarkdown).
 * noteMarkdown() is shared with the inline comments of src/report/github.ts.
 */
import type { Finding, PatchModel, ReviewResult, Severity } from '../model.js';
import type { ReportContext } from './context.js';
import { countFindings, countsPhrase, reviewedPatches, targetLineId, targetSentence } from './common.js';
import { conditionsSentence, noteConditions, noteTrace, notesOf, subPoints, type Note } from './causes.js';
import { codeBlock, escapeMarkdown, escapeMarkdownLine, inlineCode, safeLink } from './escape.js';
import { applicableReferences, firstParagraph, shortFix } from './prose.js';
import { hasSteps, stepTable } from './steps.js';
import { TOOL, VERSION } from '../version.js';

export const ICON: Record<Severity, string> = { error: '❌ Error', warning: '⚠️ Warning', check: '🔎 Check' };

export function renderMarkdown(result: ReviewResult, ctx: ReportContext): string {
  const patches = reviewedPatches(result);
  const all = patches.flatMap((p) => p.findings);
  const parts = [summaryBlock(result, ctx, patches.length)];
  if (hasSteps(all)) parts.push(stepsSection(result, ctx, all));
  for (const p of patches) parts.push(patchSection(p, result, ctx));
  parts.push(footerLine());
  return parts.join('\n\n') + '\n';
}

/** Heading + counts + target: the first thing a reader sees. */
export function summaryBlock(result: ReviewResult, ctx: ReportContext, patchCount: number): string {
  const all = reviewedPatches(result).flatMap((p) => p.findings);
  const counts = countsPhrase(countFindings(all));
  const head = `## ${TOOL}: ${all.length ? counts : 'no PCI save/restore problems found'}`;
  const scope = `${patchCount} patch${patchCount === 1 ? '' : 'es'} reviewed; target kernel: ${escapeMarkdownLine(targetSentence(result, ctx.kb))}.`;
  return `${head}\n\n${scope}`;
}

/** The target line's restore steps: the picture, then the whole table with every noted step marked, folded. */
export function stepsSection(result: ReviewResult, ctx: ReportContext, findings: readonly Finding[]): string {
  const line = escapeMarkdownLine(targetLineId(result, ctx.kb));
  const table = stepTable(result, ctx.kb, findings, 'markdown');
  return `### Restore steps of ${inlineCode('pci_restore_state()')} on ${line}\n\nMarked: the steps the notes are about.\n\n${table}`;
}

function patchSection(p: PatchModel, result: ReviewResult, ctx: ReportContext): string {
  const title = `### ${escapeMarkdownLine(p.subject)}`;
  if (p.mangled) return `${title}\n\nNot analysed: ${escapeMarkdownLine(p.mangledReason ?? 'the transport mangled the patch')}.`;
  if (p.findings.length === 0) return `${title}\n\nNo PCI save/restore problems found.`;
  const notes = notesOf(p).map((n) => noteMarkdown(n, ctx, { heading: '####', location: true, details: true }));
  return [title, ...notes].join('\n\n');
}

export interface NoteMarkdownOptions {
  /** Heading level for the note's title; '' for a bold line (inline comments). */
  heading: string;
  /** Say file:line and function (not needed on an inline comment). */
  location: boolean;
  /** Add every finding's full explanation, folded (off on inline comments: they stay short). */
  details?: boolean;
  /** Offer the lead's concrete line change as a ```suggestion (inline comments only: GitHub applies it to the commented line). */
  suggestion?: boolean;
}

/**
 * Rule prose -> markdown: the rules' own `code spans` become code spans, everything else is
 * escaped as text (it quotes names and code from the patch).
 */
export function proseMarkdown(text: string): string {
  return text
    .split(/(`[^`\n]+`)/)
    .map((part, i) => (i % 2 === 1 ? inlineCode(part.slice(1, -1)) : escapeMarkdown(part)))
    .join('');
}

/** One cause in markdown: headline, where, what was seen, the other points, trace, conditions, fix. */
export function noteMarkdown(n: Note, ctx: ReportContext, opts: NoteMarkdownOptions): string {
  const f = n.lead;
  const title = `${ICON[f.severity]}: ${escapeMarkdownLine(f.title)}`;
  const parts = [opts.heading ? `${opts.heading} ${title}` : `**${title}**`];
  parts.push(idLine(f, opts.location));
  parts.push(proseMarkdown(firstParagraph(f.message)));
  const subs = subPoints(n);
  if (subs.length) parts.push(`Also at this restore:\n\n${subs.map((s) => `- ${subItem(s, f)}`).join('\n')}`);
  const trace = traceMarkdown(noteTrace(n));
  if (trace) parts.push(`**Trace:**\n\n${trace}`);
  const cond = conditionsSentence(noteConditions(n));
  if (cond) parts.push(proseMarkdown(cond));
  parts.push(`**Fix:** ${proseMarkdown(shortFix(f, ctx.kb))}`);
  if (opts.suggestion && f.replacement !== undefined) parts.push(suggestionBlock(f.replacement));
  if (opts.details) parts.push(detailsBlock(n));
  return parts.join('\n\n');
}

/** The witness as an ordered list: event, `function()` (and file:line when known), effect. */
function traceMarkdown(trace: Finding['trace']): string {
  return (trace ?? [])
    .map((t, i) => {
      const where = t.file && t.line ? ` ${inlineCode(`${t.file.split('/').pop()}:${t.line}`)}` : '';
      return `${i + 1}. ${escapeMarkdownLine(t.event)}: ${inlineCode(`${t.function.replace(/\(\)$/, '')}()`)}${where}: ${escapeMarkdownLine(t.effect)}`;
    })
    .join('\n');
}

function subItem(s: Finding, lead: Finding): string {
  const where = s.line !== lead.line || s.file !== lead.file ? `, line ${s.line}` : '';
  return `${ICON[s.severity]}: ${escapeMarkdownLine(s.title)} (${inlineCode(s.rule)}${where})`;
}

/** Every finding of the note in full, folded: the explanation a reader opens on purpose. */
export function detailsBlock(n: Note): string {
  const sections = n.points.map((p) => {
    const body = p.message.split(/\n\s*\n/).map((para) => proseMarkdown(para.trim()));
    if (p.suggestion) body.push(`**Fix:** ${proseMarkdown(p.suggestion)}`);
    const refs = applicableReferences(p);
    if (refs.length) body.push(`**References:** ${refs.map(referenceMarkdown).join('; ')}`);
    return [`**${inlineCode(p.type)}** ${escapeMarkdownLine(p.title)}`, ...body].join('\n\n');
  });
  return `<details><summary>Why, in full (${n.points.length === 1 ? 'this note' : `${n.points.length} points`})</summary>\n\n${sections.join('\n\n---\n\n')}\n\n</details>`;
}

function idLine(f: Finding, location: boolean): string {
  const id = `${inlineCode(f.type)} (${inlineCode(f.rule)})`;
  if (!location) return id;
  const where = `${inlineCode(`${f.file}:${f.line}`)}${f.outsideDiff ? ' (outside the diff)' : ''}`;
  return `${id} at ${where}${f.function ? ` in ${inlineCode(`${f.function}()`)}` : ''}`;
}

function referenceMarkdown(r: Finding['references'][number]): string {
  const commit = r.commit ? ` (commit ${inlineCode(r.commit)})` : '';
  return `${safeLink(r.title, r.url)}${commit}`;
}

/** A ```suggestion block replacing the commented line (GitHub shows it as a change to apply). */
export function suggestionBlock(replacement: string): string {
  return codeBlock(replacement.replace(/\n$/, ''), 'suggestion');
}

export function footerLine(): string {
  return `<sub>${TOOL} ${VERSION} · from a clone: ${inlineCode('npm ci && node bin/vfio-review.js review PATCH')} · details: ${inlineCode('node bin/vfio-review.js explain RULE')}</sub>`;
}
