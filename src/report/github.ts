/**
 * The GitHub pull-request review built from findings: inline comments on lines that are in
 * the diff, everything else in the body. Pure: posting lives in src/post/github.ts.
 * (Owned by the reports work; the Action work consumes it.)
 */
import type { Finding, ReviewResult } from '../model.js';
import type { KnowledgeBase } from '../kb/types.js';

export interface ReviewComment {
  path: string;
  line: number;
  side: 'RIGHT' | 'LEFT';
  /** Markdown; ends with the hidden fingerprint marker. */
  body: string;
  fingerprint: string;
}

export interface ReviewPayload {
  /** Markdown summary with the restore-step table and the notes that could not be anchored. */
  body: string;
  comments: ReviewComment[];
  /** Findings whose line is not in the diff (they are in `body`). */
  outside: Finding[];
}

/** Hidden marker carried by every comment: `<!-- vfio-review:v1 fp=<fingerprint> -->`. */
export function fingerprintMarker(fingerprint: string): string {
  return `<!-- vfio-review:v1 fp=${fingerprint} -->`;
}

/** The fingerprint in a comment body, if it carries our marker. */
export function parseMarker(body: string): string | undefined {
  return /<!-- vfio-review:v1 fp=([A-Za-z0-9_.:-]+) -->/.exec(body)?.[1];
}

export function buildGithubReview(result: ReviewResult, ctx: { kb: KnowledgeBase }): ReviewPayload {
  void result;
  void ctx;
  throw new Error('buildGithubReview: not implemented yet');
}
