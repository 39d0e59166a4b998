import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { buildPatch } from './src/patch/index.js';
import { openTree } from './src/ingest/tree.js';
import { messageFromText } from './test/patch/helpers.js';
import { goldenOf } from './test/patch/golden.js';
const dir = 'test/fixtures/diff/';
const only = process.argv[2];
const tree = await openTree('/tmp/vfio-review-kernels/linux-6.12');
for (const f of readdirSync(dir).filter(f => f.endsWith('.diff')).sort()) {
  const name = f.replace(/\.diff$/, '');
  if (only && !only.split(',').includes(name)) continue;
  const msg = messageFromText(readFileSync(dir + f, 'utf8'), 'fixtures/' + f);
  const m = await buildPatch(msg);
  writeFileSync(`/tmp/ptest/${name}.json`, JSON.stringify(goldenOf(m), null, 2) + '\n');
  if (['sample-3of4', 'mid-function', 'label-section'].includes(name)) {
    const t = await buildPatch(msg, { tree });
    writeFileSync(`/tmp/ptest/${name}.tree.json`, JSON.stringify(goldenOf(t), null, 2) + '\n');
  }
}
