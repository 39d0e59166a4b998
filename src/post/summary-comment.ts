/**
 * mode: summary: one pull request (issue) comment with the report, edited in place on every
 * run instead of adding a new one.
 */
import type { PullTarget } from './comments.js';
import { authorFilter, ours } from './comments.js';
import { isPermissionDenied, type GitHubClient } from './octokit.js';
import { ReadOnlyTokenError } from './github.js';
import { cap, neutralize } from './text.js';
import { SUMMARY_MARKER as MARK } from '../report/github.js';

export async function upsertSummaryComment(
  gh: GitHubClient,
  t: PullTarget,
  markdown: string,
  botLogins: string[] = [],
): Promise<{ id: number; changed: boolean }> {
  const isOurs = authorFilter(botLogins);
  const where = { owner: t.owner, repo: t.repo, issue_number: t.pullNumber };
  // The report's body may carry the marker already.
  const text = cap(neutralize(markdown), 60_000);
  // Check the capped text: truncation may have cut the report's own marker off its end.
  const body = text.includes(MARK) ? text : `${text}\n\n${MARK}\n`;
  const all = await gh.paginate(gh.rest.issues.listComments, { ...where, per_page: 100 });
  const mine = ours(all, isOurs, (c) => ((c.body ?? '').includes(MARK) ? c : undefined))[0];
  try {
    if (!mine) return { id: (await gh.rest.issues.createComment({ ...where, body })).data.id, changed: true };
    if (mine.body === body) return { id: mine.id, changed: false };
    await gh.rest.issues.updateComment({ owner: t.owner, repo: t.repo, comment_id: mine.id, body });
    return { id: mine.id, changed: true };
  } catch (err) {
    if (isPermissionDenied(err)) throw new ReadOnlyTokenError('writing the summary comment');
    throw err;
  }
}
