/**
 * Concurrent runs on one pull request both see "not posted yet" and both post. Each run,
 * after posting, re-lists and deletes every later copy of a note (by fingerprint, keeping the
 * oldest comment), and folds a later review that lost all its comments. Every run computes
 * the same survivors, so whichever order they finish in, one copy remains.
 */
import { listOurComments, listOurReviews, pullWhere, type IsOurs, type PullTarget } from './comments.js';
import { statusOf, type GitHubClient } from './octokit.js';

export async function dedupe(gh: GitHubClient, t: PullTarget, isOurs: IsOurs, log: (l: string) => void): Promise<number> {
  const comments = await listOurComments(gh, t, isOurs);
  const seen = new Set<string>();
  let removed = 0;
  const removedReviews = new Set<number>();
  for (const c of comments) {
    if (c.resolved) continue;
    if (!seen.has(c.fingerprint)) {
      seen.add(c.fingerprint);
      continue;
    }
    try {
      await gh.rest.pulls.deleteReviewComment({ owner: t.owner, repo: t.repo, comment_id: c.id });
      removed++;
    } catch (err) {
      if (statusOf(err) !== 404) throw err; // the other run deleted it first
    }
    if (c.reviewId) removedReviews.add(c.reviewId);
  }
  if (removed > 0) log(`removed ${removed} duplicate comment(s) left by a concurrent run`);
  await foldEmptyDuplicates(gh, t, isOurs, comments, removedReviews);
  return removed;
}

/** A later review with the same notes on the same commit whose comments were all duplicates. */
async function foldEmptyDuplicates(
  gh: GitHubClient,
  t: PullTarget,
  isOurs: IsOurs,
  comments: Awaited<ReturnType<typeof listOurComments>>,
  touched: Set<number>,
): Promise<void> {
  if (touched.size === 0) return;
  const reviews = await listOurReviews(gh, t, isOurs);
  for (const r of reviews) {
    if (!touched.has(r.id)) continue;
    const first = reviews.find((o) => o.key === r.key && o.commitId === r.commitId);
    if (!first || first.id === r.id) continue;
    const survivors = comments.filter((c) => c.reviewId === r.id && !wasDuplicate(c, comments));
    if (survivors.length > 0) continue;
    const body = `_Duplicate of an earlier vfio-review run on the same commit; see the review above._\n\n<!-- vfio-review:v1 review key=${r.key}-dup -->\n`;
    await gh.rest.pulls.updateReview({ ...pullWhere(t), review_id: r.id, body });
  }
}

function wasDuplicate(c: { id: number; fingerprint: string; resolved: boolean }, all: typeof c[]): boolean {
  return !c.resolved && all.some((o) => !o.resolved && o.fingerprint === c.fingerprint && o.id < c.id);
}
