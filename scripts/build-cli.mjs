#!/usr/bin/env node
// Bundle the command line: src/cli/main.ts -> build/cli.cjs, one CommonJS file the bin compiles
// with V8's code cache (build/cli.cache, written here by a warm-up review of the bundled
// sample): a cold start then deserialises the bytecode of what a review runs instead of
// parsing and compiling it, which was the largest part of a start left after node's own.
// CommonJS, not ESM, because node 20 can feed a code cache only to a vm.Script; the commands
// stay lazy (esbuild wraps each dynamically imported module in an init function).
// Then compile the knowledge base once: rules/ validated by the YAML loaders and stored as
// build/kb-snapshot.json (src/kb/snapshot.ts), which a start loads without YAML or Ajv.
// Our own sources are bundled, and of the packages only the small pure-JS ones every review
// loads (BUNDLED): a package imported from node_modules costs a cold start a resolution and, for
// picomatch (CommonJS), the CommonJS loader and its export scan, more than our largest chunk.
// Those are devDependencies, as web-tree-sitter is (bundled too, its wasm copied into build/);
// the others stay in node_modules (dependencies), and data files are found from the package
// root (rules/, package.json) or build/ (the two wasm files).
// Runs at `npm ci` / `npm pack` (package.json "prepare") and before the tests (test/run.mjs),
// so the bin never runs a build older than the sources. Takes a few seconds.
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
const BUNDLED = ['picomatch', 'diff', 'web-tree-sitter'];
// web-tree-sitter's CommonJS build: its ESM one reads import.meta.url, which CommonJS has not.
const ALIAS = { 'web-tree-sitter': './node_modules/web-tree-sitter/web-tree-sitter.cjs' };

/**
 * Every package import stays external but BUNDLED's (esbuild's packages: 'external', less those).
 * @param {{ requireDynamic: boolean }} o  requireDynamic: for the CommonJS bundle (below)
 */
const externalPackages = ({ requireDynamic }) => ({
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
      if (BUNDLED.includes(name)) return undefined;
      // A vm.Script cannot import() on node 20 (that needs --experimental-vm-modules): a dynamic
      // import of a package becomes a require through a one-line CommonJS module, which esbuild
      // then wraps as it wraps its own lazy imports (Promise + __toESM).
      if (requireDynamic && args.kind === 'dynamic-import') return { path: args.path, namespace: 'require-package' };
      return { path: args.path, external: true };
    });
    b.onLoad({ filter: /.*/, namespace: 'require-package' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
});

/**
 * The rule-schema validators (Ajv's standalone code, 450 KB) are only for a --rules DIR of
 * one's own: a file of their own beside the bundle, so a start does not read them.
 */
const validatorsApart = {
  name: 'validators-apart',
  setup(b) {
    b.onResolve({ filter: /schema-validators\.generated\.js$/ }, () => ({ path: 'schema-validators', namespace: 'validators-apart' }));
    b.onLoad({ filter: /.*/, namespace: 'validators-apart' }, () => ({ contents: "module.exports = require('./schema-validators.cjs');", loader: 'js' }));
    b.onResolve({ filter: /^\.\/schema-validators\.cjs$/ }, (args) => ({ path: args.path, external: true }));
  },
};

await rm(outdir, { recursive: true, force: true });
const common = {
  absWorkingDir: root,
  outdir,
  bundle: true,
  platform: 'node',
  target: 'node20',
  metafile: true,
  alias: ALIAS,
  logLevel: 'warning',
};
// Every output sits in build/, one level below the package root.
const mirror = mirrorImportMeta({ root, base: '../', keep: [] });
const result = await build({
  ...common,
  entryPoints: { cli: 'src/cli/main.ts' },
  format: 'cjs',
  outExtension: { '.js': '.cjs' },
  // CommonJS has no import.meta: the bundle's own file URL stands in (mirrorImportMeta builds on it).
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: 'const __importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  plugins: [validatorsApart, externalPackages({ requireDynamic: true }), mirror],
});
// The intake's writer thread (src/jobs/intake-writer.ts) runs a file of its own.
await build({ ...common, entryPoints: { 'intake-writer': 'src/jobs/intake-writer-thread.ts' }, format: 'cjs', outExtension: { '.js': '.cjs' }, define: { 'import.meta.url': '__importMetaUrl' }, banner: { js: 'const __importMetaUrl = require("node:url").pathToFileURL(__filename).href;' }, plugins: [externalPackages({ requireDynamic: true }), mirror] });
await build({ ...common, entryPoints: { 'schema-validators': 'src/rules/schema-validators.generated.js' }, format: 'cjs', outExtension: { '.js': '.cjs' }, plugins: [externalPackages({ requireDynamic: true })] });
await build({ ...common, entryPoints: { 'build-snapshot': 'src/kb/build-snapshot.ts' }, format: 'esm', outExtension: { '.js': '.mjs' }, plugins: [externalPackages({ requireDynamic: false }), mirror] });
const metafile = arg('--metafile');
if (metafile) await writeFile(metafile, JSON.stringify(result.metafile));
// The C grammar and the tree-sitter runtime travel with the build (src/patch/cparse.ts finds
// them there): tree-sitter-c, whose install script would compile a native binding the CLI
// never uses, and web-tree-sitter, whose JavaScript is in the bundle, are build-time dependencies.
const require = createRequire(join(root, 'package.json'));
await copyFile(require.resolve('tree-sitter-c/tree-sitter-c.wasm'), join(outdir, 'tree-sitter-c.wasm'));
await copyFile(require.resolve('web-tree-sitter/web-tree-sitter.wasm'), join(outdir, 'web-tree-sitter.wasm'));
const snap = spawnSync(process.execPath, [join(outdir, 'build-snapshot.mjs')], { stdio: 'inherit' });
if (snap.status !== 0) process.exit(snap.status ?? 1);
await rm(join(outdir, 'build-snapshot.mjs'));
// The warm-up: one review of the sample series, the bin writing the code cache as it exits.
// What it does not run (another command, a reporter) compiles lazily as before.
const warm = spawnSync(process.execPath, [join(root, 'bin/vfio-review.js'), 'review', join(root, 'samples/vfio-pci-reset-done-v18.mbox'), '--fail-on', 'none'], {
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, VFIO_REVIEW_CODE_CACHE: 'write' },
});
if (warm.status !== 0) process.exit(warm.status ?? 1);
