/**
 * The one way vfio-review talks to GitHub's REST API: @octokit/rest with retries (5xx, resets)
 * and throttling (primary and secondary rate limits), all waits bounded and scalable so
 * tests run in milliseconds.
 */
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck/light.js';

export const GitHub = Octokit.plugin(retry, throttling);
export type GitHubClient = InstanceType<typeof GitHub>;

export interface ClientOptions {
  token: string;
  /** GITHUB_API_URL; GitHub Enterprise Server has its own. */
  baseUrl?: string;
  /**
   * Milliseconds per "second" of every wait (retry back-off, retry-after, write spacing).
   * 1000 in production; tests use a few ms. Env: VFIO_REVIEW_WAIT_UNIT_MS.
   */
  waitUnitMs?: number;
  /** Give up rather than wait longer than this many seconds for a rate limit. */
  maxWaitSeconds?: number;
  /** Retries per request (5xx, resets, rate limits). */
  retries?: number;
  log?: (line: string) => void;
}

export function waitUnitFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.VFIO_REVIEW_WAIT_UNIT_MS);
  return Number.isFinite(n) && n >= 0 && env.VFIO_REVIEW_WAIT_UNIT_MS !== '' ? n : 1000;
}

let clients = 0;

export function createClient(opts: ClientOptions): GitHubClient {
  const unit = opts.waitUnitMs ?? 1000;
  const retries = opts.retries ?? 3;
  const maxWait = opts.maxWaitSeconds ?? 120;
  const log = opts.log ?? (() => {});
  // Retry a rate-limited request a bounded number of times, and only for a bounded wait.
  const onLimit = (kind: string) => (after: number, o: { method: string; url: string }, _k: unknown, count: number) => {
    const ok = count < retries && after <= maxWait;
    log(`${kind} on ${o.method} ${o.url}: ${ok ? `retrying in ${after}s` : 'giving up'}`);
    return ok;
  };
  return new GitHub({
    auth: opts.token,
    baseUrl: (opts.baseUrl ?? 'https://api.github.com').replace(/\/+$/, ''),
    userAgent: 'vfio-review',
    // Failed requests are logged by whoever handles them (a 404 is often an answer, not an error).
    log: { debug: () => {}, info: () => {}, warn: (m: string) => log(m), error: () => {} },
    // plugin-retry's list plus 406 (a diff too large for the diff media type will stay too large).
    retry: { retries, retryAfterBaseValue: unit, doNotRetry: [400, 401, 403, 404, 406, 410, 422, 451] },
    throttle: {
      // One key per client so parallel clients (tests, concurrent runs) keep their own pacing.
      id: `vfio-review-${process.pid}-${++clients}`,
      retryAfterBaseValue: unit,
      fallbackSecondaryRateRetryAfter: 60,
      // GitHub asks for >= 1 s between writes and more for notifying ones; scaled with unit.
      write: new Bottleneck.Group({ maxConcurrent: 1, minTime: unit }),
      notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: 3 * unit }),
      onRateLimit: onLimit('rate limit'),
      onSecondaryRateLimit: onLimit('secondary rate limit'),
    },
  });
}

/** HTTP status of an Octokit error, if it is one. */
export function statusOf(err: unknown): number | undefined {
  const s = (err as { status?: unknown })?.status;
  return typeof s === 'number' ? s : undefined;
}

/** A 403 that is a permission refusal, not a rate limit (those are retried, then surface as 403 too). */
export function isPermissionDenied(err: unknown): boolean {
  if (statusOf(err) !== 403) return false;
  const e = err as { message?: string; response?: { headers?: Record<string, string | undefined> } };
  if (/rate limit/i.test(e.message ?? '')) return false;
  return e.response?.headers?.['x-ratelimit-remaining'] !== '0';
}
