import { buildPatch } from './src/patch/index.js';
import { summarizeModel } from './src/patch/summary.js';
import { messageFromPatchFile, SAMPLE_DIR } from './test/patch/helpers.js';
import { readdirSync } from 'node:fs';
const patches = [];
for (const f of readdirSync(SAMPLE_DIR).sort()) patches.push(await buildPatch(messageFromPatchFile(SAMPLE_DIR + '/' + f)));
process.stdout.write(summarizeModel({ tool: 'vfio-review', version: '0', patches, errors: [] }));
