/**
 * The other SOURCE kinds (public-inbox v1, Maildir, mbox) and the operator's error lines.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { cliInProcess, importMbox, initInbox, makeRoot } from '../support/public-inbox.js';
import { brokenMail, mbox, noise, sampleMails } from '../support/public-inbox-fixtures.js';

function dirs() {
  const root = makeRoot();
  writeFileSync(join(root, 'p.yaml'), 'series_wait_minutes: 0\n');
  return { root, state: join(root, 'state.db'), outbox: join(root, 'out'), config: join(root, 'p.yaml') };
}

const emls = (outbox: string) => readdirSync(outbox).filter((f) => f.endsWith('.eml'));

async function ingest(source: string, d: ReturnType<typeof dirs>, extra: string[] = []) {
  const r = await cliInProcess(['ingest', source, '--state', d.state, '--outbox', d.outbox, '--config', d.config, ...extra]);
  assert.equal(r.status, 0, r.stderr);
  return r;
}

describe('sources', () => {
  test('public-inbox v1 (one bare repository)', async () => {
    const d = dirs();
    const inbox = initInbox(d.root, 'v1list', { version: 1 });
    importMbox(inbox, mbox([...noise(8), ...sampleMails()]));
    const r = await ingest(inbox.dir, d);
    assert.match(r.stderr, /13 new message\(s\)/);
    assert.equal(emls(d.outbox).length, 1);
    importMbox(inbox, mbox(noise(3, 50)));
    assert.match((await ingest(inbox.dir, d)).stderr, /3 new message\(s\)/);
  });

  test('Maildir: new/ and cur/, each file once', async () => {
    const d = dirs();
    const md = join(d.root, 'Maildir');
    for (const sub of ['new', 'cur', 'tmp']) mkdirSync(join(md, sub), { recursive: true });
    const mails = [...noise(4), ...sampleMails()];
    mails.forEach((m, i) => writeFileSync(join(md, i % 2 ? 'cur' : 'new', `17000000${i.toString().padStart(2, '0')}.M${i}P1.host${i % 2 ? ':2,S' : ''}`), m));
    assert.match((await ingest(md, d)).stderr, /9 new message\(s\)/);
    assert.equal(emls(d.outbox).length, 1);
    writeFileSync(join(md, 'new', '1800000000.M99P1.host'), noise(1, 77)[0]);
    assert.match((await ingest(md, d)).stderr, /1 new message\(s\)/);
  });

  test('mbox: appended messages are read from the stored offset; a replaced file is re-read without repeats', async () => {
    const d = dirs();
    const file = join(d.root, 'list.mbox');
    writeFileSync(file, mbox([...noise(5), ...sampleMails()]));
    assert.match((await ingest(file, d)).stderr, /10 new message\(s\)/);
    appendFileSync(file, mbox([...noise(2, 40), brokenMail()]));
    const r2 = await ingest(file, d);
    assert.match(r2.stderr, /3 new message\(s\): 0 patch mail\(s\) held for their series, 2 skipped, 1 error\(s\)/);
    writeFileSync(file, mbox(noise(3, 60))); // shorter than the cursor: rotated/replaced
    const r3 = await ingest(file, d);
    assert.match(r3.stderr, /file replaced/);
    assert.match(r3.stderr, /3 new message\(s\)/);
    const db = new Database(d.state, { readonly: true });
    assert.equal(db.prepare(`SELECT COUNT(*) FROM messages`).pluck().get(), 16);
    db.close();
    assert.equal(emls(d.outbox).length, 1);
  });

  test('--json logs one JSON object per line', async () => {
    const d = dirs();
    const file = join(d.root, 'list.mbox');
    writeFileSync(file, mbox(noise(3)));
    const r = await ingest(file, d, ['--json']);
    const lines = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as { level: string; msg: string });
    assert.ok(lines.length >= 2);
    assert.ok(lines.every((l) => l.level === 'info' && typeof l.msg === 'string'));
  });
});

describe('operator errors are one clear line', () => {
  test('a missing inbox', async () => {
    const d = dirs();
    const r = await cliInProcess(['ingest', join(d.root, 'nope'), '--state', d.state, '--outbox', d.outbox]);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, `vfio-review: ${join(d.root, 'nope')}: no such inbox, Maildir or mbox\n`);
  });

  test('a state file that is not ours', async () => {
    const d = dirs();
    const inbox = initInbox(d.root, 'kvm');
    importMbox(inbox, mbox(noise(1)));
    writeFileSync(d.state, 'this is not a database, it is a text file that someone put here'.repeat(20));
    const r = await cliInProcess(['ingest', inbox.dir, '--state', d.state, '--outbox', d.outbox]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^vfio-review: .*state\.db: cannot use state file: file is not a database\n$/);
    const s = await cliInProcess(['ingest', 'status', '--state', join(d.root, 'missing.db')]);
    assert.equal(s.status, 2);
    assert.match(s.stderr, /missing\.db: no such state file\n$/);
  });
});

describe('one job per state file', () => {
  test('a second ingest on the same state is refused while the first runs; a stale lock is taken over', async () => {
    const d = dirs();
    const file = join(d.root, 'list.mbox');
    writeFileSync(file, mbox(noise(2)));
    // A live process that is not us holds the lock: refused.
    writeFileSync(`${d.state}.lock`, String(process.ppid));
    const r = await cliInProcess(['ingest', file, '--state', d.state, '--outbox', d.outbox]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, new RegExp(`another vfio-review ingest \\(pid ${process.ppid}\\) is using this state file`));
    // A dead one (a pid that cannot exist): taken over.
    writeFileSync(`${d.state}.lock`, '4194304999');
    await ingest(file, d);
    assert.equal(existsSync(`${d.state}.lock`), false, 'released at the end');
  });
});

describe('mbox being appended to', () => {
  test('a half-written last message waits for the next run', async () => {
    const d = dirs();
    const file = join(d.root, 'list.mbox');
    const whole = mbox(noise(3));
    const cut = whole.length - 12; // inside the body of the last message
    writeFileSync(file, whole.slice(0, cut));
    assert.match((await ingest(file, d)).stderr, /2 new message\(s\)/);
    appendFileSync(file, whole.slice(cut));
    assert.match((await ingest(file, d)).stderr, /1 new message\(s\)/);
    const db = new Database(d.state, { readonly: true });
    assert.deepEqual(db.prepare(`SELECT message_id FROM messages ORDER BY id`).pluck().all(), ['noise-0@example.net', 'noise-1@example.net', 'noise-ann-2@example.org']);
    db.close();
  });
});
