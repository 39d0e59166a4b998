// readMessages / collectMessages per input kind, and the errors a user sees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { collectMessages, isInputError, readMessages, type ReadOptions } from '../../src/ingest/index.js';
import { maildirEntries } from '../../src/ingest/maildir.js';
import { UserError } from '../../src/errors.js';
import type { InputError, Message } from '../../src/model.js';

const FIX = 'test/fixtures/mail';
const SAMPLE = 'samples/vfio-pci-reset-done-v18';
const tmp = () => mkdtempSync(join(tmpdir(), 'vfio-ingest-'));

async function read(input: string, opts: ReadOptions = {}): Promise<(Message | InputError)[]> {
  const out: (Message | InputError)[] = [];
  for await (const m of readMessages(input, opts)) out.push(m);
  return out;
}

/** The fields that must not depend on how the mail was packaged. */
const content = (m: Message | InputError) => {
  const { source: _s, raw: _r, ...rest } = m as Message;
  return rest;
};

test('mbox, gzip mbox, folder of .patch files: the same five messages', async () => {
  const mbox = (await read(`${SAMPLE}.mbox`)) as Message[];
  assert.equal(mbox.length, 5);
  assert.deepEqual(mbox.map((m) => m.source), [1, 2, 3, 4, 5].map((i) => `${SAMPLE}.mbox#${i}`));
  const dir = tmp();
  writeFileSync(join(dir, 'series.mbox.gz'), gzipSync(readFileSync(`${SAMPLE}.mbox`)));
  const gz = await read(join(dir, 'series.mbox.gz'));
  assert.deepEqual(gz.map(content), mbox.map(content));
  const folder = (await read(SAMPLE)) as Message[];
  assert.deepEqual(folder.map((m) => m.source), readdirSync(SAMPLE).sort().map((n) => join(SAMPLE, n)));
  assert.deepEqual(folder.map((m) => m.subject), mbox.map((m) => m.subject));
  // A .patch file ends with a blank line the mbox uses as separator: bodies agree up to it.
  assert.deepEqual(folder.map((m) => m.body.trimEnd()), mbox.map((m) => m.body.trimEnd()));
});

test('one format-patch file is one message named by its path', async () => {
  const file = join(SAMPLE, 'v18-0003-vfio-pci-Add-a-reset_done-callback-for-vfio-pci-.patch');
  const [m] = (await read(file)) as Message[];
  assert.equal(m.source, file);
  assert.equal(m.subject, '[PATCH v18 3/4] vfio/pci: Add a reset_done callback for vfio-pci driver');
  assert.match(m.body, /^\+\t\.reset_done = vfio_pci_core_aer_reset_done,$/m);
  // Forced as eml the postmark is dropped and the same message comes out, with the blank
  // line that ends the file (read as an mbox, that line is the separator).
  const [e] = (await read(file, { inputFormat: 'eml' })) as Message[];
  assert.deepEqual({ ...content(e), body: e.body.replace(/\n\n$/, '\n') }, content(m));
  assert.ok(e.body.endsWith('-- \n2.39.5\n\n'));
});

test('bare diffs: subject from the file name, body is the diff; `git show` output gives its subject', async () => {
  const [d] = (await read(`${FIX}/restore-comment.diff`)) as Message[];
  assert.equal(d.subject, 'restore-comment');
  assert.equal(d.body, readFileSync(`${FIX}/restore-comment.diff`, 'utf8'));
  const [u] = (await read(`${FIX}/plain-u.diff`)) as Message[];
  assert.match(u.body, /^--- pci\.c\.orig\n\+\+\+ pci\.c\n@@ -1962,6 \+1962,7 @@/);
  const dir = tmp();
  const show = 'commit 6526efa4ea8d82bd92c71d7a925dd898c11abf6b\nAuthor: Sample Author <author@example.org>\nDate:   Wed Jun 3 11:00:02 2026 -0700\n\n    vfio/pci: Add a reset_done callback\n\n    Body.\n\ndiff --git a/x.c b/x.c\n--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-a\n+b\n';
  writeFileSync(join(dir, 'show.txt'), show);
  const [s] = (await read(join(dir, 'show.txt'))) as Message[];
  assert.equal(s.subject, 'vfio/pci: Add a reset_done callback');
  assert.equal(s.fromAddress, 'author@example.org');
  assert.equal(s.date, '2026-06-03T18:00:02.000Z');
  // Forced: a format-patch file read as a bare diff keeps everything as body.
  const [f] = (await read(`${FIX}/latin1.patch`, { inputFormat: 'diff' })) as Message[];
  assert.equal(f.subject, 'latin1');
});

