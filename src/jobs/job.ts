/**
 * One run of the ingestion job, and the watch loop around it.
 *
 *   reconcile outbox -> intake (every source, new messages only) -> review ready series
 *     -> deliver replies (files; SMTP when asked) -> Patchwork checks
 *
 * Each phase only reads committed state and leaves committed state, so the job may be killed
 * at any moment and simply run again.
 */
import type { JobEnv } from './env.js';
import { intakeSource, type IntakeCounts } from './intake.js';
import { deliver, reconcile, reconcileSending, type DeliveryCounts } from './outbox.js';
import { postChecks } from './patchwork.js';
import { reviewReady, type ReviewCounts } from './review.js';
import { closeTransports } from './smtp.js';
import type { Source } from './sources/types.js';
import { logEvent } from './state.js';

export interface RunSummary {
  intake: IntakeCounts;
  review: ReviewCounts;
  delivery: DeliveryCounts;
  checks: { posted: number; unchanged: number; waiting: number };
  ms: number;
  /** Wall time of the two phases a backfill is made of (reading the archive; reviewing). */
  intakeMs: number;
  reviewMs: number;
}

export async function runOnce(env: JobEnv, sources: Source[], opts: { fetch?: boolean } = {}): Promise<RunSummary> {
  const started = Date.now();
  reconcile(env);
  const intake: IntakeCounts = { read: 0, pending: 0, skipped: 0, error: 0, deleted: 0 };
  for (const source of sources) {
    if (opts.fetch) {
      try {
        await source.fetch();
      } catch (err) {
        // A dead mirror must not stop the other lists; what is already local is still read.
        const text = `${source.id}: git fetch failed: ${(err as Error).message.split('\n')[0]}`;
        env.log.error(text);
        logEvent(env.db, 'error', text);
      }
    }
    const c = await intakeSource(env, source);
    for (const k of Object.keys(intake) as (keyof IntakeCounts)[]) intake[k] += c[k];
    if (c.read) env.log.info(`${source.id}: ${c.read} new message(s): ${c.pending} patch mail(s) held for their series, ${c.skipped} skipped, ${c.error} error(s)`, { source: source.id, ...c });
  }
  const intakeMs = Date.now() - started;
  const review = await reviewReady(env);
  const reviewMs = Date.now() - started - intakeMs;
  if (review.series) env.log.info(`reviewed ${review.series} series: ${review.reviewed} reviewed, ${review.skipped} skipped, ${review.error} error(s), ${review.replies} repl(ies) queued`, { ...review });
  reconcileSending(env);
  const delivery = await deliver(env);
  if (delivery.written || delivery.sent || delivery.failed) env.log.info(`outbox: ${delivery.written} written, ${delivery.sent} sent, ${delivery.deferred} deferred, ${delivery.failed} failed`, { ...delivery });
  const checks = await postChecks(env);
  if (checks.posted || checks.unchanged) env.log.info(`patchwork: ${checks.posted} check(s) posted, ${checks.unchanged} unchanged`, { ...checks });
  return { intake, review, delivery, checks, ms: Date.now() - started, intakeMs, reviewMs };
}

/** Poll every `seconds` until SIGINT/SIGTERM; a signal lets the current run finish its step. */
export async function watch(env: JobEnv, sources: Source[], seconds: number): Promise<void> {
  let stop = false;
  let wake: (() => void) | undefined;
  const onSignal = () => {
    stop = true;
    env.log.info('stopping after the current step (signal received)');
    wake?.();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    while (!stop) {
      try {
        await runOnce(env, sources, { fetch: true });
      } catch (err) {
        // SMTP, Patchwork and git failures are recorded where they happen; anything else is
        // logged and retried next poll rather than killing a long-running watcher.
        const text = `run failed: ${(err as Error).message}`;
        env.log.error(text);
        logEvent(env.db, 'error', text);
      }
      if (stop) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, seconds * 1000);
      });
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    closeTransports();
  }
}
