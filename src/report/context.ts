/** What every renderer is given besides the review result (its own file: the renderers and index.ts both need it). */
import type { KnowledgeBase } from '../kb/types.js';

export interface ReportContext {
  kb: KnowledgeBase;
  /** checkpatch's --terse: one line per finding. */
  terse?: boolean;
}
