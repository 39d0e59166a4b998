#!/usr/bin/env node
// Runs the compiled command line: build/cli.cjs, bundled from src/ by scripts/build-cli.mjs at
// `npm ci`, `npm pack` and before the tests, so no TypeScript is compiled at run time.
// The bundle is compiled as a vm.Script with V8's code cache (build/cli.cache, written by the
// build's warm-up review, VFIO_REVIEW_CODE_CACHE=write): a cold start deserialises the
// bytecode a review runs instead of parsing and compiling 700 KB of JavaScript. V8 rejects a cache
// made by another V8 or with other flags (then the bundle compiles as usual, only slower), and
// the build writes both files together, so a rebuilt bundle never meets an older cache.
// CommonJS (bin/package.json), as the bundle is: an ESM entry would start node's ESM loader,
// about 20 ms of CPU a cold start does not need.
const { readFileSync, renameSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { setFlagsFromString } = require('node:v8');
const { Script } = require('node:vm');

const build = join(__dirname, '..', 'build');
const bundle = join(build, 'cli.cjs');
const cacheFile = join(build, 'cli.cache');

// Set before anything is compiled: V8 keys a code cache to its flags, and tree-sitter's wasm
// runs Liftoff-only (src/patch/cparse.ts sets the same flag; a second set changes nothing).
setFlagsFromString('--liftoff-only');

let source;
try {
  source = readFileSync(bundle, 'utf8');
} catch (err) {
  if (err?.code !== 'ENOENT') throw err;
  process.stderr.write('vfio-review: build/cli.cjs is missing: run `npm run build:cli` (npm ci does it)\n');
  process.exit(70);
}
// VFIO_REVIEW_CODE_CACHE: `write` (the build's warm-up), `off` (compile without the cache),
// `report` (say on stderr whether V8 took it: a slow start's first question).
const mode = process.env.VFIO_REVIEW_CODE_CACHE;
const writeCache = mode === 'write';
let cachedData;
if (!writeCache && mode !== 'off') {
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // no cache (a build interrupted before its warm-up): compile without one
  }
}
// The CommonJS wrapper node itself puts around a module.
const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename: bundle,
  cachedData,
});
if (mode === 'report') {
  const status = !cachedData ? 'none' : script.cachedDataRejected ? 'rejected (another node or V8 flags: rebuild with npm run build:cli)' : 'used';
  process.stderr.write(`vfio-review: code cache ${status}\n`);
}
const cli = { exports: {} };
script.runInThisContext()(cli.exports, createRequire(bundle), cli, bundle, dirname(bundle));
cli.exports.main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    if (!writeCache) return;
    // After the run: the cache then holds the functions the review compiled, not just the top level.
    writeFileSync(`${cacheFile}.tmp`, script.createCachedData());
    renameSync(`${cacheFile}.tmp`, cacheFile);
  },
  (err) => {
    // main() reports a user's mistake itself; what reaches here is our own bug.
    process.stderr.write(`vfio-review: internal error: ${err?.stack ?? err}\n`);
    process.exitCode = 70;
  },
);
