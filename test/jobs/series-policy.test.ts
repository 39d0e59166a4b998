/**
 * Series timing, versions and the policy file, on real public-inbox inboxes, in-process CLI
 * runs (the same code as bin/vfio-review.js), a real SQLite state.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { simpleParser } from 'mailparser';
import { cliInProcess, importMbox, initInbox, makeRoot, type Inbox } from '../support/public-inbox.js';
import { mbox, noise, PATCH3_MSGID, sampleMails, seriesClone, v19Mails } from '../support/public-inbox-fixtures.js';

interface Setup {
  inbox: Inbox;
  state: string;
  outbox: string;
  config: string;
}

function setup(policy: string[]): Setup {
  const root = makeRoot();
  const inbox = initInbox(root, 'kvm');
  const config = join(root, 'policy.yaml');
  writeFileSync(config, ['domain: bot.example.org', ...policy, ''].join('\n').replace(/INBOX/g, inbox.dir));
  return { inbox, state: join(root, 'state.db'), outbox: join(root, 'outbox'), config };
}

async function ingest(s: Setup, extra: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const r = await cliInProcess(['ingest', s.inbox.dir, '--state', s.state, '--outbox', s.outbox, '--config', s.config, '--once', ...extra], env);
  assert.equal(r.status, 0, r.stderr);
  return r;
}

async function replies(s: Setup) {
  const files = existsSync(s.outbox) ? readdirSync(s.outbox).filter((f) => f.endsWith('.eml')).sort() : [];
  return Promise.all(files.map((f) => simpleParser(readFileSync(join(s.outbox, f)))));
}

const inTwoHours = () => new Date(Date.now() + 2 * 3_600_000).toISOString();

describe('series', () => {
  test('parts arriving out of order: reviewed once complete, not before', async () => {
    const s = setup(['series_wait_minutes: 60']);
    const [cover, p1, p2, p3, p4] = sampleMails();
    importMbox(s.inbox, mbox([p3, ...noise(5), p1]));
    await ingest(s);
    assert.equal((await replies(s)).length, 0, 'waiting for the rest of the series');
    const db = new Database(s.state, { readonly: true });
    assert.equal(db.prepare(`SELECT COUNT(*) FROM messages WHERE state = 'pending'`).pluck().get(), 2);
    db.close();
    importMbox(s.inbox, mbox([p4, cover, p2]));
    await ingest(s);
    const got = await replies(s);
    assert.equal(got.length, 1);
    assert.equal(got[0].inReplyTo, `<${PATCH3_MSGID}>`);
  });

  test('an incomplete series is reviewed after the configured wait', async () => {
    const s = setup(['series_wait_minutes: 60']);
    const [, , , p3] = sampleMails();
    importMbox(s.inbox, mbox([p3]));
    await ingest(s);
    assert.equal((await replies(s)).length, 0);
    const r = await ingest(s, [], { VFIO_REVIEW_NOW: inTwoHours() });
    assert.match(r.stderr, /reviewing without parts 0, 1, 2, 4 after waiting/);
    assert.equal((await replies(s)).length, 1);
  });

  test('v19 after v18: with --positive, the v19 reply says the three notes are resolved', async () => {
    const s = setup(['series_wait_minutes: 0']);
    importMbox(s.inbox, mbox(sampleMails()));
    await ingest(s);
    importMbox(s.inbox, mbox(v19Mails({ clean: true })));
    await ingest(s, ['--positive']);
    const got = await replies(s);
    const v19p3 = got.find((m) => m.subject?.includes('v19 3/4'));
    assert.ok(v19p3, got.map((m) => m.subject).join('\n'));
    const text = v19p3.text ?? '';
    assert.match(text, /Compared with the review of v18\s\(https:\/\/lore\.kernel\.org\/r\/6526efa4/);
    assert.ok(text.indexOf('Compared with') > text.indexOf('Hi Sample'), 'after the greeting');
    // the TPH note is a check (an assumed TPH enable), below the default min_severity
    for (const rule of ['snapshot/stale-restore', 'msix/memory-bit']) {
      assert.match(text, new RegExp(`- resolved: ${rule.replace('/', '\\/')}`));
    }
    assert.doesNotMatch(text, /still present/);
    // --positive also answered the clean parts of v19, once each; v18's 1,2,4 stayed silent.
    assert.equal(got.filter((m) => m.subject?.includes('v19')).length, 4);
    assert.equal(got.filter((m) => m.subject?.includes('v18')).length, 1);
  });
});

describe('policy', () => {
  test('reply_to list, cc, min_severity and muted rules', async () => {
    const s = setup([
      'series_wait_minutes: 0',
      'lists:',
      '  - name: kvm',
      '    inbox: INBOX',
      '    address: kvm@vger.kernel.org',
      '    reply_to: list',
      '    cc: [vfio-bot-watchers@example.org]',
      '    min_severity: warning',
      '    mute: [snapshot/stale-tph]',
    ]);
    importMbox(s.inbox, mbox(sampleMails()));
    await ingest(s);
    const [m] = await replies(s);
    assert.equal((m.to as { text: string }).text, 'kvm@vger.kernel.org');
    assert.equal((m.cc as { text: string }).text, 'author@example.org, vfio-bot-watchers@example.org');
    assert.match(m.text ?? '', /^ERROR:SNAPSHOT_STALE_RESTORE: /m);
    assert.doesNotMatch(m.text ?? '', /WARNING:SNAPSHOT_STALE_TPH/);
  });

  test('min_severity error keeps only the error; mute: true keeps the list silent', async () => {
    const s = setup(['series_wait_minutes: 0', 'lists:', '  - name: kvm', '    inbox: INBOX', '    min_severity: error']);
    importMbox(s.inbox, mbox(sampleMails()));
    await ingest(s);
    const [m] = await replies(s);
    assert.match(m.text ?? '', /^ERROR:SNAPSHOT_STALE_RESTORE: /m);
    assert.doesNotMatch(m.text ?? '', /WARNING:/);
    const quiet = setup(['series_wait_minutes: 0', 'lists:', '  - name: kvm', '    inbox: INBOX', '    mute: true']);
    importMbox(quiet.inbox, mbox(sampleMails()));
    await ingest(quiet);
    assert.equal((await replies(quiet)).length, 0);
    const db = new Database(quiet.state, { readonly: true });
    assert.equal(db.prepare(`SELECT state FROM messages WHERE message_id = ?`).pluck().get(PATCH3_MSGID), 'reviewed');
    db.close();
  });

  test('embargo and the global rate limit keep replies queued, not lost', async () => {
    const s = setup(['series_wait_minutes: 0', 'rate_limit: { max: 1, per_minutes: 60 }', 'lists:', '  - name: kvm', '    inbox: INBOX', '    embargo_hours: 1']);
    importMbox(s.inbox, mbox([...sampleMails(), ...seriesClone(1)]));
    // The sample's Date is 2026-06-03: "now" is pinned to 30 minutes after it, inside the embargo.
    const r1 = await ingest(s, [], { VFIO_REVIEW_NOW: '2026-06-03T18:30:00Z' });
    assert.match(r1.stderr, /0 repl\(ies\) written, 0 sent, 2 deferred/);
    const r2 = await ingest(s, [], { VFIO_REVIEW_NOW: '2026-06-03T20:00:00Z' });
    assert.match(r2.stderr, /1 repl\(ies\) written, 0 sent, 1 deferred/);
    assert.match(r2.stderr, /rate limit reached/);
    const r3 = await ingest(s, [], { VFIO_REVIEW_NOW: '2026-06-03T21:01:00Z' });
    assert.match(r3.stderr, /1 repl\(ies\) written, 0 sent, 0 deferred/);
    assert.equal((await replies(s)).length, 2);
  });

  test('a bad policy file is one clear line', async () => {
    const s = setup(['lists:', '  - name: kvm', '    reply_to: everyone']);
    const r = await cliInProcess(['ingest', s.inbox.dir, '--state', s.state, '--outbox', s.outbox, '--config', s.config]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^vfio-review: .*policy\.yaml: lists\[0\] \(kvm\)\.reply_to must be author or list\n$/);
  });
});
