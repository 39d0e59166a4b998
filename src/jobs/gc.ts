/**
 * A full garbage collection, for the backfill's pauses: after each of the intake's batches and
 * every few reviewed series (src/jobs/intake.ts, review.ts). V8 lets the old generation grow
 * with what a long backfill promotes (each batch's rows, the mails in flight, a review's
 * garbage) and collects it late, so the peak RSS rose with the size of the archive. A
 * collection costs tens of ms, so it is rare: once per 16,384 mails, once per 8 series.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined;

export function collectGarbage(): void {
  if (!gc) {
    // node's documented way to reach gc() without starting node with --expose-gc
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}
