// dist/ is what the runner executes: it must be the bundle of the current sources (CI's
// check-dist job checks the same). Rebuilds into a tmp dir and compares byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ROOT, runAction, startSample, stopSample } from '../support/fake-github-action.js';

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(relative(dir, join(e.parentPath, e.name)));
  }
  return out.sort();
}

test('dist/ is current with the sources (run `npm run build` when this fails)', async () => {
  const tmp = await mkdtemp(join(tmpdir(), 'vfio-review-dist-'));
  try {
    execFileSync(process.execPath, [join(ROOT, 'scripts/build-action.mjs'), '--outdir', tmp], { stdio: 'pipe' });
    const dist = join(ROOT, 'dist');
    const want = await files(tmp);
    assert.deepEqual(await files(dist), want, 'the same files');
    for (const f of want) {
      const same = (await readFile(join(dist, f))).equals(await readFile(join(tmp, f)));
      assert.ok(same, `dist/${f} differs from a fresh build`);
    }
    assert.ok(want.includes('web-tree-sitter.wasm') && want.includes('tree-sitter-c.wasm') && want.includes('package.json'));
    assert.ok(want.some((f) => f.startsWith('rules/')), 'the knowledge base travels with the bundle');
    // Self-contained: the fresh build, outside the repository (no node_modules, rules/ or
    // package.json above it), reviews the sample.
    const gh = await startSample();
    try {
      const r = await runAction({ gh, event: 'pull_request.opened.json', bundle: join(tmp, 'index.js') });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.ok(gh.liveComments(42).length > 0, 'inline notes posted');
    } finally {
      await stopSample(gh);
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});
