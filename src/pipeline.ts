/**
 * The review pipeline, one way: messages -> patch models -> findings.
 * Used by the CLI, the GitHub Action and the mailing-list job alike; it neither reads
 * inputs nor posts notes.
 */
import type { Finding, InputError, Message, PatchModel, ReviewResult, Severity, TargetInfo } from './model.js';
import { SEVERITIES } from './model.js';
import { buildPatch } from './patch/index.js';
import { analyzePatchAsync } from './analyze/index.js';
import { loadKnowledgeBase, resolveTarget } from './kb/index.js';
import type { KnowledgeBase } from './kb/types.js';
import type { SourceTree } from './ingest/tree.js';
import { TOOL, VERSION } from './version.js';

export interface ReviewOptions {
  tree?: SourceTree;
  kernel?: string;
  ignore?: string[];
  kb?: KnowledgeBase;
  /** Only build the patch model (the `parse` command): no rules run. */
  parseOnly?: boolean;
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
  const patches: PatchModel[] = [];
  for (const msg of messages) patches.push(await buildPatch(msg, { tree: opts.tree }));
  let target: TargetInfo | undefined;
  if (!opts.parseOnly) {
    target = await resolveTarget(kb, { tree: opts.tree, kernel: opts.kernel });
    for (const patch of patches) {
      if (patch.kind !== 'patch' || patch.mangled) continue;
      const series = patches.filter((p) => p !== patch && p.seriesKey && p.seriesKey === patch.seriesKey);
      const ignore = [...(opts.ignore ?? []), ...trailerIgnores(patch)];
      patch.findings = await analyzePatchAsync(patch, { kb, target, tree: opts.tree, ignore, series });
    }
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
