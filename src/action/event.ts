/**
 * The workflow event, read from GITHUB_EVENT_PATH. Only what the Action needs; the rest of the
 * payload is ignored. Nothing here is trusted for posting except the repository and number.
 */
import { readFile } from 'node:fs/promises';

export interface PullEvent {
  kind: 'pull';
  name: 'pull_request' | 'pull_request_target';
  owner: string;
  repo: string;
  pullNumber: number;
  headSha: string;
  /** The head branch lives in another repository: under `pull_request` the token is read-only. */
  fromFork: boolean;
}

export interface WorkflowRunEvent {
  kind: 'workflow_run';
  owner: string;
  repo: string;
  /** The head SHA of the run that produced the artifact: what the artifact must be about. */
  headSha: string;
  runId: number;
}

export interface OtherEvent {
  kind: 'other';
  name: string;
}

export type ActionEvent = PullEvent | WorkflowRunEvent | OtherEvent;

// The event payload is large and loosely typed; only the fields read below matter.
type Json = Record<string, any>;

export async function readEvent(env: NodeJS.ProcessEnv = process.env): Promise<ActionEvent> {
  const name = env.GITHUB_EVENT_NAME ?? '';
  const path = env.GITHUB_EVENT_PATH;
  if (!path) throw new Error('GITHUB_EVENT_PATH is not set: is this running in GitHub Actions?');
  const ev = JSON.parse(await readFile(path, 'utf8')) as Json;
  if (name === 'pull_request' || name === 'pull_request_target') return pullEvent(name, ev);
  if (name === 'workflow_run') return runEvent(ev, env);
  return { kind: 'other', name };
}

function pullEvent(name: PullEvent['name'], ev: Json): PullEvent {
  const pr = ev.pull_request as Json | undefined;
  if (!pr) throw new Error(`${name} event without pull_request`);
  const base = (ev.repository ?? pr.base?.repo) as Json;
  const headRepo = pr.head?.repo as Json | null;
  return {
    kind: 'pull',
    name,
    owner: String(base.owner?.login),
    repo: String(base.name),
    pullNumber: Number(pr.number ?? ev.number),
    headSha: String(pr.head?.sha),
    // A deleted fork has head.repo null: it is a fork all the same.
    fromFork: !headRepo || headRepo.full_name !== base.full_name,
  };
}

function runEvent(ev: Json, env: NodeJS.ProcessEnv): WorkflowRunEvent {
  const run = ev.workflow_run as Json | undefined;
  if (!run) throw new Error('workflow_run event without workflow_run');
  const [owner, repo] = String(env.GITHUB_REPOSITORY ?? ev.repository?.full_name).split('/');
  return { kind: 'workflow_run', owner, repo, headSha: String(run.head_sha), runId: Number(run.id) };
}
