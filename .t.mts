import { buildPatch } from './src/patch/index.js';
import { openTree } from './src/ingest/tree.js';
import { messageFromPatchFile, SAMPLE_DIR } from './test/patch/helpers.js';
import { readdirSync } from 'node:fs';
for (const k of ['linux-6.12','linux-6.1']) {
const tree = await openTree('/tmp/vfio-review-kernels/'+k);
console.log(tree.describe(), tree.kernelVersion);
for (const f of readdirSync(SAMPLE_DIR).sort().slice(1)) {
  const t = performance.now();
  const m = await buildPatch(messageFromPatchFile(SAMPLE_DIR + '/' + f, {seriesKey: 'x'}), { tree });
  console.log(f.slice(0,8), (performance.now()-t).toFixed(0)+'ms', JSON.stringify(m.analysis), JSON.stringify(m.functions.map(x => ({n:x.name, c:x.change, nl: x.newLine, ol: x.oldLine, e: x.newEndLine, cc: x.complete, ac: x.addedCalls, rc: x.removedCalls, calls: x.calls, as: x.assignedTo, al: x.addedLines}))));
  console.log('  cb', JSON.stringify(m.callbacks.map(c => [c.field, c.value, c.change, c.variable, c.newLine])));
}}
