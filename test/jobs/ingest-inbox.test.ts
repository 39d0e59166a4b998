/**
 * The ingestion job end to end on a real public-inbox v2 inbox (built with public-inbox's own
 * importer), through the real CLI, with a real SQLite state file. The tests in this file run
 * in order on one inbox, as a list would grow.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { simpleParser } from 'mailparser';
import { cli, cliInProcess, epochCommits, importMbox, initInbox, makeRoot, purgeMessage, removeMessage, type Inbox } from '../support/public-inbox.js';
import { brokenMail, mbox, noise, PATCH3_MSGID, sampleMails, V18_MSGIDS, v19Mails } from '../support/public-inbox-fixtures.js';

// The notes the job replies with: the TPH note on 3/4 is a check (its premise, TPH enabled while
// the device is open, is assumed: nothing in the series enables TPH), below min_severity.
const THREE_NOTES = ['snapshot/stale-restore', 'msix/memory-bit'];
const THREE_TYPES = ['SNAPSHOT_STALE_RESTORE', 'MSIX_RESTORE_MEMORY_OFF'];

let root: string;
let inbox: Inbox;
let state: string;
let outbox: string;
let config: string;

/** The first run goes through bin/vfio-review.js as a child process; later ones in-process. */
async function ingest(opts: { child?: boolean } = {}) {
  const args = ['ingest', inbox.dir, '--state', state, '--outbox', outbox, '--config', config, '--once'];
  const r = opts.child ? cli(args) : await cliInProcess(args);
  assert.equal(r.status, 0, r.stderr);
  return r;
}

function emls(): string[] {
  return existsSync(outbox) ? readdirSync(outbox).filter((f) => f.endsWith('.eml')).sort() : [];
}

function db() {
  return new Database(state, { readonly: true });
}

function totalCommits(): number {
  return readdirSync(join(inbox.dir, 'git'))
    .filter((e) => /^\d+\.git$/.test(e))
    .reduce((n, e) => n + epochCommits(join(inbox.dir, 'git', e)).length, 0);
}

before(() => {
  root = makeRoot();
  inbox = initInbox(root, 'kvm');
  state = join(root, 'state', 'ingest.db');
  outbox = join(root, 'outbox');
  config = join(root, 'policy.yaml');
  writeFileSync(
    config,
    [
      'from: "vfio-review bot <bot@bot.example.org>"',
      'domain: bot.example.org',
      'series_wait_minutes: 60',
      'rate_limit: { max: 100, per_minutes: 60 }',
      'lists:',
      '  - name: kvm',
      `    inbox: ${inbox.dir}`,
      '    address: kvm@vger.kernel.org',
      '',
    ].join('\n'),
  );
  // The sample series among unrelated traffic, and one mail the parser refuses.
  importMbox(inbox, mbox([...noise(60), ...sampleMails(), brokenMail(), ...noise(25, 200)]));
});

after(() => {
  /* the mkdtemp directory is left for post-mortems; it is small */
});

