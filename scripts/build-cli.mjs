#!/usr/bin/env node
// Bundle the command line: src/cli/main.ts -> build/main.js (ESM, node20) plus one chunk per
// lazily loaded command, so `vfio-review` runs compiled JavaScript, not TypeScript through tsx;
// then compile the knowledge base once: rules/ validated by the YAML loaders and stored as
// build/kb-snapshot.json (src/kb/snapshot.ts), which a start loads without YAML or Ajv.
// Only our own sources are bundled: the packages stay in node_modules (dependencies), and data
// files are found from the package root (rules/, package.json, the tree-sitter wasm).
// Runs at `npm ci` / `npm pack` (package.json "prepare") and before the tests (test/run.mjs),
// so the bin never runs a build older than the sources. Takes well under a second.
// Usage: node scripts/build-cli.mjs [--metafile FILE]
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { copyFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mirrorImportMeta } from './esbuild-mirror.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
// Fixed: the mirrored import.meta.url ('../') assumes build/ sits in the package root.
const outdir = join(root, 'build');

await rm(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { main: 'src/cli/main.ts', 'build-snapshot': 'src/kb/build-snapshot.ts' },
  outdir,
  bundle: true,
  splitting: true,
  chunkNames: '[name]-[hash]',
  packages: 'external',
  platform: 'node',
  target: 'node20',
  format: 'esm',
  metafile: true,
  // The entry and its chunks all sit in build/, one level below the package root.
  plugins: [mirrorImportMeta({ root, base: '../', keep: [] })],
  logLevel: 'warning',
});
const metafile = arg('--metafile');
if (metafile) await writeFile(metafile, JSON.stringify(result.metafile));
// The C grammar travels with the build: tree-sitter-c (whose install script would compile a
// native binding the CLI never uses) is only a build-time dependency.
const require = createRequire(join(root, 'package.json'));
await copyFile(require.resolve('tree-sitter-c/tree-sitter-c.wasm'), join(outdir, 'tree-sitter-c.wasm'));
const snap = spawnSync(process.execPath, [join(outdir, 'build-snapshot.js')], { stdio: 'inherit' });
if (snap.status !== 0) process.exit(snap.status ?? 1);
