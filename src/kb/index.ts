/**
 * kb: load and validate everything in rules/ (facts in rules/kb/, risk rules elsewhere)
 * and decide which kernel a review targets.
 */
import type { TargetInfo } from '../model.js';
import type { SourceTree } from '../ingest/tree.js';
import type { KnowledgeBase } from './types.js';

export type { KnowledgeBase } from './types.js';

/** Default rules folder: <project>/rules. */
export const RULES_DIR = new URL('../../rules/', import.meta.url).pathname;

/**
 * Load the facts (rules/kb/*.yaml) and the risk rules (rules/<area>/*.yaml), validating each
 * file against its schema. Throws UserError naming the file, the entry and the field.
 */
export async function loadKnowledgeBase(dir: string = RULES_DIR): Promise<KnowledgeBase> {
  void dir;
  throw new Error('loadKnowledgeBase: not implemented yet');
}

/**
 * The kernel a review targets: the tree's own restore steps and fixes (recognised by code)
 * with --tree; the named line with --kernel; else the newest line the KB knows.
 */
export async function resolveTarget(
  kb: KnowledgeBase,
  opts: { tree?: SourceTree; kernel?: string },
): Promise<TargetInfo> {
  void kb;
  void opts;
  throw new Error('resolveTarget: not implemented yet');
}