test('stdin (-) is sniffed like a file', () => {
  const script = `import { readMessages } from ${JSON.stringify(resolve('src/ingest/index.ts'))};
    for await (const m of readMessages('-')) console.log(JSON.stringify([m.source, m.subject]));`;
  const run = (input: Buffer) =>
    spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { input, encoding: 'utf8' });
  const mbox = run(readFileSync(`${SAMPLE}.mbox`));
  assert.equal(mbox.status, 0, mbox.stderr);
  assert.deepEqual(mbox.stdout.trim().split('\n').map((l) => JSON.parse(l)[0]), ['stdin#1', 'stdin#2', 'stdin#3', 'stdin#4', 'stdin#5']);
  const gz = run(gzipSync(readFileSync(`${FIX}/qp.eml`)));
  assert.deepEqual(JSON.parse(gz.stdout), ['stdin', '[PATCH 1/2] vfio/pci: Warn when the open-time state cannot be stored']);
  const diff = run(readFileSync(`${FIX}/restore-comment.diff`));
  assert.deepEqual(JSON.parse(diff.stdout), ['stdin', 'stdin']);
});

test('Maildir: new/ and cur/ together, by name; tmp/ ignored', async () => {
  const dir = tmp();
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(dir, sub));
  const parts = (await read(`${SAMPLE}.mbox`)) as Message[];
  // Delivered out of order across new/ and cur/.
  writeFileSync(join(dir, 'new', '1700000003.a.host'), parts[2].raw!);
  writeFileSync(join(dir, 'cur', '1700000001.b.host:2,S'), parts[0].raw!);
  writeFileSync(join(dir, 'cur', '1700000002.c.host:2,RS'), parts[1].raw!);
  writeFileSync(join(dir, 'tmp', '1700000004.d.host'), parts[3].raw!);
  const got = (await read(dir)) as Message[];
  assert.deepEqual(got.map((m) => m.subject), parts.slice(0, 3).map((m) => m.subject));
  assert.equal(got[2].source, join(dir, 'new', '1700000003.a.host'));
});

test('Maildir entries: names without their flags, in delivery order (numbers as numbers)', async () => {
  const dir = tmp();
  for (const sub of ['cur', 'new']) mkdirSync(join(dir, sub));
  writeFileSync(join(dir, 'cur', '1700000001.M10P1.host:2,S'), '');
  writeFileSync(join(dir, 'new', '1700000001.M9P1.host'), '');
  writeFileSync(join(dir, 'new', '.hidden'), '');
  mkdirSync(join(dir, 'new', '1700000000.dir'));
  assert.deepEqual(await maildirEntries(dir), [
    { name: '1700000001.M9P1.host', path: join(dir, 'new', '1700000001.M9P1.host') },
    { name: '1700000001.M10P1.host', path: join(dir, 'cur', '1700000001.M10P1.host:2,S') },
  ]);
});

test('a git range through simple-git, like checkpatch -g', async () => {
  const dir = tmp();
  const clone = spawnSync('git', ['clone', '-q', resolve(`${SAMPLE}.bundle`), join(dir, 'repo')], { encoding: 'utf8' });
  assert.equal(clone.status, 0, clone.stderr);
  const repo = join(dir, 'repo');
  const range = (await read(repo, { inputFormat: 'git', repo, git: 'HEAD~4..HEAD' })) as Message[];
  assert.deepEqual(range.map((m) => m.subject.replace(/\].*/, ']')), ['[PATCH 1/4]', '[PATCH 2/4]', '[PATCH 3/4]', '[PATCH 4/4]']);
  assert.equal(range[2].source, `${repo}#6526efa4ea8d`);
  assert.match(range[2].body, /^\+static void vfio_pci_core_aer_reset_done\(struct pci_dev \*pdev\)$/m);
  // One revision is that one commit.
  const one = (await read(repo, { repo, git: 'HEAD~1' })) as Message[];
  assert.equal(one.length, 1);
  assert.equal(one[0].subject, '[PATCH] vfio/pci: Add a reset_done callback for vfio-pci driver');
  // Threaded as one series by collectMessages.
  const r = await collectMessages([repo], { inputFormat: 'git', repo, git: 'HEAD~4..HEAD' });
  assert.equal(new Set(r.messages.map((m) => m.seriesKey)).size, 1);
  await assert.rejects(read(repo, { repo, git: 'nosuchbranch..HEAD' }), (e: unknown) => e instanceof UserError && /unknown revision or range nosuchbranch\.\.HEAD/.test(e.message) && e.source === repo);
  await assert.rejects(read(dir, { repo: dir, git: 'HEAD' }), /not a git repository/);
});