describe('ingest on a public-inbox v2 inbox', () => {
  test('first run: exactly one reply, to patch 3/4, threaded under it, with the three notes', async () => {
    const r = await ingest({ child: true });
    assert.match(r.stderr, /1 repl\(ies\) written/);
    const files = emls();
    assert.equal(files.length, 1, `replies: ${files.join(', ')}`);
    const raw = readFileSync(join(outbox, files[0]));
    const mail = await simpleParser(raw);
    assert.equal(mail.subject, 'Re: [PATCH v18 3/4] vfio/pci: Add a reset_done callback for vfio-pci driver');
    assert.equal(mail.inReplyTo, `<${PATCH3_MSGID}>`);
    assert.deepEqual(mail.references, [`<${V18_MSGIDS[0]}>`, `<${PATCH3_MSGID}>`]);
    assert.equal((mail.to as { text: string }).text, 'author@example.org');
    assert.equal(mail.cc, undefined, 'no Cc by default (not even the lists)');
    assert.match(mail.messageId ?? '', /^<vfio-review\.[0-9a-f]{20}@bot\.example\.org>$/);
    assert.equal(files[0], `${/vfio-review\.([0-9a-f]{20})@/.exec(mail.messageId!)![1]}.eml`);
    const head = raw.toString('utf8').split('\r\n\r\n')[0];
    assert.match(head, /^Content-Type: text\/plain; charset=utf-8$/m);
    assert.doesNotMatch(head, /^Re: Re:/m);
    const body = mail.text ?? '';
    // One note per cause: the headline and its sub-points, each as LEVEL:TYPE.
    const notes = [...body.matchAll(/^(?:- )?(?:ERROR|WARNING|CHECK):([A-Z_]+):/gm)].map((m) => m[1]);
    assert.deepEqual(notes.sort(), [...THREE_TYPES].sort(), 'exactly the witnessed notes (the check-level ones are below min_severity)');
    // Prose at 72 columns (quoted code, URLs and the attribution line are left as they are).
    const long = body.split('\n').filter((l) => l.length > 72 && !l.startsWith('>') && !/https?:|wrote:$/.test(l));
    assert.deepEqual(long, []);
  });

  test('every message has exactly one outcome; the broken mail is an error with a reason', () => {
    const d = db();
    const rows = d.prepare(`SELECT state, COUNT(*) n FROM messages GROUP BY state`).all() as { state: string; n: number }[];
    const count = Object.fromEntries(rows.map((r) => [r.state, r.n]));
    assert.equal(count.pending, undefined, 'nothing left pending: the series was complete');
    assert.equal(rows.reduce((n, r) => n + r.n, 0), totalCommits());
    const broken = d.prepare(`SELECT state, reason FROM messages WHERE message_id = 'broken-1@example.net'`).get() as { state: string; reason: string };
    assert.equal(broken.state, 'error');
    assert.match(broken.reason, /cannot parse/);
    const p3 = d.prepare(`SELECT state, reason FROM messages WHERE message_id = ?`).get(PATCH3_MSGID) as { state: string; reason: string };
    assert.deepEqual(p3, { state: 'reviewed', reason: `${THREE_NOTES.length} note(s)` });
    const skippedNoise = d.prepare(`SELECT COUNT(*) FROM messages WHERE message_id LIKE 'noise-%' AND state = 'skipped'`).pluck().get() as number;
    assert.equal(skippedNoise, 85);
    d.close();
  });

  test('second run does nothing', async () => {
    const before = emls().map((f) => statSync(join(outbox, f)).mtimeMs);
    const r = await ingest();
    assert.match(r.stderr, /0 new message\(s\), 0 patch\(es\) reviewed, 0 repl\(ies\) written/);
    assert.deepEqual(emls().map((f) => statSync(join(outbox, f)).mtimeMs), before);
  });

  test('appended messages are picked up; v19 is linked to v18 and says what remains', async () => {
    importMbox(inbox, mbox([...noise(10, 400), ...v19Mails()]));
    const r = await ingest();
    assert.match(r.stderr, /15 new message\(s\)/);
    const files = emls();
    assert.equal(files.length, 2);
    const mails = await Promise.all(files.map((f) => simpleParser(readFileSync(join(outbox, f)))));
    const v19 = mails.find((m) => m.subject?.includes('v19'));
    assert.ok(v19, 'a reply to v19 3/4');
    assert.equal(v19.inReplyTo, `<${PATCH3_MSGID.replace('.1795476367.', '.1796081167.')}>`);
    const text = v19.text ?? '';
    assert.match(text, /Compared with the review of v18/);
    assert.ok(text.indexOf('Compared with') < text.indexOf(' wrote:'), 'before the quoted patch');
    for (const rule of THREE_NOTES) assert.match(text, new RegExp(`- still present: ${rule.replace('/', '\\/')}`));
    assert.doesNotMatch(text, /- resolved:/);
  });

  test('a message removed as spam (a d commit) is recorded as a deletion', async () => {
    const spam = noise(1, 400)[0].replace(/^To: .*$/m, `To: ${inbox.address}`).replace('noise-400@', 'spam-400@');
    importMbox(inbox, mbox([spam]));
    await ingest();
    removeMessage(inbox, spam);
    const r = await ingest();
    assert.match(r.stderr, /done in/);
    const d = db();
    assert.equal(d.prepare(`SELECT COUNT(*) FROM deletions`).pluck().get(), 1);
    assert.equal(d.prepare(`SELECT message_id FROM deletions`).pluck().get(), 'spam-400@example.net');
    d.close();
  });

  test('a rewritten epoch (public-inbox-purge) loses and repeats nothing', async () => {
    const d0 = db();
    const rowsBefore = d0.prepare(`SELECT COUNT(*) FROM messages`).pluck().get() as number;
    const cursor = d0.prepare(`SELECT position FROM cursors WHERE epoch = '0'`).pluck().get() as string;
    d0.close();
    purgeMessage(inbox, noise(1, 5)[0]);
    assert.ok(!epochCommits(join(inbox.dir, 'git', '0.git')).includes(cursor), 'the cursor commit is gone');
    importMbox(inbox, mbox(noise(3, 500)));
    const r = await ingest();
    assert.match(r.stderr, /archive rewritten/);
    assert.match(r.stderr, /3 new message\(s\)/);
    const d = db();
    assert.equal(d.prepare(`SELECT COUNT(*) FROM messages`).pluck().get(), rowsBefore + 3);
    assert.equal(d.prepare(`SELECT COUNT(*) FROM replies`).pluck().get(), 2);
    d.close();
    assert.equal(emls().length, 2);
  });

  test('a new epoch is picked up', async () => {
    importMbox(inbox, mbox(noise(12, 600)), { rotateBytes: 2000 });
    assert.ok(existsSync(join(inbox.dir, 'git', '1.git')), 'public-inbox started epoch 1');
    const r = await ingest();
    assert.match(r.stderr, /12 new message\(s\)/);
    const d = db();
    const epochs = d.prepare(`SELECT epoch FROM cursors ORDER BY epoch`).pluck().all();
    assert.ok(epochs.includes('1'), `cursors: ${epochs.join(',')}`);
    d.close();
  });

  test('ingest status shows counts, cursors and the recent errors', async () => {
    const r = cli(['ingest', 'status', '--state', state]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^messages: reviewed \d+, skipped \d+, error 1, pending 0$/m);
    assert.match(r.stdout, /^replies: +queued 0, sending 0, written 2, sent 0$/m);
    assert.match(r.stdout, /\[0\] [0-9a-f]{12}/);
    assert.match(r.stdout, /broken-1@example\.net>: cannot parse/);
    assert.match(r.stdout, /archive rewritten/);
  });
});
