/**
 * `--format email`: the body of a plain-text reply in kernel list style (trimmed, interleaved,
 * `> ` quotes, prose at 72 columns, no markdown, no HTML, no trailers such as Reviewed-by).
 * The mailing-list job writes the headers itself and calls renderEmailBody per patch; render()
 * prints, for each patch with notes, a Subject/In-Reply-To preview followed by that body.
 */
import type { Finding, PatchModel, ReviewResult } from '../model.js';
import type { ReportContext } from './context.js';
import { countFindings, countsPhrase, diffText, fileHeader, hunkHeader, reviewedPatches, targetLineId, targetSentence } from './common.js';
import { attribution, footer, greeting, replySubject } from './email-parts.js';
import { plainText } from './escape.js';
import { planQuotes, type QuoteSegment } from './quote.js';
import { hasSteps, stepTable } from './steps.js';
import { witnessText } from './witness.js';
import { wrapText } from './wrap.js';
import { TOOL, VERSION } from '../version.js';

const WIDTH = 72;

export { replySubject, rfc2822Date } from './email-parts.js';

/** All replies (preview): one per patch that has notes; nothing for clean patches. */
export function renderEmail(result: ReviewResult, ctx: ReportContext): string {
  return reviewedPatches(result)
    .filter((p) => p.findings.length > 0 && !p.mangled)
    .map((p) => {
      const head = [`Subject: ${replySubject(p.subject)}`];
      if (p.messageId) head.push(`In-Reply-To: <${p.messageId}>`);
      return plainText(`${head.join('\n')}\n\n${renderEmailBody(p, result, ctx)}`);
    })
    .join('\n\n');
}

/** The body of the reply to one patch (ends with a newline). */
export function renderEmailBody(patch: PatchModel, result: ReviewResult, ctx: ReportContext): string {
  const plan = planQuotes(patch, patch.findings);
  const parts = [greeting(patch), intro(patch, result, ctx)];
  const quotes = plan.segments.map(renderSegment);
  if (quotes.length) parts.push(`${attribution(patch)}\n${quotes.join('\n\n')}`);
  if (plan.outside.length) parts.push(renderOutside(plan.outside));
  // One table per reply, after the last note: a list mail should not repeat 20 lines per quote.
  if (hasSteps(patch.findings)) parts.push(stepsBlock(patch.findings, result, ctx));
  parts.push(footer(patch));
  return plainText(parts.join('\n\n') + '\n');
}

function intro(patch: PatchModel, result: ReviewResult, ctx: ReportContext): string {
  const n = patch.findings.length;
  const what = countsPhrase(countFindings(patch.findings));
  return wrapText(
    `This is ${TOOL} ${VERSION}, an automated checker for PCI save/restore handling in vfio/pci ` +
      `patches. It has ${n === 1 ? 'a question' : 'questions'} about this patch (${what}). ` +
      `Target kernel: ${targetSentence(result, ctx.kb)}. It can be wrong: please read ` +
      `these as questions, not as a review.`,
    WIDTH,
  );
}

/** Quoted lines (verbatim, never re-wrapped), then the notes about the last of them. */
function renderSegment(seg: QuoteSegment): string {
  const quoted: string[] = [];
  if (seg.firstInFile) quoted.push(...fileHeader(seg.file).slice(0, 1));
  if (seg.firstInHunk) quoted.push(hunkHeader(seg.hunk));
  const lines = quoted.map((l) => `> ${l}`);
  if (seg.trimmedAbove) lines.push('> [...]');
  lines.push(...seg.lines.map((l) => quoteLine(diffText(l))));
  return `${lines.join('\n')}\n\n${seg.findings.map(renderNote).join('\n\n')}`;
}

/** "> " + the line; trailing blanks dropped so the quote has no trailing whitespace. */
function quoteLine(text: string): string {
  return `> ${text}`.replace(/\s+$/, '');
}

function renderNote(f: Finding): string {
  const head = wrapText(`[${f.severity}] ${f.rule}: ${f.title}`, WIDTH);
  const body = [head, wrapText(f.message, WIDTH)];
  const witness = witnessText(f, WIDTH);
  if (witness) body.push(witness);
  if (f.related?.length) body.push(wrapText(`Related notes on the same line: ${f.related.map((r) => r.title).join('; ')}.`, WIDTH));
  const fix = f.suggestion ? ` If so, one way out: ${f.suggestion}` : '';
  body.push(wrapText(`Could this happen here?${fix}`, WIDTH));
  return body.join('\n\n');
}

function stepsBlock(findings: readonly Finding[], result: ReviewResult, ctx: ReportContext): string {
  const lead = wrapText(
    `The restore steps of pci_restore_state() on ${targetLineId(result, ctx.kb)}, ` +
      `marked where the notes above are about them:`,
    WIDTH,
  );
  return `${lead}\n\n${stepTable(result, ctx.kb, findings, 'text')}`;
}

/** Notes on lines the diff does not show (a caller elsewhere, a table entry): told, not quoted. */
function renderOutside(findings: readonly Finding[]): string {
  const lead = wrapText('Outside the lines quoted above:', WIDTH);
  const notes = findings.map((f) => {
    const where = `In ${f.file}:${f.line}${f.function ? `, ${f.function}()` : ''}:`;
    return `${wrapText(where, WIDTH)}\n\n${renderNote(f)}`;
  });
  return [lead, ...notes].join('\n\n');
}