test('whole-input errors: one line naming the input', async () => {
  const dir = tmp();
  writeFileSync(join(dir, 'empty.mbox'), '');
  writeFileSync(join(dir, 'notes.txt'), 'Just some notes\nabout nothing\n');
  mkdirSync(join(dir, 'nothing'));
  const cases: [string, RegExp][] = [
    [join(dir, 'missing.mbox'), /^.*missing\.mbox: no such file or directory$/],
    [join(dir, 'empty.mbox'), /empty\.mbox: empty input$/],
    [join(dir, 'notes.txt'), /notes\.txt: not a mail, an mbox or a diff \(starts with "Just some notes"\)$/],
    [join(dir, 'nothing'), /nothing: folder holds no Maildir/],
  ];
  for (const [input, want] of cases) {
    await assert.rejects(collectMessages([input]), (e: unknown) => e instanceof UserError && want.test(e.line()), input);
  }
});

test('one bad input among good ones is an error entry, not the end', async () => {
  const r = await collectMessages([`${FIX}/nope.mbox`, `${FIX}/qp.eml`]);
  assert.equal(r.messages.length, 1);
  assert.deepEqual(r.errors, [{ source: `${FIX}/nope.mbox`, message: 'no such file or directory' }]);
  // Nothing readable at all: the first error, and how many more.
  await assert.rejects(collectMessages([`${FIX}/nope.mbox`, `${FIX}/nope2.mbox`]), (e: unknown) => e instanceof UserError && e.line() === `${FIX}/nope.mbox: no such file or directory (and 1 more error)`);
});

test('an 11 MiB message in the middle of an mbox is reported; the messages around it are read', async () => {
  const dir = tmp();
  const parts = readFileSync(`${SAMPLE}.mbox`, 'latin1').split(/\n(?=From [0-9a-f]{40} )/);
  const huge = `From ${'0'.repeat(40)} Mon Sep 17 00:00:00 2001\nFrom: a@b\nSubject: huge\n\n` + ('x'.repeat(99) + '\n').repeat(115_000) + '\n';
  writeFileSync(join(dir, 'big.mbox'), [parts[1], huge + parts[2]].join('\n'), 'latin1');
  const r = await collectMessages([join(dir, 'big.mbox')]);
  assert.deepEqual(r.messages.map((m) => m.subject.slice(0, 16)), ['[PATCH v18 1/4] ', '[PATCH v18 2/4] ']);
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0].source, `${join(dir, 'big.mbox')}#2`);
  assert.match(r.errors[0].message, /^line \d+: message is 11\.0 MiB, over the 10\.0 MiB limit$/);
});

test('a truncated gzip: what was read stands, plus an error', async () => {
  const dir = tmp();
  const gz = gzipSync(readFileSync(`${SAMPLE}.mbox`));
  writeFileSync(join(dir, 't.mbox.gz'), gz.subarray(0, Math.floor(gz.length * 0.7)));
  const items = await read(join(dir, 't.mbox.gz'));
  const errors = items.filter(isInputError);
  assert.ok(items.length - errors.length >= 1, 'some messages read');
  assert.equal(errors.length, 1);
  assert.match(errors[0].message, /cannot read past message \d+: corrupt gzip data|unexpected end of file/);
});

test('a patch folder keeps going past an unreadable file', async () => {
  const dir = tmp();
  copyFileSync(`${FIX}/qp.eml`, join(dir, '0001-a.eml'));
  writeFileSync(join(dir, '0002-b.patch'), 'not a patch at all\n');
  copyFileSync(`${FIX}/crlf.eml`, join(dir, '0003-c.eml'));
  const items = await read(dir);
  assert.deepEqual(items.map((i) => (isInputError(i) ? 'error' : 'message')), ['message', 'error', 'message']);
  assert.equal((items[1] as InputError).source, join(dir, '0002-b.patch'));
});
