/**
 * Post a review payload to a pull request, idempotently: one review with the new inline
 * comments, earlier notes that still hold left alone, notes that no longer hold marked
 * resolved, and duplicates from a concurrent run removed. Pure REST, no checkout.
 */
import { stripMarkers, type ReviewComment, type ReviewPayload } from '../report/github.js';
import { escapeMarkdownLine } from '../report/escape.js';
import { indexDiff } from '../patch/lines.js';
import { MAX_INLINE_COMMENTS } from '../report/github.js';
import {
  authorFilter,
  listOurComments,
  listOurReviews,
  pullWhere,
  resolvedBody,
  reviewMarker,
  type OurComment,
  type PullTarget,
} from './comments.js';
import { dedupe } from './dedupe.js';
import { isPermissionDenied, statusOf, type GitHubClient } from './octokit.js';
import { cap, neutralize } from './text.js';

export type { PullTarget } from './comments.js';

/** What is posted: the payload of report/github.ts, outside-diff notes by fingerprint. */
export interface PostInput {
  body: string;
  comments: ReviewComment[];
  outside: string[];
}

export function postInput(p: ReviewPayload): PostInput {
  return { body: p.body, comments: p.comments, outside: p.outside.map((f) => f.fingerprint) };
}

export interface PostOptions {
  /** The pull request's diff, as analysed: every anchor is checked against it. */
  diff: string;
  /** Logins besides bot accounts whose marked comments are ours (when posting with a PAT). */
  botLogins?: string[];
  /** At most this many inline comments per run (GitHub's secondary limits); the rest go in the body. */
  maxInline?: number;
  log?: (line: string) => void;
}

export interface PostOutcome {
  reviewId?: number;
  /** Fingerprints posted inline now. */
  posted: string[];
  /** Fingerprints already posted earlier and still holding. */
  kept: string[];
  /** Fingerprints whose earlier comment was marked resolved. */
  resolved: string[];
  /** Fingerprints whose earlier comment still holds but now reads differently (a point of the cause fixed): edited in place. */
  updated: string[];
  /** Fingerprints that went into the review body instead of inline (anchor, 422, cap). */
  movedToBody: string[];
  duplicatesRemoved: number;
}

/** The token may read but not write (pull requests from forks under `pull_request`). */
export class ReadOnlyTokenError extends Error {
  constructor(what: string, refused = true) {
    super(`the token cannot write to the pull request (${what}${refused ? ': 403' : ''})`);
    this.name = 'ReadOnlyTokenError';
  }
}

const MAX_BODY = 60_000; // GitHub rejects review bodies over 65536 characters

export async function postReview(
  gh: GitHubClient,
  t: PullTarget,
  input: PostInput,
  opts: PostOptions,
): Promise<PostOutcome> {
  const log = opts.log ?? (() => {});
  // Defence in depth: whatever the reports quoted from the patch, the bot notifies nobody.
  const payload = { ...input, body: neutralize(input.body), comments: input.comments.map((c) => ({ ...c, body: neutralize(c.body) })) };
  const isOurs = authorFilter(opts.botLogins ?? []);
  // The same hunk index the reports anchored with, over the diff GitHub will check against.
  const anchors = indexDiff(opts.diff);
  const isAnchored = (c: ReviewComment) => anchors.has(c.path, c.line, c.side);
  const existing = await listOurComments(gh, t, isOurs);
  const active = new Map<string, OurComment>();
  for (const c of existing) if (!c.resolved && !active.has(c.fingerprint)) active.set(c.fingerprint, c);

  const current = new Set([...payload.comments.map((c) => c.fingerprint), ...payload.outside]);
  const anchorable = payload.comments.filter((c) => isAnchored(c));
  const unanchorable = payload.comments.filter((c) => !isAnchored(c) && !active.has(c.fingerprint));
  const fresh = anchorable.filter((c) => !active.has(c.fingerprint));
  const inline = fresh.slice(0, opts.maxInline ?? MAX_INLINE_COMMENTS);
  const overflow = fresh.slice(inline.length);
  const out: PostOutcome = {
    posted: [],
    kept: [...active.keys()].filter((fp) => current.has(fp)),
    resolved: [],
    updated: [],
    movedToBody: [...unanchorable, ...overflow].map((c) => c.fingerprint),
    duplicatesRemoved: 0,
  };
  for (const c of unanchorable) log(`not in the diff, moved to the review body: ${c.path}:${c.line} ${c.side}`);

  const bodyFps = [...payload.outside, ...out.movedToBody];
  const { key, marker } = reviewMarker(bodyFps);
  const earlier = await listOurReviews(gh, t, isOurs);
  const needReview = inline.length > 0 || (bodyFps.length > 0 && !earlier.some((r) => r.key === key));
  if (needReview) {
    const body = withNotes(payload.body, 'Notes not placed on a line', [...unanchorable, ...overflow], marker);
    const posted = await createReview(gh, t, body, inline, log);
    out.reviewId = posted.reviewId;
    out.posted = posted.posted;
    out.movedToBody.push(...posted.failed);
  }
  out.updated = await refreshKept(gh, t, payload.comments, active, log);
  out.resolved = await resolveStale(gh, t, existing, current, needReview || out.updated.length > 0, log);
  if (needReview) out.duplicatesRemoved = await dedupe(gh, t, isOurs, log);
  return out;
}

