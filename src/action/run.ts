/**
 * The Action, start to end: inputs -> event -> pull request through the API -> pipeline ->
 * review posted (or, with a read-only token, job summary + annotations + artifact) -> outputs.
 */
import * as core from '@actions/core';
import { join } from 'node:path';
import type { Finding } from '../model.js';
import { allFindings, reachesFailOn } from '../pipeline.js';
import type { KnowledgeBase } from '../kb/types.js';
import { openTree, type SourceTree } from '../ingest/tree.js';
import { postOptions, readInputs, type Inputs } from './inputs.js';
import { readEvent, type PullEvent } from './event.js';
import { fetchPull } from './fetch.js';
import { openApiTree } from './api-tree.js';
import { reviewPull } from './review.js';
import { buildPayload } from './payload.js';
import { annotate, setCounts, workDir, writeJobSummary, writeSarif } from './outputs.js';
import { postArtifactRun } from './poster.js';
import { createClient, waitUnitFromEnv, type GitHubClient } from '../post/octokit.js';
import { postInput, postReview, ReadOnlyTokenError, type PostOutcome, type PullTarget } from '../post/github.js';
import type { ReviewPayload } from '../report/github.js';
import { upsertSummaryComment } from '../post/summary-comment.js';
import { writeArtifact } from '../post/artifact.js';
import { redact } from '../post/text.js';

export interface RunContext {
  /** The knowledge base to use (the bundle loads it from next to itself). */
  kb?: () => Promise<KnowledgeBase | undefined>;
}

export async function run(ctx: RunContext = {}): Promise<void> {
  let secrets: string[] = [];
  try {
    const inputs = readInputs();
    secrets = [inputs.token];
    const log = (m: string) => core.info(redact(m, secrets));
    const gh = createClient({ token: inputs.token, baseUrl: process.env.GITHUB_API_URL, waitUnitMs: waitUnitFromEnv(), log });
    const ev = await readEvent();
    if (inputs.postArtifact) return await postArtifactRun(gh, ev, inputs, log);
    if (ev.kind !== 'pull') {
      core.warning(`vfio-review reviews pull requests; nothing to do for the ${ev.kind === 'other' ? ev.name : ev.kind} event`);
      return;
    }
    await reviewRun(gh, ev, inputs, log, (await ctx.kb?.()) ?? undefined);
  } catch (err) {
    if (err instanceof Error && err.stack) core.debug(redact(err.stack, secrets));
    core.setFailed(redact(err instanceof Error ? err.message : String(err), secrets));
  }
}

async function reviewRun(gh: GitHubClient, ev: PullEvent, inputs: Inputs, log: (m: string) => void, kb?: KnowledgeBase): Promise<void> {
  const pull = await fetchPull(gh, ev);
  log(`reviewing ${ev.owner}/${ev.repo}#${ev.pullNumber} at ${pull.headSha} (base ${pull.baseSha})`);
  const local: SourceTree | undefined = inputs.tree ? await openTree(inputs.tree) : undefined;
  // One API tree per commit: the base is usually also the first commit's parent, read once.
  const apiTrees = new Map<string, Promise<SourceTree>>();
  const treeAt = async (sha: string) => {
    if (local) return local;
    if (!apiTrees.has(sha)) apiTrees.set(sha, openApiTree(gh, ev.owner, ev.repo, sha, { log }));
    return apiTrees.get(sha);
  };
  const reviewed = await reviewPull(gh, ev.owner, ev.repo, pull, { kb, kernel: inputs.kernel, ignore: inputs.ignore, treeAt, log });
  const findings = allFindings(reviewed.result);
  setCounts(findings);
  const dir = workDir();
  await writeSarif(reviewed.result, dir);

  const payload = buildPayload(reviewed);
  const target = { owner: ev.owner, repo: ev.repo, pullNumber: ev.pullNumber, headSha: pull.headSha };
  const artifact = join(dir, 'review.json');
  await writeArtifact(artifact, target, payload);
  core.setOutput('review-json', artifact);

  let status: string;
  let posted = inputs.mode === 'summary' ? 'summary' : 'review';
  try {
    status = await publish(gh, ev, inputs, pull.diff, target, payload, log);
  } catch (err) {
    if (!(err instanceof ReadOnlyTokenError)) throw err;
    log(`${err.message}: findings go to the job summary, annotations and ${artifact}`);
    status = readOnlyNote(artifact);
    posted = 'artifact';
  }
  core.setOutput('posted', posted);
  // Without inline comments, annotations put the notes on the lines of "Files changed".
  if (posted !== 'review') annotate(findings);
  log(status);
  await writeJobSummary(reviewed.result, `### Posting\n\n${status}`);
  fail(findings, inputs);
}

/** Post the review (or the summary comment); throws ReadOnlyTokenError when the token cannot write. */
async function publish(
  gh: GitHubClient,
  ev: PullEvent,
  inputs: Inputs,
  diff: string,
  target: PullTarget,
  payload: ReviewPayload,
  log: (m: string) => void,
): Promise<string> {
  // Under pull_request a fork's token is read-only: in auto mode, do not even try.
  if (inputs.mode === 'auto' && ev.name === 'pull_request' && ev.fromFork) {
    throw new ReadOnlyTokenError('a pull request from a fork, under pull_request', false);
  }
  if (inputs.mode === 'summary') {
    const r = await upsertSummaryComment(gh, target, payload.body, inputs.botLogins);
    return r.changed ? 'Summary comment updated.' : 'Summary comment unchanged.';
  }
  const out = await postReview(gh, target, postInput(payload), postOptions(inputs, diff, log));
  return describe(out);
}

function describe(o: PostOutcome): string {
  const parts = [
    o.reviewId ? `Review ${o.reviewId} posted with ${o.posted.length} inline note(s).` : 'No new review: nothing new to say.',
    `${o.kept.length} earlier note(s) still hold, ${o.resolved.length} marked resolved.`,
  ];
  if (o.movedToBody.length) parts.push(`${o.movedToBody.length} note(s) could not be placed on a line and are in the review body.`);
  if (o.duplicatesRemoved) parts.push(`${o.duplicatesRemoved} duplicate(s) from a concurrent run removed.`);
  return parts.join(' ');
}

function readOnlyNote(artifact: string): string {
  return (
    'The token cannot write to this pull request (a fork under `pull_request`), so nothing was posted. ' +
    `The notes are above and as annotations; the review is saved as \`${artifact}\` for a \`workflow_run\` ` +
    'workflow to post (see docs/github-action.md).'
  );
}

function fail(findings: Finding[], inputs: Inputs): void {
  if (!reachesFailOn(findings, inputs.failOn)) return;
  core.setFailed(`vfio-review: ${findings.length} note(s), at least one at or above ${inputs.failOn}`);
}
