/**
 * The intake's cheap relevance checks, which a backfill runs on every mail: they must decide
 * as the slower forms they replace would (the whole text through filesInText; a search of
 * the whole message for a transfer encoding), and a mail recorded from one archive is
 * recorded and counted once when the same bytes come from another.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { filesInBytes, filesInText } from '../../src/patch/followed.js';
import { quickHeaders } from '../../src/jobs/relevance.js';
import { headerFields } from '../../src/ingest/mime.js';
import { cliInProcess, importMbox, initInbox, makeRoot } from '../support/public-inbox.js';
import { mbox, noise, sampleMails } from '../support/public-inbox-fixtures.js';

const head = 'From: A <a@example.org>\nSubject: x\nMessage-ID: <m@example.org>\n';

describe('relevance: filesInBytes', () => {
  const bodies: [string, string][] = [
    ['no diff at all', `${head}\nJust talk.\n-- \nsig\n`],
    ['a quoted diff only (a reply)', `${head}\n> diff --git a/x.c b/x.c\n> +++ b/x.c\nLooks fine.\n`],
    ['a diff', `${head}\nText.\n---\n x.c | 1 +\n\ndiff --git a/drivers/pci/x.c b/drivers/pci/x.c\n--- a/drivers/pci/x.c\n+++ b/drivers/pci/x.c\n@@ -1 +1 @@\n-a\n+b\n`],
    ['CRLF lines', `${head}\r\nText.\r\ndiff --git a/a.c b/b.c\r\n--- a/a.c\r\n+++ b/b.c\r\n`],
    ['a marker inside a line first, then a real one', `${head}\nsee "+++ b/y" here\n+++ b/real.c\n`],
    ['non-ASCII text before the diff', `${head}\nDéjà vu — ünïcode.\ndiff --git a/é.c b/é.c\n`],
    ['only ---/+++ lines, no diff --git', `${head}\n--- a/old.c\n+++ b/new.c\n`],
  ];
  for (const [what, text] of bodies) {
    test(`the same files as filesInText on the whole text: ${what}`, () => {
      const raw = Buffer.from(text, 'utf8');
      assert.deepEqual(filesInBytes(raw).sort(), filesInText([text]).sort());
    });
  }

  test('finds the files of a real patch mail', () => {
    const raw = Buffer.from(sampleMails()[3], 'utf8');
    assert.ok(filesInBytes(raw).some((f) => f.startsWith('drivers/vfio/pci/')));
  });
});

describe('relevance: encoded', () => {
  test('a single part is encoded when its own header says so', () => {
    const h = quickHeaders(Buffer.from(`${head}Content-Transfer-Encoding: BASE64\n\naGVsbG8=\n`));
    assert.equal(h?.encoded, true);
  });

  test('a single part whose text names an encoding is not (its bytes are its text)', () => {
    const h = quickHeaders(Buffer.from(`${head}Content-Transfer-Encoding: 8bit\n\n+Content-Transfer-Encoding: base64\n`));
    assert.equal(h?.encoded, false);
  });

  test('a multipart mail with one encoded part is encoded', () => {
    const raw = `${head}Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nhi\n--b\nContent-Type: text/x-patch\nContent-Transfer-Encoding: quoted-printable\n\nx=3D1\n--b--\n`;
    const h = quickHeaders(Buffer.from(raw));
    assert.equal(h?.multipart, true);
    assert.equal(h?.encoded, true);
  });
});

describe('relevance: quickHeaders reads the fields as the MIME reader does', () => {
  // The oracle: the generic header reader over the same block, then the same picks.
  const picked = (text: string) => {
    const lf = text.indexOf('\n\n');
    const crlf = text.indexOf('\r\n\r\n');
    const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf;
    const f = headerFields(end < 0 ? text : text.slice(0, end));
    if (f.size === 0) return undefined;
    const id = (v?: string) => /<([^<>\s]+)>/.exec(v ?? '')?.[1];
    return { messageId: id(f.get('message-id')), subject: f.get('subject') ?? '', from: f.get('from'), date: f.get('date'), inReplyTo: id(f.get('in-reply-to')), references: id(f.get('references')) };
  };
  const mails: [string, string][] = [
    ...sampleMails().map((m, i): [string, string] => [`sample mail ${i}`, m]),
    ...noise(6).map((m, i): [string, string] => [`list noise ${i}`, m]),
    ['folded fields, CRLF', 'Message-ID:\r\n <a@b>\r\nSubject: [PATCH 1/2] a\r\n  folded  title \r\nFrom: A\r\n\t<a@x.org>\r\nReferences: <r1@x>\r\n <r2@x>\r\nDate: Mon, 1 Jan 2024\r\n\r\nbody\r\n\r\nmore\n\nend\n'],
    ['a field twice: the first counts', 'From: first@x.org\nFrom: second@x.org\nMessage-Id: <one@x>\nMESSAGE-ID: <two@x>\n\nb\n'],
    ['long Received lines before the wanted ones', `Received: from a\n\tby b with ESMTP; x\nDKIM-Signature: v=1;\n b=${'x'.repeat(300)}\nFrom: A <a@x.org>\nMessage-ID: <k@x>\n\nb\n`],
    ['spaces before the colon, a line without one', 'From : A <a@x.org>\nnot a field\n continued\nDate:  Tue  \n\nb\n'],
    ['no header block at all', 'just some text\nwithout fields\n'],
    ['no blank line: all header', 'From: a@x.org\nMessage-ID: <z@x>'],
  ];
  for (const [what, text] of mails) {
    test(what, () => {
      const h = quickHeaders(Buffer.from(text, 'utf8'));
      const want = picked(text);
      if (!want) return assert.equal(h, undefined);
      assert.ok(h);
      assert.deepEqual({ messageId: h.messageId, subject: h.subject, from: h.from, date: h.date, inReplyTo: h.inReplyTo, references: h.references }, want);
    });
  }
});

describe('intake: the same bytes from a second archive', () => {
  test('recorded once and counted once, though the second archive is read without a lookup first', async () => {
    const root = makeRoot();
    writeFileSync(join(root, 'p.yaml'), 'series_wait_minutes: 0\n');
    const args = (src: string) => ['ingest', src, '--state', join(root, 'state.db'), '--outbox', join(root, 'out'), '--config', join(root, 'p.yaml'), '--once'];
    const inbox = initInbox(root, 'kvm');
    importMbox(inbox, mbox([...noise(8), ...sampleMails()]));
    const first = await cliInProcess(args(inbox.dir));
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stderr, /13 new message\(s\)/);
    const copy = join(root, 'kvm-copy');
    cpSync(inbox.dir, copy, { recursive: true }); // a second path to the same archive: a fresh epoch, no cursor
    const second = await cliInProcess(args(copy));
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stderr, /done in [\d.]+ s: 0 new message\(s\)/);
    assert.doesNotMatch(second.stderr, /kvm-copy: \d+ new/);
    const db = new Database(join(root, 'state.db'), { readonly: true });
    try {
      assert.equal(db.prepare('SELECT COUNT(*) FROM messages').pluck().get(), 13);
      assert.equal(db.prepare('SELECT COUNT(*) FROM cursors').pluck().get(), 2); // the copy's cursor moved past them
    } finally {
      db.close();
    }
  });
});
