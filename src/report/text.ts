/**
 * `--format text`: checkpatch-shaped output, so people and tools that read checkpatch read us.
 *
 *   WARNING:SNAPSHOT_STALE_RESTORE: <title>
 *   #N: FILE: path:line:
 *   +<the line>
 *   <message, fix, the restore-step table with the note's steps marked>
 *   total: 0 errors, 3 warnings, 0 checks, N lines checked
 *
 * `#N` is the line's position in the patch's diff counted from its first `diff --git` line
 * (we do not keep the mail's own line numbers). Notes come in line order, as checkpatch's do.
 * `--terse` prints `path:line: LEVEL:TYPE: title`
 * and nothing else, one line per finding, like `checkpatch --terse --show-types --no-summary`.
 */
import type { Finding, PatchModel, ReviewResult } from '../model.js';
import type { ReportContext } from './context.js';
import { LEVEL, byPosition, countFindings, diffListing, reviewedPatches, targetLineId, targetSentence } from './common.js';
import { plainText } from './escape.js';
import { hasSteps, stepTable } from './steps.js';
import { wrapText } from './wrap.js';
import { witnessText } from './witness.js';

const WIDTH = 80;

export function renderText(result: ReviewResult, ctx: ReportContext): string {
  const patches = reviewedPatches(result);
  if (ctx.terse) return plainText(patches.flatMap((p) => byPosition(p.findings).map(terseLine)).map((l) => l + '\n').join(''));
  if (patches.length === 0) return 'vfio-review: no patches to review in the input.\n';
  const blocks = patches.map((p) => renderPatch(p, result, ctx));
  blocks.push(`Target kernel: ${targetSentence(result, ctx.kb)}`);
  return plainText(blocks.join('\n\n') + '\n');
}

function terseLine(f: Finding): string {
  return `${f.file}:${f.line}: ${LEVEL[f.severity]}:${f.type}: ${f.title}`;
}

function renderPatch(patch: PatchModel, result: ReviewResult, ctx: ReportContext): string {
  const listing = diffListing(patch);
  if (patch.mangled) return `${patch.subject}: not analysed: ${patch.mangledReason ?? 'the transport mangled the patch'}`;
  if (patch.findings.length === 0) {
    return `${patch.subject}: no obvious PCI save/restore problems (${listing.length} lines checked).`;
  }
  const rule = '-'.repeat(Math.min(WIDTH, Math.max(20, patch.subject.length)));
  const parts = [`${rule}\n${patch.subject}\n${rule}`];
  for (const f of byPosition(patch.findings)) parts.push(renderFinding(f, result, ctx, listing));
  const c = countFindings(patch.findings);
  parts.push(`total: ${c.error} errors, ${c.warning} warnings, ${c.check} checks, ${listing.length} lines checked`);
  return parts.join('\n\n');
}

function renderFinding(
  f: Finding,
  result: ReviewResult,
  ctx: ReportContext,
  listing: ReturnType<typeof diffListing>,
): string {
  const out = [`${LEVEL[f.severity]}:${f.type}: ${f.title}`];
  const pos = f.outsideDiff ? -1 : listing.findIndex((l) => l.path === f.file && l.newLine === f.line);
  if (pos >= 0) out.push(`#${pos + 1}: FILE: ${f.file}:${f.line}:`, listing[pos].text);
  else out.push(`FILE: ${f.file}:${f.line}: (outside the diff)`);
  const body = [wrapText(f.message, WIDTH)];
  if (f.suggestion) body.push(wrapText(`Fix: ${f.suggestion}`, WIDTH));
  const witness = witnessText(f, WIDTH);
  if (witness) body.push(witness);
  if (f.related?.length) body.push(wrapText(`Other notes on this line: ${f.related.map((r) => `${r.rule} (${r.title})`).join('; ')}`, WIDTH));
  if (hasSteps([f])) body.push(`Restore steps of pci_restore_state() on ${targetLineId(result, ctx.kb)}:\n${stepTable(result, ctx.kb, [f], 'text')}`);
  body.push(`See: vfio-review explain ${f.rule}`);
  return out.join('\n') + '\n\n' + body.join('\n\n');
}
