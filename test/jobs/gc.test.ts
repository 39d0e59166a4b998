// collectGarbage (src/jobs/gc.ts) is a real full collection without --expose-gc on the command
// line: what the intake and the review phase call between batches to keep a backfill's RSS flat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { collectGarbage } from '../../src/jobs/gc.js';

test('collectGarbage frees an object nothing refers to', async () => {
  let big: number[] | undefined = new Array(1 << 16).fill(1);
  const ref = new WeakRef(big);
  big = undefined;
  await tick(); // a WeakRef holds its target until the job that made it ends
  collectGarbage();
  await tick();
  assert.equal(ref.deref(), undefined);
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined', 'no gc() left on the global object');
});
