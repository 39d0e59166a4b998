/**
 * Benchmark (not a test): how long the device-state model (src/state) takes to explore the
 * vfio-pci lifecycle for each part of the sample series, cold (the first exploration in a fresh
 * process, JIT included) and warm, per target line. The whole review of a patch should stay well
 * under ~100 ms of analysis; the model's share is what this prints.
 *
 *   node --import tsx bench/state-model.ts [runs]      (default: 20)
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadKnowledgeBase, resolveTarget } from '../src/kb/index.js';
import { buildPatch } from '../src/patch/index.js';
import { Scope } from '../src/analyze/scope.js';
import { exploration } from '../src/analyze/property.js';
import { patchToMessage } from '../test/analyze/support.js';

const runs = Number(process.argv[2] ?? 20);
const dir = fileURLToPath(new URL('../samples/vfio-pci-reset-done-v18/', import.meta.url));
const kb = await loadKnowledgeBase();
const files = (await readdir(dir)).filter((f) => /^v18-000[1-4]/.test(f)).sort();
const patches = [];
for (const f of files) patches.push(await buildPatch(patchToMessage(await readFile(join(dir, f), 'utf8'), f)));

for (const kernel of ['6.19', '6.12.117', '6.1']) {
  const target = await resolveTarget(kb, { kernel });
  for (const [i, patch] of patches.entries()) {
    const times: number[] = [];
    let states = 0;
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      const ex = exploration(new Scope(patch, kb), target);
      times.push(performance.now() - t0);
      states = ex?.states ?? 0;
    }
    const warm = [...times.slice(1)].sort((a, b) => a - b);
    const median = warm[Math.floor(warm.length / 2)] ?? times[0];
    console.log(`${target.line.padEnd(6)} part ${i + 1}/4: ${states} states, cold ${times[0].toFixed(1)} ms, warm median ${median.toFixed(1)} ms`);
  }
}
