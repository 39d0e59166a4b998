/**
 * The `parse --format text` summary: a few lines per patch for a human.
 */
import type { ReviewResult } from '../model.js';

export function summarizeModel(result: Omit<ReviewResult, 'kb'>): string {
  void result;
  throw new Error('summarizeModel: not implemented yet');
}
