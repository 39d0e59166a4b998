#!/usr/bin/env node
// Bundle the GitHub Action: src/action/main.ts -> dist/index.js (ESM, node24), with the files it
// loads at run time beside it: the two tree-sitter .wasm files and the rules/ knowledge base.
// Usage: node scripts/build-action.mjs [--outdir DIR]   (default dist/; tests build into a tmp dir
// and compare, CI checks that dist/ is current.)
import { build } from 'esbuild';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mirrorImportMeta } from './esbuild-mirror.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const i = process.argv.indexOf('--outdir');
const outdir = resolve(i > 0 ? process.argv[i + 1] : join(root, 'dist'));
const require = createRequire(join(root, 'package.json'));

const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });
await build({
  absWorkingDir: root,
  entryPoints: ['src/action/main.ts'],
  outfile: join(outdir, 'index.js'),
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  // Bundled CommonJS packages call require(): give the ESM bundle one.
  banner: { js: "import { createRequire as __vfioCreateRequire } from 'module'; const require = __vfioCreateRequire(import.meta.url);" },
  legalComments: 'eof',
  // The entry point locates the bundle itself (its wasm and rules/ sit beside dist/index.js).
  plugins: [mirrorImportMeta({ root, base: './', keep: ['src/action/main.ts'] })],
  logLevel: 'warning',
});
await cp(require.resolve('web-tree-sitter/web-tree-sitter.wasm'), join(outdir, 'web-tree-sitter.wasm'));
await cp(require.resolve('tree-sitter-c/tree-sitter-c.wasm'), join(outdir, 'tree-sitter-c.wasm'));
await cp(join(root, 'rules'), join(outdir, 'rules'), { recursive: true });
// The bundle is ESM (without "type": "module" node reads dist/index.js as CommonJS), and
// src/version.ts reads the version from the package.json beside the mirrored src/.
const distPkg = { name: pkg.name, version: pkg.version, type: 'module', private: true };
await writeFile(join(outdir, 'package.json'), JSON.stringify(distPkg, null, 2) + '\n');
console.log(`built ${outdir}`);
