/**
 * The long fuzz run (issue 11, must-have 7): N mutants (default 100,000) of the repository's
 * mail, mboxes, diffs and C, split evenly over the five stages of test/fuzz/harness.ts (mail,
 * mbox, diff, C, read + review), with the default limits and time budget. Prints inputs,
 * crashes, lost messages, hangs, the worst time per stage and the RSS figures; exits 1 when
 * anything failed, listing the seeds that reproduce it.
 *   node --import tsx bench/fuzz.ts [N] [first-seed]
 */
import { campaign, STAGES } from '../test/fuzz/harness.js';
import { LIMITS } from '../src/ingest/limits.js';

const total = Number(process.argv[2] ?? 100_000);
const base = Number(process.argv[3] ?? 1);
const per = Math.ceil(total / STAGES.length);
const t0 = performance.now();
let last = t0;
const c = await campaign(STAGES, per, base, {
  limits: {},
  hangMs: LIMITS.messageMs + 5000,
  onProgress: (done) => {
    const now = performance.now();
    if (now - last > 30_000) {
      last = now;
      process.stderr.write(`${done}/${per * STAGES.length} mutants, ${((now - t0) / 1000).toFixed(0)} s\n`);
    }
  },
});
const secs = (performance.now() - t0) / 1000;
console.log(`inputs ${c.inputs} (${per} per stage: ${STAGES.join(', ')}; seeds ${base}..${base + per - 1}), ${c.messages} messages split or reviewed`);
console.log(`crashes ${c.crashes}, lost messages ${c.lost}, hangs ${c.hangs} (budget ${LIMITS.messageMs / 1000} s per message)`);
console.log(`worst time per input: ${Object.entries(c.worstMs).map(([s, ms]) => `${s} ${ms.toFixed(0)} ms (seed ${c.worstSeed[s]})`).join(', ')}`);
console.log(`worst RSS growth over one input ${c.worstRssDeltaMiB.toFixed(1)} MiB, peak RSS ${c.peakRssMiB.toFixed(0)} MiB; ${secs.toFixed(0)} s in all (${((secs * 1000) / c.inputs).toFixed(1)} ms per input)`);
for (const f of c.failures) console.log(`FAIL ${f.stage} seed ${f.seed}: ${f.failure}`);
process.exit(c.crashes + c.lost + c.hangs ? 1 : 0);
