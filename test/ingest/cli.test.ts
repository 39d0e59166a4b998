// Issue #2 "Done when": `vfio-review parse` finds the reset_done callback of the sample's
// patch 3/4 the same whether it came plain, quoted-printable, base64-attached, inside the
// series mbox, from stdin or from the git repository it was made in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve('bin/vfio-review.js');
const P3 = 'samples/vfio-pci-reset-done-v18/v18-0003-vfio-pci-Add-a-reset_done-callback-for-vfio-pci-.patch';

function parse(args: string[], input?: Buffer) {
  const r = spawnSync(process.execPath, [BIN, 'parse', ...args, '--format', 'json'], { input, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr, json: r.status === 0 ? JSON.parse(r.stdout) : undefined };
}

interface Fn {
  name: string;
  change: string;
  addedCalls: string[];
  assignedTo: string[];
}

/** The reset_done function as each shape of the mail reports it. */
function resetDone(json: { patches: { subject: string; functions: Fn[] }[] }): unknown {
  const patch = json.patches.find((p) => p.subject.includes('Add a reset_done callback'));
  assert.ok(patch, 'patch 3/4 is in the output');
  const fn = patch.functions.find((f) => f.name === 'vfio_pci_core_aer_reset_done');
  assert.ok(fn, 'vfio_pci_core_aer_reset_done is listed');
  return {
    change: fn.change,
    loads: fn.addedCalls.includes('pci_load_saved_state'),
    restores: fn.addedCalls.includes('pci_restore_state'),
    assignedTo: fn.assignedTo,
  };
}

const WANT = { change: 'added', loads: true, restores: true, assignedTo: ['reset_done'] };

test('plain, quoted-printable, base64-attached and series-mbox mail all give the same reset_done function', () => {
  for (const input of [P3, 'test/fixtures/mail/sample-0003-qp.eml', 'test/fixtures/mail/sample-0003-base64.eml', 'samples/vfio-pci-reset-done-v18.mbox']) {
    const r = parse([input]);
    assert.equal(r.status, 0, `${input}: ${r.stderr}`);
    assert.deepEqual(resetDone(r.json), WANT, input);
    assert.deepEqual(r.json.errors, [], input);
  }
});

test('stdin that arrives in pieces, with pauses, from a file or a pipe: read whole (src/ingest/bytes.ts reads it with readSync)', async () => {
  const bytes = readFileSync(P3);
  // what the whole input in one write gives
  const want = spawnSync(process.execPath, [BIN, 'parse', '-', '--format', 'json'], { input: bytes, encoding: 'utf8' }).stdout;
  assert.match(want, /vfio_pci_core_aer_reset_done/);
  // a pipe fed in three writes, 150 ms apart (the reads meet an empty pipe between them)
  const child = spawn(process.execPath, [BIN, 'parse', '-', '--format', 'json'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const done = new Promise<number | null>((ok) => child.on('close', ok));
  const third = Math.ceil(bytes.length / 3);
  for (let i = 0; i < 3; i++) {
    child.stdin.write(bytes.subarray(i * third, (i + 1) * third));
    await delay(150);
  }
  child.stdin.end();
  assert.equal(await done, 0);
  assert.equal(out, want);
  // a regular file as stdin (`< x.patch`)
  const fromFile = spawnSync(process.execPath, [BIN, 'parse', '-', '--format', 'json'], { stdio: [openSync(P3, 'r'), 'pipe', 'pipe'], encoding: 'utf8' });
  assert.equal(fromFile.status, 0, fromFile.stderr);
  assert.equal(fromFile.stdout, want);
});

test("checkpatch's #N line of a note is the same for a format-patch file, on stdin and inside an mbox", () => {
  const at = (r: { stdout: string }) => r.stdout.split('\n').filter((l) => /^#\d+: FILE:/.test(l));
  const file = spawnSync(process.execPath, [BIN, 'review', P3, '--fail-on', 'none'], { encoding: 'utf8' });
  const stdin = spawnSync(process.execPath, [BIN, 'review', '-', '--fail-on', 'none'], { input: readFileSync(P3), encoding: 'utf8' });
  const mbox = spawnSync(process.execPath, [BIN, 'review', 'samples/vfio-pci-reset-done-v18.mbox', '--fail-on', 'none'], { encoding: 'utf8' });
  // the reset_done line is line 37 of the file, counting its "From <sha>" line as checkpatch does
  assert.deepEqual(at(file), ['#37: FILE: drivers/vfio/pci/vfio_pci_core.c:2294:']);
  assert.deepEqual(at(stdin), at(file));
  assert.deepEqual(at(mbox), at(file));
});

test('the same from stdin and from the git range it was made from', () => {
  const stdin = parse(['-'], readFileSync(P3));
  assert.equal(stdin.status, 0, stdin.stderr);
  assert.deepEqual(resetDone(stdin.json), WANT);
  const dir = mkdtempSync(join(tmpdir(), 'vfio-ingest-cli-'));
  const repo = join(dir, 'repo');
  assert.equal(spawnSync('git', ['clone', '-q', resolve('samples/vfio-pci-reset-done-v18.bundle'), repo]).status, 0);
  const range = parse(['--repo', repo, '--git', 'HEAD~4..HEAD']);
  assert.equal(range.status, 0, range.stderr);
  assert.equal(range.json.patches.length, 4);
  assert.deepEqual(resetDone(range.json), WANT);
});

test('the series mbox: cover letter first, then parts 1..4, one series key', () => {
  const r = parse(['samples/vfio-pci-reset-done-v18.mbox']);
  const patches = r.json.patches as { kind: string; series: { index: number }; seriesKey: string }[];
  assert.deepEqual(patches.map((p) => [p.kind, p.series.index]), [['cover-letter', 0], ['patch', 1], ['patch', 2], ['patch', 3], ['patch', 4]]);
  assert.equal(new Set(patches.map((p) => p.seriesKey)).size, 1);
});

test('format=flowed mail is reported mangled', () => {
  const r = parse(['test/fixtures/mail/flowed.eml']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.json.patches[0].mangled, true);
});

test('nothing readable: exit 2 and one line naming the input', () => {
  const r = parse(['test/fixtures/mail/does-not-exist.mbox']);
  assert.equal(r.status, 2);
  assert.equal(r.stderr, 'vfio-review: test/fixtures/mail/does-not-exist.mbox: no such file or directory\n');
  const bad = parse(['-'], Buffer.from('\x01\x02 not mail\n'));
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^vfio-review: stdin: not a mail, an mbox or a diff \(starts with .*\)\n$/);
});

test('a broken message in the middle: exit 0, the good ones parsed, the bad one on stderr with its place', () => {
  const r = parse(['test/fixtures/mail/broken-middle.mbox']);
  assert.equal(r.status, 0);
  assert.equal(r.json.patches.length, 2);
  assert.deepEqual(r.json.errors, [{ source: 'test/fixtures/mail/broken-middle.mbox#2', message: 'line 33: no mail headers (starts with binary data)', line: 33, messageIndex: 2 }]);
  assert.equal(r.stderr, 'vfio-review: test/fixtures/mail/broken-middle.mbox#2: line 33: no mail headers (starts with binary data)\n');
});
