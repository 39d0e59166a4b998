/**
 * The Action's inputs (action.yml documents them). Invalid values fail the step with the
 * input's name, before anything talks to GitHub.
 */
import * as core from '@actions/core';
import type { Severity } from '../model.js';
import type { PostOptions } from '../post/github.js';

export type Mode = 'review' | 'summary' | 'auto';

export interface Inputs {
  token: string;
  failOn: Severity | 'none';
  ignore: string[];
  kernel?: string;
  tree?: string;
  mode: Mode;
  maxComments: number;
  botLogins: string[];
  /** Post a review artifact written by a read-only run (the workflow_run poster). */
  postArtifact?: string;
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new Error(`input ${name}: "${value}" is not one of ${allowed.join(', ')}`);
}

function list(value: string): string[] {
  return value.split(/[\s,]+/).filter(Boolean);
}

export function readInputs(): Inputs {
  const token = core.getInput('github-token', { required: true });
  // Mask first: nothing after this line can print it.
  core.setSecret(token);
  const max = Number(core.getInput('max-comments') || '30');
  if (!Number.isInteger(max) || max < 0) throw new Error(`input max-comments: "${core.getInput('max-comments')}" is not a count`);
  return {
    token,
    failOn: oneOf('fail-on', core.getInput('fail-on') || 'error', ['error', 'warning', 'check', 'none'] as const),
    ignore: list(core.getInput('ignore')),
    kernel: core.getInput('kernel') || undefined,
    tree: core.getInput('tree') || undefined,
    mode: oneOf('mode', core.getInput('mode') || 'auto', ['review', 'summary', 'auto'] as const),
    maxComments: max,
    botLogins: list(core.getInput('bot-login')),
    postArtifact: core.getInput('post-artifact') || undefined,
  };
}

/** How the inputs shape posting a review (the review run and the workflow_run poster alike). */
export function postOptions(inputs: Inputs, diff: string, log: (line: string) => void): PostOptions {
  return { diff, botLogins: inputs.botLogins, maxInline: inputs.maxComments, log };
}
