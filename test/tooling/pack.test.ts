// The package installs: `npm pack` holds what a user needs and nothing of the repository's
// own (tests, fixtures, bench, CI), and `npm install -g` of the tarball, into a prefix whose
// path has a space, gives a `vfio-review` that reviews a patch in a clean folder. Dependencies
// come from a registry on 127.0.0.1 serving this checkout's node_modules (test/support/registry.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, SAMPLE_DIR } from '../patch/helpers.js';
import { startRegistry } from '../support/registry.js';

const PATCH = join(SAMPLE_DIR, 'v18-0003-vfio-pci-Add-a-reset_done-callback-for-vfio-pci-.patch');

/** Nothing from the calling `npm test` (npm_config_*) leaks into the child npm. */
function npmEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k))), ...env };
}

function npm(args: string[], cwd: string) {
  return spawnSync('npm', args, { cwd, encoding: 'utf8', env: npmEnv({}), maxBuffer: 1 << 26 });
}

/** npm as a child that does not block this process: the registry answers from here. */
function npmAsync(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ status: number | null; out: string }> {
  return new Promise((done) => {
    const child = spawn('npm', args, { cwd, env: npmEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (status) => done({ status, out }));
  });
}

test('npm pack: the built CLI, rules, wasm, README and LICENSE; no tests, fixtures, bench or CI', () => {
  const r = npm(['pack', '--dry-run', '--json', '--ignore-scripts'], ROOT);
  assert.equal(r.status, 0, r.stderr);
  const files = (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
  for (const want of ['bin/vfio-review.js', 'bin/package.json', 'build/cli.cjs', 'build/cli.cache', 'build/kb-snapshot.json', 'build/tree-sitter-c.wasm', 'rules/kb/restore-steps.yaml', 'rules/schema/rule.schema.json', 'README.md', 'LICENSE', 'package.json']) {
    assert.ok(files.includes(want), `${want} is in the package`);
  }
  assert.deepEqual(files.filter((f) => f.startsWith('bin/')).sort(), ['bin/package.json', 'bin/vfio-review.js'], 'bin/ holds the command and its module type only');
  const stray = files.filter((f) => /^(test|bench|samples|src|dist|scripts|\.ci|\.github|docs)\//.test(f) || f.endsWith('.patch'));
  assert.deepEqual(stray, []);
});

test('npm install -g of the tarball (prefix path with a space): vfio-review reviews a patch in a clean folder', { timeout: 600_000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'vfio-review-pack-'));
  const pack = npm(['pack', '--ignore-scripts', '--pack-destination', tmp, '--json'], ROOT);
  assert.equal(pack.status, 0, pack.stderr);
  const tgz = join(tmp, (JSON.parse(pack.stdout) as { filename: string }[])[0].filename);
  const registry = await startRegistry(ROOT);
  try {
    const prefix = join(tmp, 'with space', 'prefix');
    const npmrc = join(tmp, 'npmrc');
    writeFileSync(npmrc, '');
    const env = { npm_config_userconfig: npmrc, npm_config_cache: join(tmp, 'cache') };
    const install = await npmAsync(['install', '-g', '--prefix', prefix, '--registry', registry.url, '--ignore-scripts', '--no-audit', '--no-fund', '--no-update-notifier', tgz], tmp, env);
    assert.equal(install.status, 0, install.out);
    assert.doesNotMatch(install.out, /EBADENGINE/);
    assert.ok(registry.requests.some((r) => r.endsWith('.tgz')), 'dependencies came from the loopback registry');
    const clean = join(tmp, 'clean');
    mkdirSync(clean);
    copyFileSync(PATCH, join(clean, 'x.patch'));
    const bin = join(prefix, 'bin', 'vfio-review');
    const r = spawnSync(bin, ['review', 'x.patch', '--fail-on', 'none'], { cwd: clean, encoding: 'utf8', env: { ...process.env, VFIO_REVIEW_CODE_CACHE: 'report' } });
    assert.equal(r.status, 0, r.stderr);
    // The package's code cache is the one its build wrote, for this node: a start takes it.
    assert.match(r.stderr, /^vfio-review: code cache used$/m);
    assert.match(r.stdout, /\[PATCH v18 3\/4\] vfio\/pci: Add a reset_done callback/);
    assert.match(r.stdout, /SNAPSHOT_LOAD_UNCHECKED|MSIX_RESTORE_MEMORY_OFF/);
    const version = spawnSync(bin, ['--version'], { cwd: clean, encoding: 'utf8' });
    assert.match(version.stdout, /^vfio-review \d+\.\d+\.\d+/);
  } finally {
    await registry.close();
  }
});
