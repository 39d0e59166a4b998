/** What every renderer is given besides the review result (its own file: the renderers and index.ts both need it). */
import type { KnowledgeBase } from '../kb/types.js';

export interface ReportContext {
  kb: KnowledgeBase;
  /** checkpatch's --terse: one line per finding. */
  terse?: boolean;
  /** checkpatch's -v: each finding's full explanation and the whole restore-step table. */
  verbose?: boolean;
  /** checkpatch's -q: only patches with notes (and their totals). */
  quiet?: boolean;
}
