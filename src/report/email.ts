/**
 * `--format email`: plain-text replies in kernel list style (trimmed, interleaved, `> ` quotes,
 * prose at 72 columns, no markdown, no HTML, no trailers such as Reviewed-by), one note per
 * cause, a `-- ` line before the footer. The mailing-list job writes the headers itself and
 * calls renderEmailBody per patch; render() prints every reply of the run as one mbox (each
 * message with Subject and In-Reply-To/References), ready for `git send-email` or a mail client.
 */
import type { PatchModel, ReviewResult } from '../model.js';
import type { ReportContext } from './context.js';
import { LEVEL, patchName, countFindings, countsPhrase, diffText, fileHeader, hunkHeader, reviewedPatches, targetLineId } from './common.js';
import { conditionsSentence, noteConditions, noteTrace, notesOf, subPoints, traceLines, type Note } from './causes.js';
import { attribution, footer, greeting, replySubject } from './email-parts.js';
import { plainText } from './escape.js';
import { firstParagraph, plainProse, shortFix, targetWords } from './prose.js';
import { planQuotes, type QuoteSegment } from './quote.js';
import { hasSteps, stepSummary } from './steps.js';
import { wrapText } from './wrap.js';

const WIDTH = 72;

/** A few lines above each noted line (b4 review quotes at most 5): the notes name the function. */
const MAIL_QUOTE = { contextAbove: 3, functionReach: 0 };

export { replySubject, rfc2822Date } from './email-parts.js';

/** The mbox postmark of our replies: fixed, so the same review renders the same bytes. */
const POSTMARK = 'From vfio-review Thu Jan  1 00:00:00 1970';

/** All replies of a run as one mbox: one message per patch that has notes; nothing for clean patches. */
export function renderEmail(result: ReviewResult, ctx: ReportContext): string {
  return reviewedPatches(result)
    .filter((p) => p.findings.length > 0 && !p.mangled)
    .map((p) => {
      const head = [POSTMARK, `Subject: ${replySubject(patchName(p))}`];
      if (p.messageId) head.push(`In-Reply-To: <${p.messageId}>`, `References: ${[...(p.references ?? []), p.messageId].map((m) => `<${m}>`).join(' ')}`);
      head.push('Content-Type: text/plain; charset=utf-8');
      // mboxrd: a body line starting with (>*)From gets one more '>', so readers split correctly.
      const body = renderEmailBody(p, result, ctx).replace(/^(>*From )/gm, '>$1');
      return plainText(`${head.join('\n')}\n\n${body}`);
    })
    .join('\n');
}

/** The body of the reply to one patch (ends with a newline). */
export function renderEmailBody(patch: PatchModel, result: ReviewResult, ctx: ReportContext): string {
  const notes = notesOf(patch);
  const byLead = new Map(notes.map((n) => [n.lead, n]));
  const plan = planQuotes(patch, notes.map((n) => n.lead), MAIL_QUOTE);
  const parts = [greeting(patch), intro(patch, result, ctx)];
  const quotes = plan.segments.map((seg) => renderSegment(seg, byLead, ctx));
  if (quotes.length) parts.push(`${attribution(patch)}\n${quotes.join('\n\n')}`);
  if (plan.outside.length) parts.push(renderOutside(plan.outside.map((f) => byLead.get(f)!), ctx));
  // One table per reply, after the last note, with only the steps the notes are about.
  if (hasSteps(patch.findings)) parts.push(stepsBlock(patch, result, ctx));
  const text = parts.join('\n\n') + '\n\n' + footer(patch);
  return plainText(text + '\n');
}

function intro(patch: PatchModel, result: ReviewResult, ctx: ReportContext): string {
  const assuming = `assuming ${targetWords(result, ctx.kb)}`;
  if (patch.findings.length === 0) {
    // A positive reply (the job's --positive): say so plainly, without a notes count.
    return wrapText(`vfio-review (automated, it may be wrong) has no notes on PCI save/restore in this patch, ${assuming}.`, WIDTH);
  }
  const what = countsPhrase(countFindings(patch.findings));
  return wrapText(`vfio-review (automated, it may be wrong) has notes on this patch (${what}), ${assuming}.`, WIDTH);
}

/** Quoted lines (verbatim, never re-wrapped), then the notes about the last of them. */
function renderSegment(seg: QuoteSegment, byLead: Map<unknown, Note>, ctx: ReportContext): string {
  const quoted: string[] = [];
  if (seg.firstInFile) quoted.push(...fileHeader(seg.file).slice(0, 1));
  if (seg.firstInHunk) quoted.push(hunkHeader(seg.hunk));
  const lines = quoted.map((l) => `> ${l}`);
  if (seg.trimmedAbove) lines.push('> [...]');
  lines.push(...seg.lines.map((l) => quoteLine(diffText(l))));
  return `${lines.join('\n')}\n\n${seg.findings.map((f) => renderNote(byLead.get(f)!, ctx)).join('\n\n')}`;
}

/** "> " + the line; trailing blanks dropped so the quote has no trailing whitespace. */
function quoteLine(text: string): string {
  return `> ${text}`.replace(/\s+$/, '');
}

/** One cause: its headline, what was seen, the other points, the witness, the conditions, the fix. */
function renderNote(n: Note, ctx: ReportContext): string {
  const f = n.lead;
  const body = [wrapText(`${LEVEL[f.severity]}:${f.type}: ${f.title}`, WIDTH), wrapText(plainProse(firstParagraph(f.message)), WIDTH)];
  const subs = subPoints(n);
  if (subs.length) {
    const items = subs.map((s) => wrapText(`- ${LEVEL[s.severity]}:${s.type}: ${s.title}${s.line !== f.line ? ` (line ${s.line})` : ''}`, WIDTH));
    body.push(['Also at this restore:', ...items].join('\n'));
  }
  const trace = traceLines(noteTrace(n), false);
  if (trace.length) body.push(['How it gets there:', ...trace.map((t) => wrapText(`  ${t}`, WIDTH))].join('\n'));
  const cond = conditionsSentence(noteConditions(n));
  if (cond) body.push(wrapText(cond, WIDTH));
  body.push(wrapText(`Suggested fix: ${plainProse(shortFix(f, ctx.kb))}`, WIDTH));
  return body.join('\n\n');
}

function stepsBlock(patch: PatchModel, result: ReviewResult, ctx: ReportContext): string {
  const lead = `Restore steps of pci_restore_state() on ${targetLineId(result, ctx.kb)} these notes are about:`;
  const groups = stepSummary(result, ctx.kb, patch.findings).map((g) => wrapText(`- ${g.source}: ${g.steps.join(', ')}`, WIDTH));
  return [wrapText(lead, WIDTH), ...groups].join('\n');
}

/** Notes on lines the diff does not show (a caller elsewhere, a table entry): told, not quoted. */
function renderOutside(notes: Note[], ctx: ReportContext): string {
  const lead = wrapText('Outside the lines quoted above:', WIDTH);
  const items = notes.map((n) => {
    const f = n.lead;
    const where = `In ${f.file}:${f.line}${f.function ? `, ${f.function}()` : ''}:`;
    return `${wrapText(where, WIDTH)}\n\n${renderNote(n, ctx)}`;
  });
  return [lead, ...items].join('\n\n');
}
