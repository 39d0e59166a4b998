/**
 * Load and validate the risk rules (rules/<area>/<id>.yaml). Owned by the rules/engine work;
 * the facts loader (src/kb/index.ts) calls this and stores the result in KnowledgeBase.rules.
 */
import type { RuleMeta } from './types.js';

/** A loaded risk rule: the metadata reporters need plus the engine's spec (refined by the engine). */
export interface RuleDefinition extends RuleMeta {
  [key: string]: unknown;
}

/** Load every rule under `dir` (skipping rules/kb/ and test files). Throws UserError naming file, entry, field. */
export async function loadRules(dir: string): Promise<RuleDefinition[]> {
  void dir;
  return [];
}
