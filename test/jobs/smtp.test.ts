/**
 * Sending through a real SMTP server on loopback: down, then up; one send per reply; and
 * hostile header values in the patch mail do not reach the reply's headers.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { simpleParser } from 'mailparser';
import { cli, cliInProcess, cliProcess, freePort, importMbox, initInbox, makeRoot } from '../support/public-inbox.js';
import { mbox, noise, PATCH3_MSGID, sampleMails, seriesClone } from '../support/public-inbox-fixtures.js';
import { startSmtp } from '../support/smtp.js';
import { composeReply } from '../../src/jobs/reply.js';

function setup() {
  const root = makeRoot();
  const inbox = initInbox(root, 'kvm');
  const config = join(root, 'policy.yaml');
  writeFileSync(config, 'domain: bot.example.org\nfrom: "vfio-review bot <bot@bot.example.org>"\nseries_wait_minutes: 0\n');
  return { root, inbox, config, state: join(root, 'state.db'), outbox: join(root, 'outbox') };
}

describe('SMTP', () => {
  test('server down: one clear error, the reply stays queued; server up: sent exactly once', async () => {
    const s = setup();
    importMbox(s.inbox, mbox([...noise(10), ...sampleMails()]));
    const port = await freePort(); // nothing listens here yet
    const args = ['ingest', s.inbox.dir, '--state', s.state, '--outbox', s.outbox, '--config', s.config, '--smtp', `smtp://127.0.0.1:${port}`];
    const down = await cliInProcess(args);
    assert.equal(down.status, 3, 'exit 3: an outside service failed');
    assert.match(down.stderr, new RegExp(`error: SMTP: smtp://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED.*stays queued and is retried next run`));
    let db = new Database(s.state, { readonly: true });
    assert.equal(db.prepare(`SELECT state FROM replies`).pluck().get(), 'written');
    db.close();
    const status = cli(['ingest', 'status', '--state', s.state]);
    assert.match(status.stdout, /ECONNREFUSED/);

    const smtp = await startSmtp(port);
    try {
      const up = await cliInProcess(args);
      assert.equal(up.status, 0, up.stderr);
      assert.match(up.stderr, /0 repl\(ies\) written, 1 sent/);
      const again = await cliInProcess(args);
      assert.equal(again.status, 0, again.stderr);
      assert.equal(smtp.received.length, 1, 'sent once, not again on the next run');
      const got = smtp.received[0];
      assert.equal(got.from, 'bot@bot.example.org');
      assert.deepEqual(got.to, ['author@example.org']);
      const mail = await simpleParser(got.raw);
      assert.equal(mail.inReplyTo, `<${PATCH3_MSGID}>`);
      assert.match(mail.messageId ?? '', /@bot\.example\.org>$/);
      db = new Database(s.state, { readonly: true });
      assert.equal(db.prepare(`SELECT state FROM replies`).pluck().get(), 'sent');
      db.close();
    } finally {
      await smtp.stop();
    }
  });

  test('CR/LF in the subject and author name of a patch mail cannot add headers', async () => {
    const s = setup();
    const p3 = seriesClone(7)[3];
    const evilSubject = '[PATCH] vfio/pci: Add a reset_done callback\r\nBcc: victim@example.com';
    const evilMail = p3
      .replace(/^Subject: .*\n .*\n/m, `Subject: =?UTF-8?B?${Buffer.from(evilSubject).toString('base64')}?=\n`)
      .replace(/^From: .*$/m, 'From: =?UTF-8?B?' + Buffer.from('Evil\r\nX-Injected: 1').toString('base64') + '?= <clone7@example.org>');
    importMbox(s.inbox, mbox([evilMail]));
    const smtp = await startSmtp();
    try {
      const r = await cliInProcess(['ingest', s.inbox.dir, '--state', s.state, '--outbox', s.outbox, '--config', s.config, '--smtp', smtp.url]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(smtp.received.length, 1);
      assert.deepEqual(smtp.received[0].to, ['clone7@example.org']);
      const head = smtp.received[0].raw.toString('utf8').split('\r\n\r\n')[0];
      assert.doesNotMatch(head, /^(Bcc|X-Injected):/im);
      assert.match(head, /^Subject: Re: \[PATCH\] vfio\/pci: Add a reset_done callback Bcc:\r\n victim@example\.com\r\n/m);
      assert.deepEqual(readdirSync(s.outbox).filter((f) => !/^[0-9a-f]{20}\.eml$/.test(f)), [], 'file names are ours');
    } finally {
      await smtp.stop();
    }
  });

  test('composeReply: no second Re:, Message-IDs and addresses reduced to safe characters', () => {
    const r = composeReply({
      patchMessageId: 'a@b>\r\nBcc: x@y',
      patchReferences: ['c@d\r\nX: 1'],
      subject: 'Re: [PATCH] x',
      authorAddress: 'author@example.org',
      from: 'Bot <bot@example.org>',
      domain: 'example.org\r\nX: 2',
      to: ['author@example.org', 'not an address\r\nBcc: z@z'],
      cc: [],
      date: new Date(0),
      body: 'hello\n',
    });
    const head = r.eml.toString().split('\r\n\r\n')[0];
    assert.match(head, /^Subject: Re: \[PATCH\] x$/m);
    assert.doesNotMatch(head, /^(Bcc|X):/m);
    assert.match(head, /^In-Reply-To: <a@bBcc:x@y>$/m);
    assert.match(head, /^To: author@example\.org$/m);
    assert.deepEqual(r.recipients, ['author@example.org']);
    assert.match(r.messageId, /^vfio-review\.[0-9a-f]{20}@example\.orgX2$/);
  });

  test('killed between the SMTP server saying yes and the state saying sent', async () => {
    // The one window where exactly-once cannot be guaranteed by us alone: documented
    // behaviour is "send again with the same Message-ID", unless the reply already came back
    // through a followed list, which proves it was sent.
    const crashThenRerun = async (echo: boolean) => {
      const s = setup();
      importMbox(s.inbox, mbox(sampleMails()));
      const smtp = await startSmtp();
      try {
        const args = ['ingest', s.inbox.dir, '--state', s.state, '--outbox', s.outbox, '--config', s.config, '--smtp', smtp.url];
        const signal = await new Promise<string | null>((resolve) => {
          const child = cliProcess(args, { VFIO_REVIEW_CRASH_AT: 'smtp-accepted:1' });
          child.on('exit', (_code, sig) => resolve(sig));
        });
        assert.equal(signal, 'SIGKILL');
        assert.equal(smtp.received.length, 1);
        if (echo) importMbox(s.inbox, mbox([smtp.received[0].raw.toString('utf8').replace(/\r\n/g, '\n')]));
        // Asynchronously: the SMTP server lives in this process and must keep answering.
        const again = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
          const child = cliProcess(args);
          let stderr = '';
          child.stderr.on('data', (d) => (stderr += d));
          child.on('exit', (status) => resolve({ status, stderr }));
        });
        assert.equal(again.status, 0, again.stderr);
        const db = new Database(s.state, { readonly: true });
        assert.equal(db.prepare(`SELECT state FROM replies`).pluck().get(), 'sent');
        db.close();
        return { received: smtp.received, stderr: again.stderr };
      } finally {
        await smtp.stop();
      }
    };
    const echoed = await crashThenRerun(true);
    assert.equal(echoed.received.length, 1, 'the list copy proved the send: not sent again');
    const blind = await crashThenRerun(false);
    assert.match(blind.stderr, /was being sent when the job stopped; it will be sent again with the same Message-ID/);
    assert.equal(blind.received.length, 2);
    const ids = await Promise.all(blind.received.map(async (r) => (await simpleParser(r.raw)).messageId));
    assert.equal(ids[0], ids[1], 'a duplicate anyone can recognise');
  });
});
