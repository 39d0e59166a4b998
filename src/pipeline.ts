/**
 * The review pipeline, one way: messages -> patch models -> findings.
 * Used by the CLI, the GitHub Action and the mailing-list job alike; it neither reads
 * inputs nor posts notes.
 */
import type { CallGraph, Finding, InputError, Message, PatchModel, ReviewResult, Severity, TargetInfo } from './model.js';
import { SEVERITIES } from './model.js';
import { buildPatch } from './patch/index.js';
import { callGraphOrNote } from './patch/callgraph.js';
import { analyzePatch, type AnalyzeContext } from './analyze/index.js';
import { loadKnowledgeBase, resolveTarget } from './kb/index.js';
import type { KnowledgeBase } from './kb/types.js';
import type { SourceTree } from './ingest/tree.js';
import { guarded } from './ingest/guard.js';
import { Budget, limitsOf, type Limits } from './ingest/limits.js';
import { TOOL, VERSION } from './version.js';

export interface ReviewOptions {
  tree?: SourceTree;
  kernel?: string;
  ignore?: string[];
  kb?: KnowledgeBase;
  /** Only build the patch model (the `parse` command): no rules run. */
  parseOnly?: boolean;
  /** Per-message limits (src/ingest/limits.ts), defaults when absent. */
  limits?: Partial<Limits>;
}

export interface Reviewed extends ReviewResult {
  kb: KnowledgeBase;
}

/** Review messages that belong together (one input, one series, one pull request). */
export async function reviewMessages(
  messages: Message[],
  errors: InputError[],
  opts: ReviewOptions = {},
): Promise<Reviewed> {
  const kb = opts.kb ?? (await loadKnowledgeBase());
  const limits = limitsOf(opts.limits);
  // One message, one outcome: a patch model, or an error naming it (src/ingest/guard.ts).
  let patches: PatchModel[] = [];
  const budgets = new Map<PatchModel, Budget>();
  for (const msg of messages) {
    const budget = new Budget(limits.messageMs);
    const built = await guarded(msg.source, 'reading the patch', () => budget.race(buildPatch(msg, { tree: opts.tree, limits, budget }), 'reading the patch'));
    if (!built.ok) errors.push(built.error);
    else {
      patches.push(built.value);
      budgets.set(built.value, budget);
    }
  }
  let target: TargetInfo | undefined;
  if (!opts.parseOnly) {
    const t = (target = await resolveTarget(kb, { tree: opts.tree, kernel: opts.kernel }));
    const failed = new Set<PatchModel>();
    for (const patch of patches) {
      if (patch.kind !== 'patch' || patch.mangled) continue;
      const series = patches.filter((p) => p !== patch && p.seriesKey && p.seriesKey === patch.seriesKey);
      const budget = budgets.get(patch)!;
      const run = () => budget.race(reviewPatch(patch, { kb, target: t, tree: opts.tree, ignore: [...(opts.ignore ?? []), ...trailerIgnores(patch)], series }), 'reviewing');
      const found = await guarded(patch.source, 'reviewing', run);
      if (found.ok) patch.findings = found.value;
      else {
        errors.push(found.error);
        failed.add(patch);
      }
    }
    // A patch whose review failed is listed in errors only: no notes would read as "clean".
    patches = patches.filter((p) => !failed.has(p));
  }
  return { tool: TOOL, version: VERSION, target, patches, errors, kb };
}

/**
 * A known false positive, suppressed by the patch itself: a `vfio-review: ignore <id> ...`
 * trailer in its commit message (ids or TYPEs, separated by commas or spaces) silences those
 * rules for that patch only, wherever it is reviewed (CLI, Action, mailing-list job).
 */
export function trailerIgnores(patch: PatchModel): string[] {
  return patch.trailers
    .filter((t) => t.key.toLowerCase() === 'vfio-review')
    .flatMap((t) => /^ignore\s+(.+)$/i.exec(t.value.trim())?.[1].split(/[\s,]+/) ?? [])
    .filter(Boolean);
}

/**
 * The patch stage's call graph (with --tree), then the rules: analyzePatch reads no tree and
 * returns the findings, which the caller attaches. A graph that cannot be built is a note on
 * the patch model, and the review goes on without it.
 */
async function reviewPatch(patch: PatchModel, ctx: Omit<AnalyzeContext, 'graph'> & { tree?: SourceTree }): Promise<Finding[]> {
  const { tree, ...rest } = ctx;
  let graph: CallGraph | undefined;
  if (tree) {
    const built = await callGraphOrNote(patch, tree);
    graph = built.graph;
    if (built.note) patch.analysis = { mode: patch.analysis?.mode ?? 'fragment', treeNote: [patch.analysis?.treeNote, built.note].filter(Boolean).join('; ') };
  }
  return analyzePatch(patch, { ...rest, graph });
}

/** All findings of a result, in patch order. */
export function allFindings(result: ReviewResult): Finding[] {
  return result.patches.flatMap((p) => p.findings);
}

/** Exit-code policy: does any finding reach the --fail-on level? */
export function reachesFailOn(findings: Finding[], failOn: Severity | 'none'): boolean {
  if (failOn === 'none') return false;
  const limit = SEVERITIES.indexOf(failOn);
  return findings.some((f) => SEVERITIES.indexOf(f.severity) <= limit);
}
