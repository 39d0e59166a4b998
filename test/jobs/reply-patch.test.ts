/**
 * Patches sent as replies (`Re: [PATCH] ...`, common on the lists) are reviewed by the job;
 * a reply that only quotes a diff with "> " is not. On a real public-inbox v2 inbox, through
 * the real CLI and SQLite state.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { cliInProcess, importMbox, initInbox, makeRoot, type Inbox } from '../support/public-inbox.js';
import { mbox, PATCH3_MSGID, sampleMails } from '../support/public-inbox-fixtures.js';

const AS_REPLY = 'patch-as-reply-1@example.org';
const QUOTING = 'quoting-reply-1@example.org';

let root: string;
let inbox: Inbox;

/** Patch 3/4 of the sample resent as a reply in its thread, with a new Message-ID. */
function patchAsReply(): string {
  const p3 = sampleMails().find((m) => m.includes(`<${PATCH3_MSGID}>`));
  assert.ok(p3, 'the sample has patch 3/4');
  return p3
    .replace(/^Message-Id: <[^>]+>$/im, `Message-Id: <${AS_REPLY}>`)
    .replace(/^Subject: \[PATCH/m, 'Subject: Re: [PATCH')
    .replace(/^In-Reply-To: .*$/m, `In-Reply-To: <${PATCH3_MSGID}>`);
}

/** A review reply that quotes the diff of 3/4 line by line. */
function quotingReply(): string {
  const p3 = sampleMails().find((m) => m.includes(`<${PATCH3_MSGID}>`))!;
  const body = p3.slice(p3.indexOf('\n\n') + 2);
  return [
    'From: Reviewer <reviewer@example.org>',
    'To: kvm@vger.kernel.org',
    `Subject: Re: [PATCH v18 3/4] vfio/pci: Add a reset_done callback for vfio-pci driver`,
    'Date: Thu, 4 Jun 2026 10:17:04 -0700',
    `Message-Id: <${QUOTING}>`,
    `In-Reply-To: <${PATCH3_MSGID}>`,
    `References: <${PATCH3_MSGID}>`,
    '',
    'On Wed, Jun 03, 2026, Author wrote:',
    ...body.split('\n').map((l) => `> ${l}`),
    '',
    'Looks fine to me.',
    '',
  ].join('\n');
}

before(() => {
  root = makeRoot();
  inbox = initInbox(root, 'kvm');
  importMbox(inbox, mbox([patchAsReply(), quotingReply()]));
});

describe('ingest: patches sent as replies', () => {
  test('a Re: [PATCH] carrying a diff is reviewed; a reply quoting one is skipped as a reply', async () => {
    const state = join(root, 'state.db');
    const outbox = join(root, 'outbox');
    const config = join(root, 'policy.yaml');
    writeFileSync(config, ['from: "bot <bot@bot.example.org>"', 'domain: bot.example.org', 'series_wait_minutes: 0', 'lists:', '  - name: kvm', `    inbox: ${inbox.dir}`, '    address: kvm@vger.kernel.org', ''].join('\n'));
    const r = await cliInProcess(['ingest', inbox.dir, '--state', state, '--outbox', outbox, '--config', config, '--once']);
    assert.equal(r.status, 0, r.stderr);
    const db = new Database(state, { readonly: true });
    const row = (id: string) => db.prepare(`SELECT state, reason FROM messages WHERE message_id = ?`).get(id) as { state: string; reason: string };
    assert.equal(row(AS_REPLY).state, 'reviewed', JSON.stringify(row(AS_REPLY)));
    assert.deepEqual(row(QUOTING), { state: 'skipped', reason: 'reply in a thread' });
    db.close();
    const emls = existsSync(outbox) ? readdirSync(outbox).filter((f) => f.endsWith('.eml')) : [];
    assert.equal(emls.length, 1, 'one reply: to the patch sent as a reply');
    assert.match(readFileSync(join(outbox, emls[0]), 'utf8'), new RegExp(`^In-Reply-To: <${AS_REPLY}>`, 'm'));
  });
});
