// The knowledge base compiled once (src/kb/snapshot.ts): the build's snapshot holds exactly what
// the YAML loaders return for rules/, a start from it loads neither YAML nor Ajv, and a snapshot
// that no longer matches its rules folder is not used.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadKbSources, loadKnowledgeBase, RULES_DIR } from '../../src/kb/index.js';
import { readSnapshot, SNAPSHOT_FILE, throughSnapshot, writeSnapshot } from '../../src/kb/snapshot.js';
import { copyKb, edit, scratch } from './helpers.js';
import { ROOT, SAMPLE_DIR } from '../patch/helpers.js';

const plain = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

test('the build snapshot is current: it holds what the YAML loaders return for rules/', async () => {
  assert.ok(existsSync(SNAPSHOT_FILE), `${SNAPSHOT_FILE} (node scripts/build-cli.mjs builds it)`);
  const stored = await readSnapshot(RULES_DIR);
  assert.ok(stored, 'the snapshot matches rules/ (rebuild: node scripts/build-cli.mjs)');
  assert.deepEqual(stored, throughSnapshot(await loadKbSources(RULES_DIR)));
});

test('Maps, Sets and RegExps survive a snapshot', () => {
  const v = { m: new Map([['a', { s: new Set([1, 2]) }]]), r: /x+y/gi };
  const back = throughSnapshot(v);
  assert.ok(back.m instanceof Map && back.m.get('a')!.s instanceof Set && back.r instanceof RegExp);
  assert.deepEqual(back, v);
});

test('a snapshot of a rules folder is ignored once a file in it changes', async () => {
  const dir = await copyKb();
  const file = join(await scratch(), 'snap.json');
  await writeSnapshot(dir, { marker: 1 }, file);
  assert.deepEqual(await readSnapshot(dir, file), { marker: 1 });
  await edit(dir, 'kernels.yaml', /\n*$/, '\n# an edit\n');
  assert.equal(await readSnapshot(dir, file), undefined);
  assert.equal(await readSnapshot(dir, join(dir, 'no-such-snapshot.json')), undefined);
});

test('a snapshot is checked by sizes and times first, by content when a file is newer than it', async () => {
  const dir = await copyKb();
  const file = join(await scratch(), 'snap.json');
  await writeSnapshot(dir, { marker: 2 }, file);
  const later = new Date(Date.now() + 60_000);
  // Touched, content unchanged: newer than the snapshot, so hashed, and the digest still matches.
  utimesSync(join(dir, 'kb', 'kernels.yaml'), later, later);
  assert.deepEqual(await readSnapshot(dir, file), { marker: 2 });
  // One byte changed, size kept, written after the snapshot: the digest catches it.
  const path = join(dir, 'kb', 'kernels.yaml');
  const text = readFileSync(path, 'utf8');
  const at = text.search(/[a-z]/);
  writeFileSync(path, text.slice(0, at) + (text[at] === 'a' ? 'b' : 'a') + text.slice(at + 1));
  utimesSync(path, later, later);
  assert.equal(await readSnapshot(dir, file), undefined);
  // A file of another size is a change even when its time says otherwise (cp -p of an old file).
  writeFileSync(path, text + '\n');
  const old = new Date(0);
  utimesSync(path, old, old);
  assert.equal(await readSnapshot(dir, file), undefined);
  // A file added (its folder written after the snapshot): hashed, and the digest differs.
  writeFileSync(path, text);
  utimesSync(path, old, old);
  assert.deepEqual(await readSnapshot(dir, file), { marker: 2 }, 'back as it was');
  writeFileSync(join(dir, 'kb', 'added.md'), 'a new file\n');
  utimesSync(join(dir, 'kb'), later, later);
  assert.equal(await readSnapshot(dir, file), undefined);
});

test('a knowledge base from the snapshot is the one from the YAML', async () => {
  const fromSnapshot = await loadKnowledgeBase();
  const fromYaml = await loadKnowledgeBase(await copyKbAndRules());
  assert.deepEqual(fromSnapshot.rules.map((r) => r.id), fromYaml.rules.map((r) => r.id));
  assert.deepEqual([...fromSnapshot.steps.keys()], [...fromYaml.steps.keys()]);
  assert.deepEqual(plain(fromSnapshot.lines), plain(fromYaml.lines));
  assert.deepEqual(plain([...fromSnapshot.functions.values()]), plain([...fromYaml.functions.values()]));
  // Maps inside the facts (the effects' function table) come back as Maps.
  assert.deepEqual(throughSnapshot(fromSnapshot.effects), throughSnapshot(fromYaml.effects));
});

test('a cold review from the snapshot loads neither yaml nor ajv', () => {
  const patch = join(SAMPLE_DIR, 'v18-0003-vfio-pci-Add-a-reset_done-callback-for-vfio-pci-.patch');
  const script = `
    import { createRequire } from 'node:module';
    const { main } = createRequire(import.meta.url)(${JSON.stringify(join(ROOT, 'build/cli.cjs'))});
    process.stdout.write = () => true;
    const code = await main(['review', ${JSON.stringify(patch)}, '--fail-on', 'none']);
    const loaded = Object.keys(createRequire(import.meta.url).cache).join('\\n');
    console.error(JSON.stringify({ code, yaml: /node_modules\\/yaml\\//.test(loaded), ajv: /node_modules\\/ajv\\//.test(loaded) }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: ROOT });
  assert.deepEqual(JSON.parse(r.stderr.trim().split('\n').pop()!), { code: 0, yaml: false, ajv: false }, r.stderr);
});

test('a rules folder of one\'s own (--rules DIR) is validated without Ajv: the validators are compiled at build time', async () => {
  const dir = await copyKbAndRules();
  // `rules` checks every rule file against the rule schema; `kb table` every facts file against its schema.
  for (const argv of [['rules', '--rules', dir], ['kb', 'table', '--rules', dir]]) {
    const script = `
      import { createRequire } from 'node:module';
      const { main } = createRequire(import.meta.url)(${JSON.stringify(join(ROOT, 'build/cli.cjs'))});
      let out = '';
      process.stdout.write = (s) => ((out += s), true);
      const code = await main(${JSON.stringify(argv)});
      const loaded = Object.keys(createRequire(import.meta.url).cache).join('\\n');
      console.error(JSON.stringify({ code, output: out.length > 100, yaml: /node_modules\\/yaml\\//.test(loaded), ajv: /node_modules\\/ajv\\//.test(loaded) }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: ROOT });
    // The folder's YAML is read (it is not the snapshot's) and checked; Ajv is never loaded.
    assert.deepEqual(JSON.parse(r.stderr.trim().split('\n').pop()!), { code: 0, output: true, yaml: true, ajv: false }, `${argv.join(' ')}: ${r.stderr}`);
  }
});

/** A scratch copy of the whole rules/ folder (rules and facts): loaded from its YAML. */
async function copyKbAndRules(): Promise<string> {
  const { cp } = await import('node:fs/promises');
  const dir = join(await scratch(), 'rules');
  await cp(RULES_DIR, dir, { recursive: true });
  return dir;
}
