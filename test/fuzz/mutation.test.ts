// The seeded mutation corpus in the suite (issue 11, must-have 7): mutants of the repository's
// own mail, mboxes, diffs and C through each stage and through read + review, asserting that no
// exception escapes, every message read ends as exactly one patch or one error, and nothing runs
// past the time budget. bench/fuzz.ts runs the same harness on 100,000 mutants.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { campaign, STAGES } from './harness.js';

/** Mutants per stage here; the seed of a failure reproduces it (see harness.ts). */
const PER_STAGE = 200;
const BUDGET_MS = 5000;

for (const stage of STAGES) {
  test(`fuzz ${stage}: ${PER_STAGE} mutants, no crash, no lost message, no hang`, async () => {
    const c = await campaign([stage], PER_STAGE, 1_000_000, { limits: { messageMs: BUDGET_MS }, hangMs: BUDGET_MS + 3000 });
    assert.equal(c.inputs, PER_STAGE);
    assert.deepEqual(c.failures, [], JSON.stringify(c.failures, null, 1));
    assert.equal(c.crashes + c.lost + c.hangs, 0);
  });
}
