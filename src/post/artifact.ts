/**
 * The review as a JSON file, for runs whose token cannot write (fork pull requests under
 * `pull_request`): a `workflow_run` workflow downloads it and posts it with a write token.
 * The file comes from a run the fork controls, so reading it validates everything and the
 * poster trusts only the trigger's repository and head SHA, never the file's claims.
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ReviewComment, ReviewPayload } from '../report/github.js';
import type { PullTarget } from './comments.js';
import { postInput } from './github.js';
import { neutralize } from './text.js';

export const ARTIFACT_SCHEMA = 'vfio-review/review-artifact@1';

export interface ReviewArtifact {
  schema: typeof ARTIFACT_SCHEMA;
  owner: string;
  repo: string;
  pullNumber: number;
  headSha: string;
  body: string;
  comments: ReviewComment[];
  /** Fingerprints of notes that are only in the body (outside the diff). */
  outside: string[];
}

export async function writeArtifact(path: string, t: PullTarget, p: ReviewPayload): Promise<void> {
  const a: ReviewArtifact = { schema: ARTIFACT_SCHEMA, ...t, ...postInput(p) };
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify(a, null, 2) + '\n');
}

const LIMITS = { comments: 200, body: 65_000, commentBody: 30_000, path: 4096 };

/** Read and validate an artifact; throws with the field at fault. */
export async function readArtifact(path: string): Promise<ReviewArtifact> {
  const raw = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  const fail = (field: string): never => {
    throw new Error(`${path}: invalid review artifact: ${field}`);
  };
  if (raw.schema !== ARTIFACT_SCHEMA) fail('schema');
  for (const k of ['owner', 'repo', 'headSha', 'body'] as const) if (typeof raw[k] !== 'string') fail(k);
  if (!/^[0-9a-f]{40}$/.test(raw.headSha as string)) fail('headSha');
  if (!Number.isInteger(raw.pullNumber) || (raw.pullNumber as number) < 1) fail('pullNumber');
  if ((raw.body as string).length > LIMITS.body) fail('body (too long)');
  if (!Array.isArray(raw.comments) || raw.comments.length > LIMITS.comments) fail('comments');
  if (!Array.isArray(raw.outside) || !raw.outside.every((x) => typeof x === 'string')) fail('outside');
  const comments = (raw.comments as unknown[]).map((c, i) => checkComment(c, `comments[${i}]`, fail));
  return {
    schema: ARTIFACT_SCHEMA,
    owner: raw.owner as string,
    repo: raw.repo as string,
    pullNumber: raw.pullNumber as number,
    headSha: raw.headSha as string,
    body: neutralize(raw.body as string),
    comments,
    outside: raw.outside as string[],
  };
}

function checkComment(c: unknown, where: string, fail: (f: string) => never): ReviewComment {
  const o = (c ?? {}) as Record<string, unknown>;
  if (typeof o.path !== 'string' || o.path.length > LIMITS.path) fail(`${where}.path`);
  if (!Number.isInteger(o.line) || (o.line as number) < 1) fail(`${where}.line`);
  if (o.side !== 'RIGHT' && o.side !== 'LEFT') fail(`${where}.side`);
  if (typeof o.body !== 'string' || o.body.length > LIMITS.commentBody) fail(`${where}.body`);
  if (typeof o.fingerprint !== 'string' || !/^[A-Za-z0-9_.:-]{1,200}$/.test(o.fingerprint)) fail(`${where}.fingerprint`);
  return {
    path: o.path as string,
    line: o.line as number,
    side: o.side as 'RIGHT' | 'LEFT',
    // A forged file must not be able to notify people through the bot.
    body: neutralize(o.body as string),
    fingerprint: o.fingerprint as string,
  };
}
