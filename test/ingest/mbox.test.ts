// The mbox splitter on its own: postmark rules, From-quoting, chunk boundaries, size cap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isFromLine, isSplitProblem, splitMbox, type RawMessage, type SplitProblem } from '../../src/ingest/mbox.js';

const FIX = 'test/fixtures/mail';

async function* chunked(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function split(buf: Buffer, size = 65536, max = 10 * 1024 * 1024): Promise<(RawMessage | SplitProblem)[]> {
  const out: (RawMessage | SplitProblem)[] = [];
  for await (const m of splitMbox(chunked(buf, size), { maxMessageBytes: max })) out.push(m);
  return out;
}

const ok = (xs: (RawMessage | SplitProblem)[]) => xs.filter((x): x is RawMessage => !isSplitProblem(x));

test('isFromLine follows git mailsplit', () => {
  assert.ok(isFromLine('From 4a138e66f612a77edde63e6ab0a8deb6396278c3 Mon Sep 17 00:00:00 2001'));
  assert.ok(isFromLine('From mboxrd@z Thu Jan  1 00:00:00 1970\n'));
  assert.ok(isFromLine('From bob@example.org Mon Sep 18 10:20:30 2023\r\n'));
  assert.ok(!isFromLine('From: Sample Author <author@example.org>'));
  assert.ok(!isFromLine('From the spec we know that'));
  assert.ok(!isFromLine('From x Mon Sep 18 10:20:30 1970'.replace('1970', '19')), 'year must be > 90');
  assert.ok(!isFromLine('From x 1:2'), 'too short');
});

test('the sample mbox splits into its 5 messages, whatever the chunk size', async () => {
  const buf = readFileSync('samples/vfio-pci-reset-done-v18.mbox');
  const whole = ok(await split(buf));
  assert.equal(whole.length, 5);
  for (const size of [1, 7, 4096]) {
    const parts = ok(await split(buf, size));
    assert.deepEqual(parts.map((m) => m.raw.toString('latin1')), whole.map((m) => m.raw.toString('latin1')), `chunk ${size}`);
  }
  // The messages are the .patch files minus postmark and separating blank line.
  const p3 = readFileSync('samples/vfio-pci-reset-done-v18/v18-0003-vfio-pci-Add-a-reset_done-callback-for-vfio-pci-.patch', 'latin1');
  assert.equal(whole[3].raw.toString('latin1'), p3.slice(p3.indexOf('\n') + 1).replace(/\n\n$/, '\n'));
  assert.match(whole[3].postmark!, /^From 6526efa4ea8d82bd92c71d7a925dd898c11abf6b Mon Sep 17 00:00:00 2001$/);
  // Each message's line is its postmark's line in the file.
  const lines = buf.toString('latin1').split('\n');
  const postmarks = lines.flatMap((l, i) => (/^From [0-9a-f]{40} Mon Sep 17/.test(l) ? [i + 1] : []));
  assert.deepEqual(whole.map((m) => m.line), postmarks);
  assert.deepEqual(whole.map((m) => m.index), [1, 2, 3, 4, 5]);
});

test('mboxrd (lore postmark) unescapes every >+From line by one', async () => {
  const [m, ...rest] = await split(readFileSync(`${FIX}/mboxrd.mbox`));
  assert.equal(rest.length, 0);
  const text = (m as RawMessage).raw.toString('utf8');
  assert.match(text, /\n\nFrom reporter@example\.net Mon Sep 18 10:20:30 2023\nSubject: vfio-pci/);
  assert.match(text, /\n>From the log: /);
  assert.doesNotMatch(text, />>From/);
});

test('mboxo: >From quoting is left as written, as git mailsplit leaves it', async () => {
  const mbox = Buffer.from(
    'From a@b Mon Sep 18 10:20:30 2023\nFrom: a@b\nSubject: x\n\n>From here\n>>From there\n\nFrom a@b Mon Sep 18 10:20:31 2023\nFrom: a@b\nSubject: y\n\nbody\n',
  );
  const ms = ok(await split(mbox));
  assert.equal(ms.length, 2);
  assert.equal(ms[0].raw.toString(), 'From: a@b\nSubject: x\n\n>From here\n>>From there\n');
  assert.equal(ms[1].raw.toString(), 'From: a@b\nSubject: y\n\nbody\n');
});

test('a pasted From_ line in a format-patch commit message splits it, as git am would', async () => {
  const ms = await split(readFileSync(`${FIX}/from-line-in-body.patch`));
  assert.equal(ms.length, 2);
  assert.match((ms[0] as RawMessage).raw.toString(), /\nThe report that started this:\n$/);
  assert.match((ms[1] as RawMessage).raw.toString(), /^Subject: vfio-pci: device state lost/);
  assert.equal((ms[1] as RawMessage).line, 8);
});

test('a From_ line splits with or without a blank line before it or a header after it', async () => {
  const mbox = Buffer.from(
    'From a@b Mon Sep 18 10:20:30 2023\nFrom: a@b\nSubject: x\n\nquoted:\nFrom c@d Mon Sep 18 10:20:30 2023\nnot a header\n\nFrom a@b Tue Sep 19 10:20:30 2023\nSubject: y\n\nz\n',
  );
  const ms = ok(await split(mbox));
  assert.deepEqual(ms.map((m) => m.index), [1, 2, 3]);
  assert.equal(ms[0].raw.toString(), 'From: a@b\nSubject: x\n\nquoted:\n');
  assert.equal(ms[1].raw.toString(), 'not a header\n');
});

test('CRLF mboxes split the same', async () => {
  const crlf = Buffer.from(readFileSync('samples/vfio-pci-reset-done-v18.mbox', 'latin1').replace(/\n/g, '\r\n'), 'latin1');
  const ms = ok(await split(crlf, 333));
  assert.equal(ms.length, 5);
  assert.match(ms[4].raw.toString(), /^Message-Id: <ebde4785/);
  assert.match(ms[4].raw.toString(), /\r\n$/);
});

test('an over-size message is reported with its number and line, the others kept', async () => {
  const big = 'x'.repeat(1000) + '\n';
  const mbox = Buffer.from(
    'From a@b Mon Sep 18 10:20:30 2023\nSubject: 1\n\nsmall\n\n' +
      'From a@b Mon Sep 18 10:20:30 2023\nSubject: 2\n\n' + big.repeat(50) + '\n' +
      'From a@b Mon Sep 18 10:20:30 2023\nSubject: 3\n\nsmall\n',
  );
  const ms = await split(mbox, 100, 20_000);
  assert.equal(ms.length, 3);
  assert.ok(!isSplitProblem(ms[0]) && !isSplitProblem(ms[2]));
  const p = ms[1] as SplitProblem;
  assert.equal(p.index, 2);
  assert.equal(p.line, 6);
  // Counted: headers 12 + 50 lines of 1001 + the blank separator line 1.
  assert.equal(p.problem, 'message is 50063 bytes, over the 20000 bytes limit');
});

test('text before the first postmark is a problem, not a message', async () => {
  const ms = await split(Buffer.from('hello\nworld\n'));
  assert.equal(ms.length, 1);
  assert.ok(isSplitProblem(ms[0]));
  assert.equal((ms[0] as SplitProblem).line, 1);
});

test('each message says its byte span: postmark offset to the next postmark', async () => {
  const buf = readFileSync('samples/vfio-pci-reset-done-v18.mbox');
  const ms = ok(await split(buf, 333));
  const text = buf.toString('latin1');
  const starts = [...text.matchAll(/^From [0-9a-f]{40} Mon Sep 17/gm)].map((m) => m.index);
  assert.deepEqual(ms.map((m) => m.offset), starts);
  assert.deepEqual(ms.map((m) => m.end), [...starts.slice(1), buf.length]);
});

test('growing: the last message waits until a blank line or a postmark ends it', async () => {
  const two = 'From mboxrd@z Thu Jan  1 00:00:00 1970\nSubject: 1\n\none\n\nFrom mboxrd@z Thu Jan  1 00:00:00 1970\nSubject: 2\n\ntwo\n\n';
  const grow = async (text: string) => {
    const out: (RawMessage | SplitProblem)[] = [];
    for await (const m of splitMbox(chunked(Buffer.from(text), 5), { maxMessageBytes: 1e6, growing: true })) out.push(m);
    return ok(out).map((m) => [m.raw.toString(), m.end]);
  };
  const cut = two.indexOf('From mboxrd', 10);
  assert.deepEqual(await grow(two), [['Subject: 1\n\none\n', cut], ['Subject: 2\n\ntwo\n', two.length]]);
  assert.deepEqual(await grow(two.slice(0, -1)), [['Subject: 1\n\none\n', cut]], 'no blank line yet');
  assert.deepEqual(await grow(two.slice(0, cut + 10)), [], 'half a postmark is body text so far');
  assert.deepEqual(await grow(two.slice(0, two.indexOf('Subject: 2'))), [['Subject: 1\n\none\n', cut]], 'postmark only');
  // Not growing: the same cut file reports the empty message after the postmark.
  const all = await split(Buffer.from(two.slice(0, two.indexOf('Subject: 2'))));
  assert.equal((all[1] as SplitProblem).problem, 'empty message after the postmark');
});
