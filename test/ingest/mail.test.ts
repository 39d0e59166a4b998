// One mail per transport shape: the Message fields against golden JSON (read and checked
// by hand), and the decoded text against the text git format-patch wrote.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseMail, readMessages, isInputError, MessageError } from '../../src/ingest/index.js';
import type { InputError, Message } from '../../src/model.js';
import { LimitError } from '../../src/errors.js';
import { project } from './golden.js';

const FIX = 'test/fixtures/mail';

async function read(name: string): Promise<(Message | InputError)[]> {
  const out: (Message | InputError)[] = [];
  for await (const m of readMessages(`${FIX}/${name}`)) out.push(m);
  return out;
}

function golden(name: string): unknown {
  return JSON.parse(readFileSync(`${FIX}/golden/${name}.json`, 'utf8'));
}

/** The body of a format-patch file: what follows its header block. */
function patchBody(text: string): string {
  return text.slice(text.indexOf('\n\n') + 2);
}

/** Part 1 of the v1 series as git wrote it: the reference every re-sent variant must decode to. */
const v1part1 = (() => {
  const mbox = readFileSync(`${FIX}/series-v1.mbox`, 'utf8');
  const first = mbox.slice(0, mbox.indexOf('\nFrom ', 10) + 1);
  return patchBody(first).trimEnd() + '\n';
})();

for (const name of ['qp.eml', 'attached-base64.eml', 'signed.eml', 'crlf.eml', 'flowed.eml', 'latin1.patch', 'git-attach.patch', 'broken-middle.mbox', 'mboxrd.mbox', 'reply.eml', 'restore-comment.diff', 'plain-u.diff', 'sample-0003-qp.eml', 'sample-0003-base64.eml']) {
  test(`${name}: Message fields match the golden file`, async () => {
    assert.deepEqual(JSON.parse(JSON.stringify((await read(name)).map(project))), golden(name));
  });
}

test('quoted-printable, CRLF and multipart/signed decode to the text git wrote', async () => {
  for (const name of ['qp.eml', 'crlf.eml', 'signed.eml']) {
    const [m] = (await read(name)) as Message[];
    assert.equal(m.body.trimEnd() + '\n', v1part1, name);
    assert.ok(!m.body.includes('\r'), `${name}: no CR left`);
    assert.equal(m.attachments.length, 0, `${name}: the signature is not a patch attachment`);
    assert.equal(m.mangled, undefined, name);
  }
});

test('a base64 attachment carries the whole .patch file, decoded', async () => {
  const [m] = (await read('attached-base64.eml')) as Message[];
  assert.equal(m.attachments.length, 1);
  const mbox = readFileSync(`${FIX}/series-v1.mbox`, 'utf8');
  // The attached file is part 1 of v1 as on disk: postmark, headers, body.
  assert.ok(mbox.startsWith(m.attachments[0].text.trimEnd()), 'attachment text is the format-patch file');
  assert.match(m.attachments[0].text, /^\+\t\tpci_warn\(pdev, "%s: Couldn't store saved state\\n", __func__\);$/m);
});

test('git format-patch --attach: commit message in the body, diff in a text/x-patch attachment', async () => {
  const [m] = (await read('git-attach.patch')) as Message[];
  assert.doesNotMatch(m.body, /^diff --git/m);
  assert.equal(m.attachments[0].contentType, 'text/x-patch');
  assert.match(m.attachments[0].text, /^-\t\tpci_dbg\(pdev, "%s: Couldn't store saved state\\n", __func__\);$/m);
});

test('format=flowed is reported as mangled; the same patch unflowed is not', async () => {
  const [flowed] = (await read('flowed.eml')) as Message[];
  assert.match(flowed.mangled ?? '', /format=flowed/);
  // The damage is real: a context line lost its leading space marker.
  assert.ok(!flowed.body.includes('\n \tpci_save_state(pdev);\n'));
  assert.ok(v1part1.includes('\n \tpci_save_state(pdev);\n'));
  // A reply written as format=flowed carries no diff, so nothing is mangled.
  const reply = Buffer.from('From: a@b\nSubject: Re: x\nContent-Type: text/plain; format=flowed\n\nThanks, \nlooks good.\n');
  assert.equal((await parseMail(reply, 'r')).mangled, undefined);
});

test('ISO-8859-1 8-bit mail decodes to UTF-8', async () => {
  const [m] = (await read('latin1.patch')) as Message[];
  assert.match(m.body, /^Suggested by Jörg Müller\.$/m);
  assert.ok(readFileSync(`${FIX}/latin1.patch`).includes(Buffer.from([0x4a, 0xf6, 0x72, 0x67])), 'fixture really is latin-1');
});

test('mboxrd: the >From lines come back as written in the commit', async () => {
  const [m] = (await read('mboxrd.mbox')) as Message[];
  assert.match(m.body, /^From reporter@example\.net Mon Sep 18 10:20:30 2023$/m);
  assert.match(m.body, /^>From the log: /m);
});

test('raw is kept, ids lose their angle brackets, From gives a bare address', async () => {
  const raw = Buffer.from(
    'From: "Doe, Jane" <Jane.Doe@Example.org>\nTo: a@b, Group: c@d, e@f;\nSubject: =?utf-8?q?[PATCH]_caf=C3=A9?=\n' +
      'Message-ID: <x@y>\nIn-Reply-To: <p@q> (Jane\'s message of Mon)\nReferences: <r@s>\n <p@q>\n\nhi\n',
  );
  const m = await parseMail(raw, 'src');
  assert.equal(m.raw, raw);
  assert.equal(m.messageId, 'x@y');
  assert.equal(m.inReplyTo, 'p@q');
  assert.deepEqual(m.references, ['r@s', 'p@q']);
  assert.equal(m.subject, '[PATCH] café');
  assert.equal(m.from, 'Doe, Jane <Jane.Doe@Example.org>');
  assert.equal(m.fromAddress, 'jane.doe@example.org');
  assert.deepEqual(m.to, ['a@b', 'c@d', 'e@f']);
});

test('no HTML conversion: an HTML-only mail gives an empty body', async () => {
  const raw = Buffer.from('From: a@b\nSubject: x\nContent-Type: text/html\n\n<p>diff --git <a href="http://x">x</a></p>\n');
  const m = await parseMail(raw, 'h');
  assert.equal(m.body, '');
});

test('an over-size message is a LimitError, a header-less one a MessageError, both naming the source', async () => {
  await assert.rejects(parseMail(Buffer.alloc(2048, 0x41), 'big.eml', { maxMessageBytes: 1024 }), (e: unknown) => {
    assert.ok(e instanceof LimitError);
    assert.equal(e.line(), 'big.eml: message is 2048 bytes, over the 1024 bytes limit');
    return true;
  });
  await assert.rejects(parseMail(Buffer.from('just some text\n'), 'x'), (e: unknown) => e instanceof MessageError && /no mail headers \(starts with "just some text"\)/.test(e.message));
  await assert.rejects(parseMail(Buffer.from('Index: foo\n\nbar\n'), 'x'), /no From, Subject, Message-ID or Date header/);
});

test('broken-middle.mbox: the garbage message is an InputError with number and line, both patches read', async () => {
  const items = await read('broken-middle.mbox');
  assert.deepEqual(items.map((i) => isInputError(i)), [false, true, false]);
  const err = items[1] as InputError;
  const lines = readFileSync(`${FIX}/broken-middle.mbox`, 'latin1').split('\n');
  assert.match(lines[err.line! - 1], /^From 0{40} Mon Sep 17/);
  assert.equal(err.messageIndex, 2);
});
