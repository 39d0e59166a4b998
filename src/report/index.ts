/**
 * report: findings -> text. Every format is a pure function of the review result.
 */
import type { ReviewResult } from '../model.js';
import type { KnowledgeBase } from '../kb/types.js';

export type ReportFormat = 'text' | 'email' | 'markdown' | 'json' | 'sarif' | 'b4';
export const REPORT_FORMATS: readonly ReportFormat[] = ['text', 'email', 'markdown', 'json', 'sarif', 'b4'];

export interface ReportContext {
  kb: KnowledgeBase;
  /** checkpatch's --terse: one line per finding. */
  terse?: boolean;
}

export function render(format: ReportFormat, result: ReviewResult, ctx: ReportContext): string {
  void format;
  void result;
  void ctx;
  throw new Error('render: not implemented yet');
}
