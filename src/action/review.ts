/**
 * Review a pull request: the whole diff as one patch (full files read at base through the
 * API), and each commit on its own when several commits touch vfio/pci, so a note can say
 * which commit introduced it and notes on intermediate commits are not lost.
 */
import type { Finding, Message } from '../model.js';
import { allFindings, reviewMessages, type Reviewed } from '../pipeline.js';
import type { KnowledgeBase } from '../kb/types.js';
import type { SourceTree } from '../ingest/tree.js';
import { FOLLOWED_GLOBS, filesInText, globMatcher } from '../patch/followed.js';
import { fetchCommitDiff, type PullCommit, type PullData } from './fetch.js';
import type { GitHubClient } from '../post/octokit.js';

export interface ReviewSettings {
  kb?: KnowledgeBase;
  kernel?: string;
  ignore: string[];
  /** The tree the pull request applies to at a commit (API-backed, or a checked-out tree). */
  treeAt: (sha: string) => Promise<SourceTree | undefined>;
  maxCommits?: number;
  log?: (line: string) => void;
}

export interface CommitNote {
  commit: PullCommit;
  finding: Finding;
}

export interface PullReview {
  result: Reviewed;
  /** Fingerprint -> commits whose own review reports it. */
  introducedBy: Map<string, PullCommit[]>;
  /** Notes a commit has that the pull request as a whole does not (fixed by a later commit). */
  commitOnly: CommitNote[];
}

const followed = globMatcher(FOLLOWED_GLOBS);

function pullMessage(pull: PullData): Message {
  return { source: pull.url, subject: pull.title, body: pull.diff, references: [], to: [], cc: [], attachments: [] };
}

function commitMessage(pull: PullData, c: PullCommit, diff: string): Message {
  const subject = c.message.split('\n', 1)[0];
  const body = `${c.message.trimEnd()}\n---\n\n${diff}`;
  return { source: `${pull.url}/commits/${c.sha}`, subject, body, references: [], to: [], cc: [], attachments: [] };
}

/** The pipeline over one message; a tree without drivers/pci/pci.c falls back to the kernel input. */
function review(msg: Message, tree: SourceTree | undefined, s: ReviewSettings, kb?: KnowledgeBase): Promise<Reviewed> {
  return reviewMessages([msg], [], { kb, kernel: s.kernel, ignore: s.ignore, tree });
}

export async function reviewPull(gh: GitHubClient, owner: string, repo: string, pull: PullData, s: ReviewSettings): Promise<PullReview> {
  const result = await review(pullMessage(pull), await s.treeAt(pull.baseSha), s, s.kb);
  const introducedBy = new Map<string, PullCommit[]>();
  const commitOnly: CommitNote[] = [];
  if (pull.commits.length < 2 || pull.commits.length > (s.maxCommits ?? 20)) return { result, introducedBy, commitOnly };

  const relevant: { c: PullCommit; diff: string }[] = [];
  for (const c of pull.commits) {
    const diff = await fetchCommitDiff(gh, owner, repo, c.sha);
    if (filesInText([diff]).some(followed)) relevant.push({ c, diff });
  }
  if (relevant.length < 2) return { result, introducedBy, commitOnly };
  s.log?.(`${relevant.length} commits touch vfio/pci: reviewing each as well`);

  const whole = new Set(allFindings(result).map((f) => f.fingerprint));
  const seenOnly = new Set<string>();
  for (const { c, diff } of relevant) {
    const r = await review(commitMessage(pull, c, diff), c.parentSha ? await s.treeAt(c.parentSha) : undefined, s, result.kb);
    for (const f of allFindings(r)) {
      if (whole.has(f.fingerprint)) introducedBy.set(f.fingerprint, [...(introducedBy.get(f.fingerprint) ?? []), c]);
      else if (!seenOnly.has(f.fingerprint)) {
        seenOnly.add(f.fingerprint);
        commitOnly.push({ commit: c, finding: f });
      }
    }
  }
  return { result, introducedBy, commitOnly };
}
