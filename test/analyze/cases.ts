/**
 * The rule test cases, for the tests: src/rules/cases.ts (shared with `explain`) read relative
 * to this project.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCases as readRuleCases, type RuleCases } from '../../src/rules/cases.js';

export type { ExpectedFinding, RuleCase, RuleCases } from '../../src/rules/cases.js';

export const PROJECT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Read a rule's test file (a path relative to the project). */
export function readCases(testFile: string): Promise<RuleCases> {
  return readRuleCases(testFile, PROJECT);
}
