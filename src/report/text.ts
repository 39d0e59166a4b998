/**
 * `--format text`: checkpatch-shaped output, so people and tools that read checkpatch read us.
 * One note per cause (causes.ts), short by default the way checkpatch is:
 *
 *   ERROR:SNAPSHOT_STALE_RESTORE: <title>
 *   #37: FILE: drivers/vfio/pci/vfio_pci_core.c:2294:
 *   +	pci_restore_state(pdev);
 *   <what was seen, a few lines>
 *    - WARNING:SNAPSHOT_STALE_TPH: <title of a finding with the same cause>
 *   Trace: 1. ... (the witness, one line per event)
 *   If <the conditions>.
 *   Fix: <the short fix>
 *
 *   <the restore steps the patch's notes are about, once per patch>
 *   total: 1 errors, 2 warnings, 1 checks, 24 lines checked
 *
 * `#N` is the line in the patch file and "lines checked" counts as checkpatch counts
 * (src/patch/lines.ts). Every patch gets a totals line, clean ones too, and the run one more.
 * `--verbose` adds each finding's full explanation and the whole restore-step table;
 * `--terse` prints `path:line: LEVEL:TYPE: title` per finding and nothing else, like
 * `checkpatch --terse --show-types --no-summary`.
 */
import type { Finding, PatchModel, ReviewResult } from '../model.js';
import type { ReportContext } from './context.js';
import { LEVEL, byPosition, patchName, countFindings, diffText, findNewLine, linesChecked, patchLineOf, reviewedPatches, targetLineId, targetSentence, totalLine, type Counts } from './common.js';
import { conditionsSentence, noteConditions, noteTrace, notesOf, subPoints, traceLines, type Note } from './causes.js';
import { applicableReferences, firstParagraph, plainProse, referenceText, shortFix } from './prose.js';
import { plainText } from './escape.js';
import { hasSteps, stepTable } from './steps.js';
import { wrapText } from './wrap.js';

const WIDTH = 80;

export function renderText(result: ReviewResult, ctx: ReportContext): string {
  const patches = reviewedPatches(result);
  if (ctx.terse) return plainText(patches.flatMap((p) => byPosition(p.findings).map(terseLine)).map((l) => l + '\n').join(''));
  if (patches.length === 0) return 'vfio-review: no patches to review in the input.\n';
  const shown = ctx.quiet ? patches.filter((p) => p.findings.length > 0 || p.mangled) : patches;
  const blocks = shown.map((p) => renderPatch(p, result, ctx));
  const counts = countFindings(patches.flatMap((p) => p.findings));
  const lines = patches.reduce((n, p) => n + (p.mangled ? 0 : linesChecked(p)), 0);
  const run = patches.length > 1 ? [`${totalLine(counts, lines)} (${patches.length} patches)`] : [];
  if (!ctx.quiet) blocks.push([...run, `Target kernel: ${targetSentence(result, ctx.kb)}`].join('\n'));
  if (blocks.length === 0) return '';
  return plainText(blocks.join('\n\n') + '\n');
}

function terseLine(f: Finding): string {
  return `${f.file}:${f.line}: ${LEVEL[f.severity]}:${f.type}: ${f.title}`;
}

function renderPatch(patch: PatchModel, result: ReviewResult, ctx: ReportContext): string {
  const name = patchName(patch);
  if (patch.mangled) return `${name}: not analysed: ${patch.mangledReason ?? 'the transport mangled the patch'}`;
  const total = totalLine(countFindings(patch.findings), linesChecked(patch));
  if (patch.findings.length === 0) return `${name}\n${total}`;
  const rule = '-'.repeat(Math.min(WIDTH, Math.max(20, name.length)));
  const parts = [`${rule}\n${name}\n${rule}`];
  for (const n of notesOf(patch)) parts.push(renderNote(n, patch, ctx));
  if (hasSteps(patch.findings)) parts.push(stepsBlock(patch, result, ctx));
  parts.push(total);
  return parts.join('\n\n');
}

