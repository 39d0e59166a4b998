/**
 * kb: load and validate everything in rules/ (facts in rules/kb/, risk rules elsewhere)
 * and decide which kernel a review targets.
 */
import { fileURLToPath } from 'node:url';
import { buildKnowledgeBase, loadKbFiles } from './load.js';
import { loadRules } from './rules.js';
import type { KnowledgeBase } from './types.js';

export type { KnowledgeBase } from './types.js';
export { resolveTarget, stateSavedGate, targetStepIds, treeShape } from './target.js';
export type { TreeShape, StepCall } from './shape.js';
export { stepByFunction } from './load.js';
export { renderStepTable, snapshotDependent } from './table.js';
export { verifyTree, formatVerify } from './verify.js';

/** Default rules folder: <project>/rules. */
export const RULES_DIR = fileURLToPath(new URL('../../rules/', import.meta.url));

/**
 * Load the facts (rules/kb/*.yaml) and the risk rules (rules/<area>/*.yaml), validating each
 * file against its schema. Throws UserError naming the file, the entry and the field.
 */
export async function loadKnowledgeBase(dir: string = RULES_DIR): Promise<KnowledgeBase> {
  const files = await loadKbFiles(dir);
  const rules = await loadRules(dir);
  return buildKnowledgeBase(dir, files, rules);
}
