/**
 * The pull request as data, through the REST API only: its diff, its commits and their
 * diffs. Nothing from the pull request is checked out or run.
 */
import type { PullEvent } from './event.js';
import { statusOf, type GitHubClient } from '../post/octokit.js';

export interface PullCommit {
  sha: string;
  parentSha?: string;
  message: string;
}

export interface PullData {
  title: string;
  url: string;
  /** The analysed head: all comments are anchored to it. */
  headSha: string;
  /** The base the diff applies to: file contents are read at it. */
  baseSha: string;
  diff: string;
  commits: PullCommit[];
}

export async function fetchPull(gh: GitHubClient, ev: PullEvent): Promise<PullData> {
  const where = { owner: ev.owner, repo: ev.repo, pull_number: ev.pullNumber };
  const pr = (await gh.rest.pulls.get(where)).data;
  const diff = await fetchPullDiff(gh, where);
  const commits = await gh.paginate(gh.rest.pulls.listCommits, { ...where, per_page: 100 });
  return {
    title: pr.title,
    url: pr.html_url,
    // The pull request may have moved on since the event: analyse and anchor to what we fetched.
    headSha: pr.head.sha,
    baseSha: pr.base.sha,
    diff,
    commits: commits.map((c) => ({ sha: c.sha, parentSha: c.parents[0]?.sha, message: c.commit.message })),
  };
}

/** The pull request's diff (diff media type), or for one too large for it, rebuilt from its files. */
export async function fetchPullDiff(gh: GitHubClient, where: { owner: string; repo: string; pull_number: number }): Promise<string> {
  try {
    const r = await gh.rest.pulls.get({ ...where, mediaType: { format: 'diff' } });
    return r.data as unknown as string;
  } catch (err) {
    // GitHub refuses the diff media type for very large pull requests (406): rebuild it from files.
    if (statusOf(err) !== 406) throw err;
    const files = await gh.paginate(gh.rest.pulls.listFiles, { ...where, per_page: 100 });
    return files.map((f) => fileDiff(f.filename, f.previous_filename, f.status, f.patch)).join('');
  }
}

function fileDiff(path: string, oldPath: string | undefined, status: string, patch: string | undefined): string {
  const a = status === 'added' ? '/dev/null' : `a/${oldPath ?? path}`;
  const b = status === 'removed' ? '/dev/null' : `b/${path}`;
  const head = `diff --git a/${oldPath ?? path} b/${path}\n--- ${a}\n+++ ${b}\n`;
  return patch ? `${head}${patch}\n` : head;
}

/** One commit's diff (against its first parent), diff media type. */
export async function fetchCommitDiff(gh: GitHubClient, owner: string, repo: string, sha: string): Promise<string> {
  const r = await gh.rest.repos.getCommit({ owner, repo, ref: sha, mediaType: { format: 'diff' } });
  return r.data as unknown as string;
}
