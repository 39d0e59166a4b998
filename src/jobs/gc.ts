/**
 * A full garbage collection between the intake's batches. V8 lets the old generation grow with
 * what a long backfill promotes (each batch's rows, the mails in flight) and collects it late,
 * so the peak RSS rose with the size of the archive; one collection per committed batch (some
 * 16,000 mails, a live heap of a few MiB) keeps it flat for a few ms each.
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
