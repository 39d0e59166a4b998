/**
 * kb: load and validate everything in rules/ (facts in rules/kb/, risk rules elsewhere)
 * and decide which kernel a review targets.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildKnowledgeBase, loadKbFiles } from './load.js';
import { loadRules } from '../rules/load.js';
import { compileRules } from '../rules/compile.js';
import { readSnapshot } from './snapshot.js';
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
 * file against its schema, and compile the rules. Throws UserError naming the file, the entry
 * and the field.
 */
export async function loadKnowledgeBase(dir: string = RULES_DIR): Promise<KnowledgeBase> {
  // The package's own rules/ come from the build's snapshot while it matches them (snapshot.ts).
  const own = resolve(dir) === resolve(RULES_DIR);
  const sources = (own ? await readSnapshot<KbSources>(dir) : undefined) ?? (await loadKbSources(dir));
  return buildKnowledgeBase(dir, sources.files, compileRules(sources.rules));
}

/** What the YAML loaders return for a rules folder: plain data, as the snapshot stores it. */
export type KbSources = { files: Awaited<ReturnType<typeof loadKbFiles>>; rules: Awaited<ReturnType<typeof loadRules>> };

/** Read and validate a rules folder's YAML (facts and rules). */
export async function loadKbSources(dir: string): Promise<KbSources> {
  return { files: await loadKbFiles(dir), rules: await loadRules(dir) };
}
