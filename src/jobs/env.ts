/** What every phase of a run needs, built once by job.ts. */
import type { Log } from './progress.js';
import type { Policy } from './policy.js';
import type { Db } from './state.js';

export interface JobEnv {
  db: Db;
  policy: Policy;
  log: Log;
  outbox: string;
  /** Reply to clean patches too ("no issues found"). */
  positive: boolean;
  /** smtp://host:port (or smtps://user:pass@host): send; undefined: dry run, .eml files only. */
  smtp?: string;
  patchwork?: { url: string; token?: string };
}
