/**
 * The restore-step table in reports. The table itself is the knowledge base's
 * (src/kb/table.ts renderStepTable), so `kb table`, notes and comments show the same thing;
 * this module only chooses the kernel line and the steps to mark.
 */
import type { Finding, ReviewResult } from '../model.js';
import type { KnowledgeBase } from '../kb/types.js';
import { renderStepTable } from '../kb/table.js';
import { stepsOf, targetLineId } from './common.js';

/** The restore-step table of the target (a --tree's own steps, else its line) with the findings' steps marked. */
export function stepTable(
  result: ReviewResult,
  kb: KnowledgeBase,
  findings: readonly Finding[],
  format: 'text' | 'markdown',
  only = false,
): string {
  const lineId = targetLineId(result, kb);
  return renderStepTable(kb, lineId, { format, mark: stepsOf(findings), steps: result.target?.steps, only }).replace(/\s+$/, '');
}

/** Whether a table is worth showing: some finding names restore steps. */
export function hasSteps(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.steps.length > 0);
}
