/**
 * The second half of the fork flow: under `workflow_run` (base repository, write token), post
 * the review artifact a read-only `pull_request` run saved. The artifact came from a run the
 * fork controls: it is validated, bound to the triggering run's head SHA, its anchors are
 * checked against the pull request's diff fetched here, and mentions are neutralised.
 */
import * as core from '@actions/core';
import type { ActionEvent } from './event.js';
import { postOptions, type Inputs } from './inputs.js';
import { readArtifact } from '../post/artifact.js';
import { postReview } from '../post/github.js';
import type { GitHubClient } from '../post/octokit.js';
import { fetchPullDiff } from './fetch.js';

export async function postArtifactRun(gh: GitHubClient, ev: ActionEvent, inputs: Inputs, log: (m: string) => void): Promise<void> {
  const a = await readArtifact(inputs.postArtifact as string);
  if (ev.kind !== 'workflow_run') throw new Error('post-artifact runs under workflow_run (see docs/github-action.md)');
  if (a.owner !== ev.owner || a.repo !== ev.repo) throw new Error(`artifact is for ${a.owner}/${a.repo}, this run is ${ev.owner}/${ev.repo}`);
  if (a.headSha !== ev.headSha) throw new Error(`artifact is for ${a.headSha}, the triggering run built ${ev.headSha}`);
  const where = { owner: ev.owner, repo: ev.repo, pull_number: a.pullNumber };
  const pr = (await gh.rest.pulls.get(where)).data;
  if (pr.head.sha !== a.headSha) {
    // The pull request moved on: a newer run will bring its own artifact.
    log(`pull request #${a.pullNumber} is now at ${pr.head.sha}, not ${a.headSha}: nothing posted`);
    core.setOutput('posted', 'none');
    return;
  }
  const diff = await fetchPullDiff(gh, where);
  const target = { owner: a.owner, repo: a.repo, pullNumber: a.pullNumber, headSha: a.headSha };
  const out = await postReview(gh, target, { body: a.body, comments: a.comments, outside: a.outside }, postOptions(inputs, diff, log));
  log(`artifact posted: ${out.posted.length} new, ${out.kept.length} kept, ${out.resolved.length} resolved`);
  core.setOutput('posted', 'review');
}
