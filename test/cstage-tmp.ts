import { campaign } from './fuzz/harness.js';
const c = await campaign(['c'], 20000, 1, { limits: {}, hangMs: 65000 });
console.log(JSON.stringify({ worstMs: c.worstMs, worstSeed: c.worstSeed, rss: c.worstRssDeltaMiB, peak: c.peakRssMiB, f: c.failures }));
