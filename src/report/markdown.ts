/**
 * `--format markdown` (GitHub job summaries, PR bodies): a summary with the restore-step
 * table of the target line (the steps any note is about marked), then the notes grouped by
 * patch. Everything from the patch or the findings is escaped (escape.ts): it is data.
 * findingMarkdown() is shared with the inline comments of src/report/github.ts.
 */
import type { Finding, PatchModel, ReviewResult, Severity } from '../model.js';
import type { ReportContext } from './context.js';
import { countFindings, countsPhrase, reviewedPatches, sortFindings, targetLineId, targetSentence } from './common.js';
import { escapeMarkdown, escapeMarkdownLine, inlineCode, safeLink } from './escape.js';
import { hasSteps, stepTable } from './steps.js';
import { witnessMarkdown } from './witness.js';
import { TOOL, VERSION } from '../version.js';

const ICON: Record<Severity, string> = { error: '❌ Error', warning: '⚠️ Warning', check: '🔎 Check' };

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

/** The target line's restore-step table with every noted step marked. */
export function stepsSection(result: ReviewResult, ctx: ReportContext, findings: readonly Finding[]): string {
  const line = escapeMarkdownLine(targetLineId(result, ctx.kb));
  return `### Restore steps of ${inlineCode('pci_restore_state()')} on ${line}\n\nMarked: the steps the notes are about.\n\n${stepTable(result, ctx.kb, findings, 'markdown')}`;
}

function patchSection(p: PatchModel, result: ReviewResult, ctx: ReportContext): string {
  const title = `### ${escapeMarkdownLine(p.subject)}`;
  if (p.mangled) return `${title}\n\nNot analysed: ${escapeMarkdownLine(p.mangledReason ?? 'the transport mangled the patch')}.`;
  if (p.findings.length === 0) return `${title}\n\nNo PCI save/restore problems found.`;
  const notes = sortFindings(p.findings).map((f) => findingMarkdown(f, result, ctx, { heading: '####', location: true }));
  return [title, ...notes].join('\n\n');
}

export interface FindingMarkdownOptions {
  /** Heading level for the note's title; '' for a bold line (inline comments). */
  heading: string;
  /** Say file:line and function (not needed on an inline comment). */
  location: boolean;
  /** Add the note's own step table (folded); off where a summary table is already shown. */
  table?: boolean;
}

/** One note in markdown: title, where, message, fix, the steps it concerns, references. */
export function findingMarkdown(f: Finding, result: ReviewResult, ctx: ReportContext, opts: FindingMarkdownOptions): string {
  const title = `${ICON[f.severity]}: ${escapeMarkdownLine(f.title)}`;
  const parts = [opts.heading ? `${opts.heading} ${title}` : `**${title}**`];
  parts.push(idLine(f, opts.location));
  parts.push(...f.message.split(/\n\s*\n/).map((para) => escapeMarkdown(para.trim())));
  if (f.suggestion) parts.push(`**Fix:** ${escapeMarkdown(f.suggestion)}`);
  const witness = witnessMarkdown(f, escapeMarkdownLine);
  if (witness) parts.push(witness);
  if (f.related?.length) parts.push(`**Other notes on this line:** ${f.related.map((r) => `${inlineCode(r.rule)} ${escapeMarkdownLine(r.title)}`).join('; ')}`);
  if (opts.table !== false && hasSteps([f])) parts.push(stepsDetails(f, result, ctx));
  if (f.references.length) parts.push(`**References:** ${f.references.map(referenceMarkdown).join('; ')}`);
  return parts.join('\n\n');
}

function idLine(f: Finding, location: boolean): string {
  const id = `${inlineCode(f.type)} (${inlineCode(f.rule)})`;
  if (!location) return id;
  const where = `${inlineCode(`${f.file}:${f.line}`)}${f.outsideDiff ? ' (outside the diff)' : ''}`;
  return `${id} at ${where}${f.function ? ` in ${inlineCode(`${f.function}()`)}` : ''}`;
}

function stepsDetails(f: Finding, result: ReviewResult, ctx: ReportContext): string {
  const table = stepTable(result, ctx.kb, [f], 'markdown');
  return `<details><summary>Restore steps this note is about (marked)</summary>\n\n${table}\n\n</details>`;
}

function referenceMarkdown(r: Finding['references'][number]): string {
  const commit = r.commit ? ` (commit ${inlineCode(r.commit)})` : '';
  return `${safeLink(r.title, r.url)}${commit}`;
}

export function footerLine(): string {
  return `<sub>${TOOL} ${VERSION} · run locally: ${inlineCode('npx vfio-review review <mbox>')} · details: ${inlineCode('vfio-review explain RULE')}</sub>`;
}