function heading(f: Finding): string {
  return `${LEVEL[f.severity]}:${f.type}: ${f.title}`;
}

/** checkpatch's two location lines: #N: FILE: path:line:, then the line as the patch has it. */
function location(f: Finding, patch: PatchModel): string[] {
  const n = patchLineOf(patch, f);
  const at = findNewLine(patch, f.file, f.line);
  if (n === undefined || !at) return [`FILE: ${f.file}:${f.line}: (outside the diff${f.function ? `, in ${f.function}()` : ''})`];
  return [`#${n}: FILE: ${f.file}:${f.line}:`, diffText(at.line)];
}

function renderNote(n: Note, patch: PatchModel, ctx: ReportContext): string {
  const f = n.lead;
  const out = [heading(f), ...location(f, patch)];
  const body: string[] = [];
  if (ctx.verbose) body.push(wrapText(plainProse(f.message), WIDTH));
  else body.push(wrapText(plainProse(firstParagraph(f.message)), WIDTH));
  const subs = subPoints(n);
  if (subs.length) body.push(subs.map((s) => subPoint(s, f, patch)).join('\n'));
  const trace = traceLines(noteTrace(n));
  if (trace.length) body.push(['Trace:', ...trace.map((t) => wrapText(t, WIDTH, '  ').replace(/^ {2}/, '  '))].join('\n'));
  const cond = conditionsSentence(noteConditions(n));
  if (cond) body.push(wrapText(cond, WIDTH));
  body.push(wrapText(`Fix: ${plainProse(ctx.verbose ? f.suggestion || shortFix(f, ctx.kb) : shortFix(f, ctx.kb))}`, WIDTH));
  if (ctx.verbose) for (const s of subs) body.push(verboseSub(s));
  if (ctx.verbose) {
    const refs = n.points.flatMap(applicableReferences).filter((r, i, all) => all.findIndex((x) => referenceText(x) === referenceText(r)) === i);
    if (refs.length) body.push(['References:', ...refs.map((r) => `  ${referenceText(r)}`)].join('\n'));
  }
  return `${out.join('\n')}\n\n${body.join(ctx.verbose ? '\n\n' : '\n')}`;
}

/** A sub-point: its level, TYPE and title, and where it is when that is not the headline's line. */
function subPoint(s: Finding, lead: Finding, patch: PatchModel): string {
  const n = s.line !== lead.line || s.file !== lead.file ? patchLineOf(patch, s) : undefined;
  const where = s.line !== lead.line || s.file !== lead.file ? ` (${n !== undefined ? `#${n}, ` : ''}line ${s.line})` : '';
  return wrapParagraphed(` - ${heading(s)}${where}`, '   ');
}

function wrapParagraphed(text: string, indent: string): string {
  return wrapText(text, WIDTH).split('\n').map((l, i) => (i === 0 ? l : indent + l.trimStart())).join('\n');
}

/** --verbose: a sub-point's own explanation and fix in full. */
function verboseSub(s: Finding): string {
  const parts = [`${heading(s)}:`, wrapText(plainProse(s.message), WIDTH)];
  if (s.suggestion) parts.push(wrapText(`Fix: ${plainProse(s.suggestion)}`, WIDTH));
  return '\n' + parts.join('\n\n');
}

/** The restore steps of the patch's notes, once per patch; every step with --verbose (marked). */
function stepsBlock(patch: PatchModel, result: ReviewResult, ctx: ReportContext): string {
  const line = targetLineId(result, ctx.kb);
  const lead = ctx.verbose
    ? `Restore steps of pci_restore_state() on ${line} (* = a step the notes are about):`
    : `Restore steps of pci_restore_state() on ${line} that the notes are about:`;
  const table = stepTable(result, ctx.kb, patch.findings, 'text', !ctx.verbose).replace(/\n\n\* = .*$/s, '');
  return `${lead}\n${table}`;
}

export type { Counts };
