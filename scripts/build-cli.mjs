#!/usr/bin/env node
// Bundle the command line: src/cli/main.ts -> build/main.js (ESM, node20) plus one chunk per
// lazily loaded command, so `vfio-review` runs compiled JavaScript, not TypeScript through tsx;
// then compile the knowledge base once: rules/ validated by the YAML loaders and stored as
// build/kb-snapshot.json (src/kb/snapshot.ts), which a start loads without YAML or Ajv.
// Our own sources are bundled, and of the packages only two small pure-JS ones every review
// loads (BUNDLED): a package imported from node_modules costs a cold start a resolution and, for
// picomatch (CommonJS), the CommonJS loader and its export scan, more than our largest chunk.
// The others stay in node_modules (dependencies), and data files are found from the package
// root (rules/, package.json, the tree-sitter wasm).
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
const BUNDLED = ['picomatch', 'diff'];

/** Every package import stays external but BUNDLED's (esbuild's packages: 'external', less those). */
const externalPackages = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
      return BUNDLED.includes(name) ? undefined : { path: args.path, external: true };
    });
  },
};

await rm(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { main: 'src/cli/main.ts', 'build-snapshot': 'src/kb/build-snapshot.ts' },
  outdir,
  bundle: true,
  splitting: true,
  chunkNames: '[name]-[hash]',
  platform: 'node',
  target: 'node20',
  format: 'esm',
  metafile: true,
  // The entry and its chunks all sit in build/, one level below the package root.
  plugins: [externalPackages, mirrorImportMeta({ root, base: '../', keep: [] })],
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
