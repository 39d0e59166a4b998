// The mbox splitter against git's own: every mbox the tests use, and the shapes that used to
// merge messages, split by `git mailsplit` (--mboxrd where the file is lore's mboxrd) and by
// ours must give the same number of messages and the same bytes in each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { isSplitProblem, splitMbox } from '../../src/ingest/mbox.js';
import { collectMessages } from '../../src/ingest/index.js';

const FIX = 'test/fixtures/mail';

/** What git mailsplit writes, each file less its postmark line and its separating blank line. */
function gitSplit(mbox: Buffer, mboxrd: boolean): Buffer[] {
  const dir = mkdtempSync(join(tmpdir(), 'vfio-mailsplit-'));
  try {
    const input = join(dir, 'in.mbox');
    writeFileSync(input, mbox);
    const out = join(dir, 'out');
    execFileSync('mkdir', [out]);
    execFileSync('git', ['mailsplit', '--keep-cr', ...(mboxrd ? ['--mboxrd'] : []), `-o${out}`, input], { stdio: 'pipe' });
    return readdirSync(out)
      .sort()
      .map((f) => {
        const b = readFileSync(join(out, f));
        const nl = b.indexOf(0x0a); // a postmark on the last line may have no line end
        const body = nl < 0 ? Buffer.alloc(0) : b.subarray(nl + 1);
        const text = body.toString('latin1');
        const cut = text.endsWith('\r\n\r\n') || text === '\r\n' ? 2 : text.endsWith('\n\n') || text === '\n' ? 1 : 0;
        return body.subarray(0, body.length - cut);
      });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function* chunked(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

/** Ours: a problem for an empty message stands for git's empty file. */
async function ourSplit(mbox: Buffer, chunk = 4096): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const m of splitMbox(chunked(mbox, chunk), { maxMessageBytes: 1e9 })) {
    if (isSplitProblem(m)) {
      assert.equal(m.problem, 'empty message after the postmark', `unexpected problem ${m.problem}`);
      out.push(Buffer.alloc(0));
    } else out.push(m.raw);
  }
  return out;
}

async function sameAsGit(name: string, mbox: Buffer, expectCount?: number): Promise<void> {
  const rd = mbox.subarray(0, 200).toString('latin1').trimStart().startsWith('From mboxrd@z ');
  const git = gitSplit(mbox, rd);
  if (expectCount !== undefined) assert.equal(git.length, expectCount, `${name}: git's count`);
  for (const chunk of [1, 13, 65536]) {
    const ours = await ourSplit(mbox, chunk);
    assert.equal(ours.length, git.length, `${name} (chunk ${chunk}): message count`);
    ours.forEach((b, i) => {
      const g = git[i].toString('latin1');
      // An empty message: git keeps a file of blank lines at most.
      if (b.length === 0) assert.equal(g.trim(), '', `${name}: message ${i + 1} should be empty`);
      else assert.equal(b.toString('latin1'), g, `${name} (chunk ${chunk}): message ${i + 1}`);
    });
  }
}

const FORMAT_PATCH = (sha: string, subject: string, body: string) =>
  `From ${sha} Mon Sep 17 00:00:00 2001\nFrom: A <a@example.org>\nDate: Mon, 4 May 2026 10:00:00 +0200\nSubject: ${subject}\n\n${body}`;
const SHA1 = '1111111111111111111111111111111111111111';
const SHA2 = '2222222222222222222222222222222222222222';

const SHAPES: [string, string, number][] = [
  [
    'a From line right after the previous message, no blank line',
    FORMAT_PATCH(SHA1, 'one', 'body one\n') + FORMAT_PATCH(SHA2, 'two', 'body two\n'),
    2,
  ],
  [
    'an ordinary From nobody line in an mbox that began with git\'s postmark',
    FORMAT_PATCH(SHA1, 'one', 'body one\n\n') + 'From nobody Mon Sep 18 10:20:30 2023\nFrom: B <b@example.org>\nSubject: two\n\nbody two\n',
    2,
  ],
  [
    'mboxo: >From and >>From stay as written',
    'From a@b Mon Sep 18 10:20:30 2023\nFrom: a@b\nSubject: x\n\n>From here\n>>From there\n\nFrom a@b Mon Sep 18 10:20:31 2023\nFrom: a@b\nSubject: y\n\nbody\n',
    2,
  ],
  [
    'mboxrd: one > off every >+From line',
    'From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: a@b\nSubject: x\n\n>From here\n>>From there\n>>>From far\n\nFrom mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: a@b\nSubject: y\n\nbody\n',
    2,
  ],
  [
    'CRLF line ends',
    (FORMAT_PATCH(SHA1, 'one', 'body one\n\n') + FORMAT_PATCH(SHA2, 'two', 'body two\n')).replace(/\n/g, '\r\n'),
    2,
  ],
  ['leading blank lines and spaces before the first postmark', '\n\n  ' + FORMAT_PATCH(SHA1, 'one', 'body\n'), 1],
  ['a postmark straight after a postmark', `From ${SHA1} Mon Sep 17 00:00:00 2001\n` + FORMAT_PATCH(SHA2, 'two', 'body\n'), 2],
  ['a postmark on the last line', FORMAT_PATCH(SHA1, 'one', 'body\n\n') + `From ${SHA2} Mon Sep 17 00:00:00 2001\n`, 2],
  ['no line end at the end', FORMAT_PATCH(SHA1, 'one', 'body\n\n') + FORMAT_PATCH(SHA2, 'two', 'last line'), 2],
  ['a From line of 19 bytes and its line end is a postmark (git counts the line end)', FORMAT_PATCH(SHA1, 'one', 'From x 1:22:33 2023\nx\n'), 2],
  ['a From line of 18 bytes and its line end is not', FORMAT_PATCH(SHA1, 'one', 'From 1:22:33 2023\nx\n'), 1],
];

for (const [name, text, count] of SHAPES) {
  test(`mailsplit: ${name}`, async () => sameAsGit(name, Buffer.from(text, 'latin1'), count));
}

test('mailsplit: every mbox among the test fixtures and the sample', async () => {
  const files = [
    'samples/vfio-pci-reset-done-v18.mbox',
    ...readdirSync(FIX)
      .filter((f) => /\.(mbox|patch)(\.gz)?$/.test(f))
      .map((f) => join(FIX, f)),
  ];
  assert.ok(files.length >= 6, `found ${files.length} mbox fixtures`);
  for (const f of files) {
    const raw = readFileSync(f);
    await sameAsGit(f, f.endsWith('.gz') ? gunzipSync(raw) : raw);
  }
});

test('mailsplit: a gzipped mbox reads as the same messages as git gets from the plain one', async () => {
  const text = FORMAT_PATCH(SHA1, '[PATCH 1/2] one', 'body one\n') + FORMAT_PATCH(SHA2, '[PATCH 2/2] two', 'body two\n');
  const dir = mkdtempSync(join(tmpdir(), 'vfio-gz-'));
  try {
    const path = join(dir, 'x.mbox.gz');
    writeFileSync(path, gzipSync(Buffer.from(text)));
    const { messages } = await collectMessages([path]);
    const git = gitSplit(Buffer.from(text), false);
    assert.equal(messages.length, git.length);
    assert.deepEqual(messages.map((m) => m.raw?.toString('latin1')), git.map((g) => g.toString('latin1')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
