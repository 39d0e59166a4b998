/**
 * Parse-time figures for the patch stage (a measurement, not a test):
 *   node --import tsx test/patch/measure-parse.ts
 * Prints wasm init, parseFunctions on large real files (first and median of 5 warm runs),
 * and buildPatch on the sample 3/4 in fragment and --tree mode.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFunctions } from '../../src/patch/cparse.js';
import { buildPatch } from '../../src/patch/index.js';
import { openTree } from '../../src/ingest/tree.js';
import { SAMPLE_DIR, messageFromPatchFile } from './helpers.js';
import { TREE_612 } from '../support/kernels.js';

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const r = await fn();
  return [performance.now() - t, r];
}

async function runs(fn: () => Promise<unknown>, n = 5): Promise<string> {
  const ts: number[] = [];
  for (let i = 0; i < n; i++) ts.push((await time(fn))[0]);
  ts.sort((a, b) => a - b);
  return `median ${ts[n >> 1].toFixed(1)} ms (min ${ts[0].toFixed(1)}, max ${ts[n - 1].toFixed(1)})`;
}

const [init] = await time(() => parseFunctions('int x;\n'));
console.log(`wasm init + first tiny parse: ${init.toFixed(1)} ms`);
for (const file of ['drivers/vfio/pci/vfio_pci_core.c', 'drivers/pci/pci.c']) {
  const src = readFileSync(join(TREE_612, file), 'utf8');
  const [first, fns] = await time(() => parseFunctions(src));
  const lines = src.split('\n').length;
  console.log(`${file}: ${lines} lines, ${fns.length} functions; first ${first.toFixed(1)} ms, warm ${await runs(() => parseFunctions(src))}`);
}
const sample = messageFromPatchFile(join(SAMPLE_DIR, 'v18-0003-vfio-pci-Add-a-reset_done-callback-for-vfio-pci-.patch'));
console.log(`sample 3/4 buildPatch (fragments): ${await runs(() => buildPatch(sample))}`);
const tree = await openTree(TREE_612);
console.log(`sample 3/4 buildPatch --tree linux-6.12 (apply + 2 whole-file parses): ${await runs(() => buildPatch(sample, { tree }))}`);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
