/**
 * analyze: risk rules over a patch model -> findings. Knows nothing of where the patch
 * came from or where the notes go.
 */
import type { Finding, PatchModel, TargetInfo } from '../model.js';
import type { KnowledgeBase } from '../kb/types.js';
import type { SourceTree } from '../ingest/tree.js';

export interface AnalyzeContext {
  kb: KnowledgeBase;
  target: TargetInfo;
  /** With --tree: for the call graph of the post-patch files. */
  tree?: SourceTree;
  /** Rule ids (or TYPEs) to skip. */
  ignore?: string[];
  /** The other patches of the same series, in order (helpers added by an earlier part). */
  series?: PatchModel[];
}

/** Run every rule over one patch; findings are only for what the patch adds or touches. */
export function analyzePatch(patch: PatchModel, ctx: AnalyzeContext): Finding[] {
  void patch;
  void ctx;
  throw new Error('analyzePatch: not implemented yet');
}
