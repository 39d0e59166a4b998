#!/usr/bin/env node
// Runs the compiled command line (build/, bundled from src/ by scripts/build-cli.mjs at
// `npm ci`, `npm pack` and before the tests): no TypeScript compiled at run time.
let main;
try {
  ({ main } = await import('../build/main.js'));
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('build')) throw err;
  process.stderr.write('vfio-review: build/main.js is missing: run `npm run build:cli` (npm ci does it)\n');
  process.exit(70);
}
process.exitCode = await main(process.argv.slice(2));
