/**
 * Entry point of the GitHub Action (bundled to dist/index.js). When bundled, the rules/ folder
 * and the tree-sitter .wasm files sit next to this file, not where the sources expect them.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setWasmDir } from '../patch/cparse.js';
import { loadKnowledgeBase } from '../kb/index.js';
import { run } from './run.js';

const here = dirname(fileURLToPath(import.meta.url));
if (existsSync(join(here, 'tree-sitter-c.wasm'))) setWasmDir(here);
const bundledRules = join(here, 'rules');

await run({
  kb: async () => (existsSync(bundledRules) ? loadKnowledgeBase(bundledRules) : undefined),
});
