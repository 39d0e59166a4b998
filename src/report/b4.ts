/**
 * `--format b4`: b4's review check protocol (b4.review-perpatch-check-cmd). b4 feeds one
 * message on stdin and reads a JSON array of {tool, status: pass|warn|fail, summary, url,
 * details}. b4 caches results keyed by (message-id, tool), so we print ONE entry for our tool,
 * shaped like b4's built-in checkpatch handler: worst status, a counts summary, and `details`
 * as a JSON string of [{status, context, description}] per finding.
 *
 * Status, worst wins:
 *   - error   -> fail
 *   - warning -> warn
 *   - check   -> warn, as b4's own checkpatch handler maps checkpatch's CHECK
 *   - input we could not read -> fail; a mangled patch -> warn (not analysed)
 *   - patches without notes -> pass; no patch in the message (a cover letter) -> []
 */
import type { Finding, PatchModel, ReviewResult, Severity } from '../model.js';
import { LEVEL, countFindings, countsPhrase, reviewedPatches, sortFindings } from './common.js';
import { TOOL } from '../version.js';

export type B4Status = 'pass' | 'warn' | 'fail';

export interface B4CheckResult {
  tool: string;
  status: B4Status;
  summary: string;
  url?: string;
  details?: string;
}

const ORDER: Record<B4Status, number> = { pass: 0, warn: 1, fail: 2 };
const STATUS: Record<Severity, B4Status> = { error: 'fail', warning: 'warn', check: 'warn' };

function worst(a: B4Status, b: B4Status): B4Status {
  return ORDER[b] > ORDER[a] ? b : a;
}

interface Detail {
  status: B4Status;
  context: string;
  description: string;
}

export function buildB4(result: ReviewResult): B4CheckResult[] {
  const patches = reviewedPatches(result);
  const details: Detail[] = [];
  let status: B4Status = 'pass';
  for (const e of result.errors) {
    details.push({ status: 'fail', context: 'input', description: `${e.source}: ${e.message}` });
    status = 'fail';
  }
  for (const p of patches) {
    if (p.mangled) {
      details.push({ status: 'warn', context: 'input', description: `not analysed: ${p.mangledReason ?? 'mangled in transport'}` });
      status = worst(status, 'warn');
    }
    for (const f of sortFindings(p.findings)) {
      details.push(findingDetail(f, patches.length > 1 ? p : undefined));
      status = worst(status, STATUS[f.severity]);
    }
  }
  if (patches.length === 0 && details.length === 0) return [];
  const entry: B4CheckResult = { tool: TOOL, status, summary: summary(result, patches) };
  if (details.length) entry.details = JSON.stringify(details);
  return [entry];
}

function findingDetail(f: Finding, patch?: PatchModel): Detail {
  const where = `${f.file}:${f.line}`;
  const prefix = patch?.series ? `[${patch.series.index}/${patch.series.total}] ` : '';
  return { status: STATUS[f.severity], context: f.rule, description: `${prefix}${where}: ${LEVEL[f.severity]}:${f.type}: ${f.title}` };
}

function summary(result: ReviewResult, patches: PatchModel[]): string {
  const findings = patches.flatMap((p) => p.findings);
  const target = result.target ? ` (target ${result.target.line})` : '';
  if (result.errors.length && findings.length === 0) return `could not read the input: ${result.errors[0].message}`;
  if (findings.length === 0) {
    return patches.some((p) => p.mangled) ? 'patch not analysed (mangled in transport)' : `no PCI save/restore problems found${target}`;
  }
  return `${countsPhrase(countFindings(findings))}${target}`;
}

export function renderB4(result: ReviewResult): string {
  return JSON.stringify(buildB4(result)) + '\n';
}