/** A review body: `head` (the report's summary), a section with notes not on a line (if any), then our marker. */
function withNotes(head: string, title: string, notes: ReviewComment[], marker: string): string {
  const section = notes.length ? `\n\n### ${title}\n\n${notes.map(noteSection).join('\n\n')}` : '';
  return cap(head + section, MAX_BODY) + `\n\n${marker}\n`;
}

function noteSection(c: ReviewComment): string {
  return `#### ${escapeMarkdownLine(c.path)}, line ${c.line}\n\n${stripMarkers(c.body)}`;
}

interface Created {
  reviewId?: number;
  posted: string[];
  failed: string[];
}

async function createReview(
  gh: GitHubClient,
  t: PullTarget,
  body: string,
  comments: ReviewComment[],
  log: (l: string) => void,
): Promise<Created> {
  try {
    const r = await gh.rest.pulls.createReview({
      ...pullWhere(t),
      commit_id: t.headSha,
      event: 'COMMENT',
      body,
      comments: comments.map(({ path, line, side, body }) => ({ path, line, side, body })),
    });
    return { reviewId: r.data.id, posted: comments.map((c) => c.fingerprint), failed: [] };
  } catch (err) {
    if (isPermissionDenied(err)) throw new ReadOnlyTokenError('creating the review');
    if (statusOf(err) !== 422 || comments.length === 0) throw err;
    // All-or-nothing and the 422 does not say which anchor: post the body, then each comment.
    log(`the review was refused (422); posting its ${comments.length} comments one by one`);
    return createOneByOne(gh, t, body, comments, log);
  }
}

async function createOneByOne(
  gh: GitHubClient,
  t: PullTarget,
  body: string,
  comments: ReviewComment[],
  log: (l: string) => void,
): Promise<Created> {
  const r = await gh.rest.pulls.createReview({ ...pullWhere(t), commit_id: t.headSha, event: 'COMMENT', body });
  const posted: string[] = [];
  const failed: ReviewComment[] = [];
  for (const c of comments) {
    try {
      await gh.rest.pulls.createReviewComment({ ...pullWhere(t), commit_id: t.headSha, path: c.path, line: c.line, side: c.side, body: c.body });
      posted.push(c.fingerprint);
    } catch (err) {
      if (statusOf(err) !== 422) throw err;
      log(`refused (422): ${c.path}:${c.line} ${c.side}; moved to the review body`);
      failed.push(c);
    }
  }
  if (failed.length > 0) {
    const [head, marker] = splitMarker(body);
    const newBody = withNotes(head, 'Notes GitHub would not place on a line', failed, marker);
    await gh.rest.pulls.updateReview({ ...pullWhere(t), review_id: r.data.id, body: newBody });
  }
  return { reviewId: r.data.id, posted, failed: failed.map((c) => c.fingerprint) };
}

function splitMarker(body: string): [string, string] {
  const i = body.lastIndexOf('<!-- vfio-review:v1 review');
  return i < 0 ? [body, ''] : [body.slice(0, i).trimEnd(), body.slice(i).trim()];
}

/**
 * One comment per cause: when a push fixes one point of a cause and the others still hold,
 * the comment is edited to say what still holds, instead of staying as it was.
 */
async function refreshKept(
  gh: GitHubClient,
  t: PullTarget,
  comments: ReviewComment[],
  active: Map<string, OurComment>,
  log: (l: string) => void,
): Promise<string[]> {
  const done: string[] = [];
  for (const c of comments) {
    const old = active.get(c.fingerprint);
    if (!old || stripMarkers(old.body) === stripMarkers(c.body)) continue;
    try {
      await gh.rest.pulls.updateReviewComment({ ...pullWhere(t), comment_id: old.id, body: c.body });
      done.push(c.fingerprint);
    } catch (err) {
      if (isPermissionDenied(err)) throw new ReadOnlyTokenError('updating a comment');
      if (statusOf(err) !== 404) throw err;
      log(`comment ${old.id} was deleted meanwhile: not edited`);
    }
  }
  return done;
}

/**
 * Mark our comments whose note no longer holds at the analysed head. A 403 means a read-only
 * token, unless this run has already written (then the comment belongs to another account that
 * also writes our markers, e.g. an earlier run with a different token): skip it.
 */
async function resolveStale(
  gh: GitHubClient,
  t: PullTarget,
  existing: OurComment[],
  current: Set<string>,
  wrote: boolean,
  log: (l: string) => void,
): Promise<string[]> {
  const done: string[] = [];
  for (const c of existing) {
    if (c.resolved || current.has(c.fingerprint)) continue;
    try {
      await gh.rest.pulls.updateReviewComment({ ...pullWhere(t), comment_id: c.id, body: resolvedBody(c.body, t.headSha) });
      done.push(c.fingerprint);
    } catch (err) {
      if (isPermissionDenied(err) && !wrote) throw new ReadOnlyTokenError('updating a comment');
      if (isPermissionDenied(err)) log(`cannot edit comment ${c.id} (another account's): left as it is`);
      else if (statusOf(err) !== 404) throw err; // 404: deleted meanwhile (a concurrent run's dedupe)
    }
  }
  return done;
}
