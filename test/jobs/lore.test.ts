/**
 * `review --msgid ID --lore URL` against a real public-inbox-httpd on 127.0.0.1 serving a
 * real inbox (full index level, so t.mbox.gz works like on lore).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cli, freePort, importMbox, initInbox, makeRoot, startHttpd, type Inbox } from '../support/public-inbox.js';
import { mbox, noise, PATCH3_MSGID, sampleMails, V18_MSGIDS } from '../support/public-inbox-fixtures.js';
import { fetchLoreThread, loreMsgidPath } from '../../src/ingest/lore.js';
import { UserError } from '../../src/errors.js';

let inbox: Inbox;
let httpd: { url: string; stop(): Promise<void> };

before(async () => {
  inbox = initInbox(makeRoot(), 'kvm', { full: true });
  const slashy = noise(1, 50)[0].replace('<noise-50@example.net>', '<a/b@example.net>');
  importMbox(inbox, mbox([...noise(6), ...sampleMails(), slashy]));
  httpd = await startHttpd(inbox);
});

after(async () => {
  await httpd?.stop();
});

describe('fetchLoreThread', () => {
  test('fetches the whole thread as an mbox (t.mbox.gz)', async () => {
    const file = await fetchLoreThread(`${httpd.url}/kvm`, `<${PATCH3_MSGID}>`);
    const text = readFileSync(file, 'utf8');
    for (const id of V18_MSGIDS) assert.ok(text.includes(id), `${id} in the thread`);
    assert.ok(!text.includes('noise-1@'), 'only the thread');
  });

  test('escapes / in Message-IDs as %2F', async () => {
    assert.equal(loreMsgidPath('<a/b@example.net>'), 'a%2Fb@example.net');
    const text = readFileSync(await fetchLoreThread(`${httpd.url}/kvm/`, 'a/b@example.net'), 'utf8');
    assert.match(text, /Message-ID: <a\/b@example\.net>/i);
  });

  test('an unknown Message-ID and a dead server are clear one-line errors', async () => {
    await assert.rejects(fetchLoreThread(`${httpd.url}/kvm`, 'nope@example.net'), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.match(e.line(), /^--msgid: message <nope@example\.net> not found at http:\/\/127\.0\.0\.1:\d+\/kvm\/$/);
      return true;
    });
    const port = await freePort();
    await assert.rejects(fetchLoreThread(`http://127.0.0.1:${port}/kvm`, PATCH3_MSGID), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.match(e.line(), /cannot reach the server: ECONNREFUSED/);
      return true;
    });
  });

  test('vfio-review review --msgid --lore reviews the fetched thread', () => {
    const r = cli(['review', '--msgid', PATCH3_MSGID, '--lore', `${httpd.url}/kvm`, '--format', 'json']);
    assert.equal(r.status, 1, r.stderr); // findings reach the default --fail-on error (3/4 has an error)
    const result = JSON.parse(r.stdout) as { patches: { messageId?: string; findings: { rule: string }[] }[] };
    const p3 = result.patches.find((p) => p.messageId === PATCH3_MSGID);
    const rules = p3?.findings.map((f) => f.rule) ?? [];
    for (const rule of ['msix/memory-bit', 'snapshot/stale-restore', 'snapshot/stale-tph']) assert.ok(rules.includes(rule), `${rule} in ${rules.join(', ')}`);
  });
});
