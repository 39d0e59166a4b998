// The Action's small pieces: diff anchors, text safety, the review artifact, and action.yml
// agreeing with the code that reads inputs and sets outputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { indexDiff } from '../../src/patch/lines.js';
import { neutralize, redact } from '../../src/post/text.js';
import { escapeMarkdown } from '../../src/report/escape.js';
import { readArtifact, writeArtifact } from '../../src/post/artifact.js';
import { resolvedBody } from '../../src/post/comments.js';
import { fingerprintMarker, parseMarker } from '../../src/report/github.js';
import { ROOT } from '../support/fake-github-action.js';

const PATCH3 = join(ROOT, 'samples/vfio-pci-reset-done-v18');

test('anchors: the lines of patch 3/4 that a comment may use', async () => {
  const name = (await readdir(PATCH3)).find((f) => f.startsWith('v18-0003'))!;
  const text = await readFile(join(PATCH3, name), 'utf8');
  const a = indexDiff(text.slice(text.indexOf('diff --git')));
  const isAnchored = (x: typeof a, c: { path: string; line: number; side: 'LEFT' | 'RIGHT' }) => x.has(c.path, c.line, c.side);
  const f = 'drivers/vfio/pci/vfio_pci_core.c';
  const right = [...a.rightLines(f)].sort((x, y) => x - y);
  assert.deepEqual(right, [2283, 2284, 2285, ...range(2286, 2296), 2297, 2298, 2299, 2366, 2367, 2368, 2369, 2370, 2371, 2372]);
  assert.ok(isAnchored(a, { path: f, line: 2294, side: 'RIGHT' }));
  assert.ok(!isAnchored(a, { path: f, line: 2300, side: 'RIGHT' }));
  assert.ok(!isAnchored(a, { path: f, line: 2290, side: 'LEFT' }), 'an added line has no LEFT side');
  assert.ok(isAnchored(a, { path: f, line: 2283, side: 'LEFT' }));
  const left = range(2200, 2400).filter((n) => a.has(f, n, 'LEFT'));
  assert.deepEqual(left, [2283, 2284, 2285, 2286, 2287, 2288, 2355, 2356, 2357, 2358, 2359, 2360], 'the mail signature is not a deleted line');
  assert.ok(!isAnchored(a, { path: 'drivers/pci/pci.c', line: 1, side: 'RIGHT' }), 'a file the diff does not touch');
});

test('anchors: new, deleted and no-newline files', () => {
  const diff = [
    'diff --git a/new.c b/new.c',
    'new file mode 100644',
    '--- /dev/null',
    '+++ b/new.c',
    '@@ -0,0 +1,2 @@',
    '+int a;',
    '+int b;',
    '\\ No newline at end of file',
    'diff --git a/old.c b/old.c',
    'deleted file mode 100644',
    '--- a/old.c',
    '+++ /dev/null',
    '@@ -1 +0,0 @@',
    '-gone',
    '',
  ].join('\n');
  const a = indexDiff(diff);
  assert.deepEqual([...a.rightLines('new.c')], [1, 2]);
  assert.equal(a.has('old.c', 1, 'RIGHT'), false, 'a deleted file has no post-image to comment on');
  assert.equal(a.has('old.c', 1, 'LEFT'), true);
});

test('text: patch text cannot mention, link issues or inject HTML', () => {
  const s = escapeMarkdown('<img src=x> @torvalds fixes #123 `x`');
  assert.ok(!/<img/.test(s));
  assert.ok(!/@torvalds/.test(s));
  assert.ok(!/#123/.test(s));
  assert.equal(neutralize(neutralize('@a #1')), neutralize('@a #1'), 'idempotent');
  assert.equal(redact('auth ghs_abcdef failed for ghs_abcdef', ['ghs_abcdef']), 'auth *** failed for ***');
});

test('resolved comments keep their fingerprint', () => {
  const body = `Note\n\n${fingerprintMarker('rule.fp-1')}`;
  const r = resolvedBody(body, 'a'.repeat(40));
  assert.equal(parseMarker(r), 'rule.fp-1');
  assert.match(r, /no longer reports this note at aaaaaaaaaaaa/);
});

test('artifact: round trip, and a forged file is refused or defanged', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vfio-review-art-'));
  const path = join(dir, 'review.json');
  const t = { owner: 'o', repo: 'r', pullNumber: 3, headSha: 'b'.repeat(40) };
  const c = { path: 'a.c', line: 2, side: 'RIGHT' as const, body: 'hi @someone', fingerprint: 'x.1' };
  await writeArtifact(path, t, { body: 'B', comments: [c], outside: [] });
  const a = await readArtifact(path);
  assert.equal(a.pullNumber, 3);
  assert.equal(a.comments[0].body, 'hi @\u200bsomeone');
  for (const [field, bad] of [
    ['headSha', 'HEAD'],
    ['pullNumber', -1],
    ['schema', 'x'],
    ['comments', [{ ...c, side: 'MIDDLE' }]],
    ['comments', [{ ...c, fingerprint: 'x --> <script>' }]],
  ] as const) {
    const forged = { ...JSON.parse(await readFile(path, 'utf8')), [field]: bad };
    await writeFile(join(dir, 'bad.json'), JSON.stringify(forged));
    await assert.rejects(readArtifact(join(dir, 'bad.json')), new RegExp(`invalid review artifact: ${field}`));
  }
});

test('action.yml documents exactly the inputs read and the outputs set', async () => {
  const yml = parse(await readFile(join(ROOT, 'action.yml'), 'utf8'));
  assert.equal(yml.runs.using, 'node24');
  assert.equal(yml.runs.main, 'dist/index.js');
  assert.ok(yml.description.length < 125, 'the Marketplace refuses long descriptions');
  const src = await readSources(join(ROOT, 'src/action'));
  const read = new Set([...src.matchAll(/getInput\('([a-z-]+)'/g)].map((m) => m[1]));
  const set = new Set([...src.matchAll(/setOutput\('([a-z-]+)'/g)].map((m) => m[1]));
  set.delete('');
  for (const s of ['error', 'warning', 'check']) set.add(`${s}-count`); // set in a loop over SEVERITIES
  assert.deepEqual([...read].sort(), Object.keys(yml.inputs).sort());
  assert.deepEqual([...set].sort(), Object.keys(yml.outputs).sort());
  for (const [k, v] of Object.entries(yml.inputs as Record<string, { description?: string }>)) assert.ok(v.description, `input ${k} has a description`);
  assert.equal(yml.inputs['github-token'].default, '${{ github.token }}');
});

async function readSources(dir: string): Promise<string> {
  const names = await readdir(dir);
  const texts = await Promise.all(names.filter((n) => n.endsWith('.ts')).map((n) => readFile(join(dir, n), 'utf8')));
  return texts.join('\n');
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}
