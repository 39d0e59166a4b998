/**
 * patch: a Message -> a PatchModel (commit message, trailers, files, hunks, C functions,
 * callback assignments). With a SourceTree, whole pre/post files are analysed.
 * (Owned by the intake work, issue #2; signatures are the contract between stages.)
 */
import type { Message, PatchModel } from '../model.js';
import type { SourceTree } from '../ingest/tree.js';

export interface PatchOptions {
  /** A kernel tree to apply the patch to in memory (whole-file analysis). */
  tree?: SourceTree;
}

/** Build the patch model of one message. Never throws for a bad diff: sets `mangled`. */
export async function buildPatch(msg: Message, opts: PatchOptions = {}): Promise<PatchModel> {
  void msg;
  void opts;
  throw new Error('buildPatch: not implemented yet');
}
