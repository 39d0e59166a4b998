/**
 * Patchwork checks against a small loopback HTTP server speaking the checks API shape
 * (GET /api/1.2/patches/?msgid=, GET/POST /api/1.2/patches/{id}/checks/, Token auth,
 * newest check first): one check per reviewed patch, and a re-run posts nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliInProcess, importMbox, initInbox, makeRoot } from '../support/public-inbox.js';
import { mbox, noise, sampleMails, V18_MSGIDS } from '../support/public-inbox-fixtures.js';

interface Check {
  id: number;
  state: string;
  context: string;
  description: string;
  target_url: string;
  date: string;
}

const patches = new Map<string, number>(V18_MSGIDS.slice(1).map((m, i) => [m, 100 + i]));
const checks = new Map<number, Check[]>();
const authSeen: string[] = [];
let server: Server;
let base: string;

before(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (code: number, body: unknown) => {
      res.writeHead(code, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && url.pathname === '/api/1.2/patches/') {
      const id = patches.get(url.searchParams.get('msgid') ?? '');
      return json(200, id ? [{ id, msgid: `<${url.searchParams.get('msgid')}>` }] : []);
    }
    const m = /^\/api\/1\.2\/patches\/(\d+)\/checks\/$/.exec(url.pathname);
    if (!m) return json(404, { detail: 'Not found.' });
    const list = checks.get(Number(m[1])) ?? [];
    if (req.method === 'GET') {
      const ctx = url.searchParams.get('context');
      const sorted = list.filter((c) => !ctx || c.context === ctx).sort((a, b) => b.id - a.id);
      return json(200, sorted.slice(0, Number(url.searchParams.get('per_page') ?? 30)));
    }
    authSeen.push(String(req.headers.authorization));
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const c = JSON.parse(body) as Check;
      if (!['pending', 'success', 'warning', 'fail'].includes(c.state)) return json(400, { state: ['invalid'] });
      const created = { ...c, id: list.length + 1 + Number(m[1]) * 1000, date: new Date().toISOString() };
      checks.set(Number(m[1]), [...list, created]);
      json(201, created);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

after(() => new Promise<void>((r) => server.close(() => r())));

describe('Patchwork checks', () => {
  test('one check per reviewed patch; a re-run on a fresh state posts nothing new', async () => {
    const root = makeRoot();
    const inbox = initInbox(root, 'kvm');
    writeFileSync(join(root, 'p.yaml'), 'series_wait_minutes: 0\n');
    importMbox(inbox, mbox([...noise(5), ...sampleMails()]));
    const run = (state: string) =>
      cliInProcess(
        ['ingest', inbox.dir, '--state', join(root, state), '--outbox', join(root, 'out'), '--config', join(root, 'p.yaml'),
          '--patchwork', base, '--patchwork-token-env', 'PW_TOKEN'],
        { PW_TOKEN: 'secret-token' },
      );
    const first = await run('a.db');
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stderr, /patchwork: 4 check\(s\) posted, 0 unchanged/);
    const p3 = checks.get(102)!;
    assert.equal(p3.length, 1);
    assert.equal(p3[0].context, 'vfio-review');
    assert.equal(p3[0].state, 'fail'); // an error-level note
    // the TPH note on 3/4 is a check (an assumed TPH enable): the job's default min_severity drops it
    assert.match(p3[0].description, /2 note\(s\): snapshot\/stale-restore, msix\/memory-bit/);
    assert.match(p3[0].target_url, /^https:\/\/lore\.kernel\.org\/r\/6526efa4/);
    assert.deepEqual(checks.get(100)!.map((c) => c.state), ['success']);
    assert.ok(authSeen.every((a) => a === 'Token secret-token'));
    // A new state file (say, the job moved hosts): reading the latest check first avoids reposting.
    const second = await run('b.db');
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stderr, /patchwork: 0 check\(s\) posted, 4 unchanged/);
    assert.equal([...checks.values()].flat().length, 4);
  });
});
