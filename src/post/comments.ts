/**
 * Our own earlier review comments and reviews on a pull request: found by the hidden
 * markers, so re-runs, new pushes and concurrent runs can update instead of repeating.
 */
import { createHash } from 'node:crypto';
import { parseMarker, stripMarkers } from '../report/github.js';
import type { GitHubClient } from './octokit.js';

export interface PullTarget {
  owner: string;
  repo: string;
  pullNumber: number;
  /** The head commit that was analysed: every comment is anchored to it. */
  headSha: string;
}

export interface OurComment {
  id: number;
  fingerprint: string;
  resolved: boolean;
  body: string;
  reviewId?: number;
  commitId: string;
}

export interface OurReview {
  id: number;
  key: string;
  commitId?: string;
  body: string;
}

/** The pull request in REST parameters. */
export function pullWhere(t: PullTarget): { owner: string; repo: string; pull_number: number } {
  return { owner: t.owner, repo: t.repo, pull_number: t.pullNumber };
}

/** Added to a comment whose note no longer holds; the fingerprint marker stays. */
export const RESOLVED_MARK = '<!-- vfio-review:resolved';
const REVIEW_MARK = /<!-- vfio-review:v1 review key=([0-9a-f]+) -->/;

interface User {
  login?: string;
  type?: string;
}

/** Whether an author is one of our accounts. */
export type IsOurs = (u: User | null | undefined) => boolean;

/** Who may have written our comments: bot accounts (the workflow token) or named logins (a PAT). */
export function authorFilter(botLogins: readonly string[]): IsOurs {
  const names = new Set(botLogins.map((l) => l.toLowerCase()));
  return (u) => !!u && (u.type === 'Bot' || names.has((u.login ?? '').toLowerCase()));
}

export async function listOurComments(gh: GitHubClient, t: PullTarget, isOurs: IsOurs): Promise<OurComment[]> {
  const all = await gh.paginate(gh.rest.pulls.listReviewComments, { ...pullWhere(t), per_page: 100 });
  return ours(all, isOurs, (c) => {
    const fingerprint = parseMarker(c.body ?? '');
    if (!fingerprint) return undefined;
    return {
      id: c.id,
      fingerprint,
      resolved: c.body.includes(RESOLVED_MARK),
      body: c.body,
      reviewId: c.pull_request_review_id ?? undefined,
      commitId: c.commit_id,
    };
  });
}

export async function listOurReviews(gh: GitHubClient, t: PullTarget, isOurs: IsOurs): Promise<OurReview[]> {
  const all = await gh.paginate(gh.rest.pulls.listReviews, { ...pullWhere(t), per_page: 100 });
  return ours(all, isOurs, (r) => {
    const key = REVIEW_MARK.exec(r.body ?? '')?.[1];
    return key ? { id: r.id, key, commitId: r.commit_id ?? undefined, body: r.body } : undefined;
  });
}

/**
 * The rows our accounts wrote, as `read` makes them (`read` returns undefined for a row that
 * is not ours after all, e.g. one without our marker), oldest first (GitHub's ids grow).
 */
export function ours<R extends { user?: User | null }, T extends { id: number }>(rows: readonly R[], isOurs: IsOurs, read: (row: R) => T | undefined): T[] {
  const out: T[] = [];
  for (const row of rows) {
    const x = isOurs(row.user) ? read(row) : undefined;
    if (x) out.push(x);
  }
  return out.sort((a, b) => a.id - b.id);
}

/** The marker of a review body: a hash of the notes it carries that are not inline comments. */
export function reviewMarker(bodyFingerprints: readonly string[]): { key: string; marker: string } {
  const key = createHash('sha256').update([...bodyFingerprints].sort().join('\n')).digest('hex').slice(0, 16);
  return { key, marker: `<!-- vfio-review:v1 review key=${key} -->` };
}

/** The body of a comment whose note no longer holds at `sha`: struck through, original kept folded. */
export function resolvedBody(body: string, sha: string): string {
  const fp = parseMarker(body);
  const original = stripMarkers(body);
  return [
    `**Resolved:** vfio-review no longer reports this note at ${sha.slice(0, 12)}.`,
    '',
    '<details><summary>Original note</summary>',
    '',
    original,
    '',
    '</details>',
    '',
    `<!-- vfio-review:v1 fp=${fp} -->`,
    `${RESOLVED_MARK} sha=${sha} -->`,
  ].join('\n');
}
