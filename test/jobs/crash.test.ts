/**
 * Exactly once under kill -9. A run over a few hundred messages is killed with SIGKILL
 * (a) at the job's critical windows, through VFIO_REVIEW_CRASH_AT (the process SIGKILLs
 * itself mid-transaction, between the .eml rename and the state update, ...), and (b) at
 * arbitrary moments from outside. After the restarts, the state must be exactly what one
 * clean run produces: every message one outcome, every due reply exactly one file.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { cli, cliProcess, epochCommits, importMbox, initInbox, makeRoot, type Inbox } from '../support/public-inbox.js';
import { brokenMail, mbox, noise, sampleMails, seriesClone } from '../support/public-inbox-fixtures.js';

let root: string;
let inbox: Inbox;
let config: string;

interface Snapshot {
  outcomes: Map<string, string>; // key -> state
  replies: Map<string, string>; // reply id -> state
  files: string[];
  tmp: string[];
}

function snapshot(state: string, outbox: string): Snapshot {
  const db = new Database(state, { readonly: true });
  const outcomes = new Map((db.prepare(`SELECT key, state FROM messages`).all() as { key: string; state: string }[]).map((r) => [r.key, r.state]));
  const rows = db.prepare(`SELECT id, state, eml FROM replies`).all() as { id: string; state: string; eml: Buffer }[];
  const files = readdirSync(outbox).filter((f) => f.endsWith('.eml')).sort();
  for (const r of rows) {
    if (r.state === 'written') assert.ok(readFileSync(join(outbox, `${r.id}.eml`)).equals(r.eml), `file of ${r.id} matches the state`);
  }
  db.close();
  return {
    outcomes,
    replies: new Map(rows.map((r) => [r.id, r.state])),
    files,
    tmp: readdirSync(outbox).filter((f) => f.startsWith('.tmp-')),
  };
}

function args(state: string, outbox: string): string[] {
  return ['ingest', inbox.dir, '--state', state, '--outbox', outbox, '--config', config, '--once'];
}

/** Run once; resolve with how it ended. `killAfterMs` kills it from outside. */
function runChild(state: string, outbox: string, env: NodeJS.ProcessEnv, killAfterMs?: number): Promise<string> {
  return new Promise((resolve) => {
    const child = cliProcess(args(state, outbox), env);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (code !== null && code !== 0) assert.fail(`exit ${code}: ${stderr}`);
      resolve(signal ?? `exit ${code}`);
    });
  });
}

before(() => {
  root = makeRoot();
  inbox = initInbox(root, 'kvm');
  config = join(root, 'policy.yaml');
  writeFileSync(config, ['domain: bot.example.org', 'series_wait_minutes: 0', 'rate_limit: { max: 1000, per_minutes: 60 }', ''].join('\n'));
  // ~330 messages: four risky series (four due replies) spread through unrelated traffic.
  const mails = [
    ...noise(80),
    ...sampleMails(),
    ...noise(80, 100),
    ...seriesClone(1),
    brokenMail(),
    ...noise(80, 200),
    ...seriesClone(2),
    ...noise(70, 300),
    ...seriesClone(3),
  ];
  importMbox(inbox, mbox(mails));
});

describe('SIGKILL at any point: no message lost, no reply twice', () => {
  test('killed at every critical window and at random moments, then restarted', async () => {
    // Reference: one clean run on its own state.
    const refState = join(root, 'ref', 'state.db');
    const refOut = join(root, 'ref', 'outbox');
    const t0 = Date.now();
    assert.equal(await runChild(refState, refOut, {}), 'exit 0');
    const cleanMs = Date.now() - t0;
    const ref = snapshot(refState, refOut);
    const commits = epochCommits(join(inbox.dir, 'git', '0.git')).length;
    assert.ok(commits >= 330, `${commits} messages in the inbox`);
    assert.equal(ref.outcomes.size, commits);
    assert.equal(ref.files.length, 4, 'four risky patches, four replies');

    const state = join(root, 'crash', 'state.db');
    const outbox = join(root, 'crash', 'outbox');
    const points = [
      'intake-mid-transaction:1',
      'intake-batch:1',
      'review-mid-transaction:1',
      'review-committed:2',
      'outbox-tmp-written:1',
      'outbox-renamed:2',
      'outbox-recorded:1',
    ];
    const endings: string[] = [];
    for (const p of points) endings.push(`${p} -> ${await runChild(state, outbox, { VFIO_REVIEW_CRASH_AT: p })}`);
    assert.ok(endings.filter((e) => e.endsWith('SIGKILL')).length >= 6, endings.join('\n'));
    // Arbitrary moments from outside, on a fresh state each time the previous one finished.
    const state2 = join(root, 'crash2', 'state.db');
    const outbox2 = join(root, 'crash2', 'outbox');
    for (const frac of [0.45, 0.65, 0.8, 0.95]) {
      endings.push(`at ${Math.round(frac * cleanMs)} ms -> ${await runChild(state2, outbox2, {}, Math.round(frac * cleanMs))}`);
    }
    assert.equal(await runChild(state, outbox, {}), 'exit 0');
    assert.equal(await runChild(state2, outbox2, {}), 'exit 0');

    for (const [s, o] of [[state, outbox], [state2, outbox2]]) {
      const got = snapshot(s, o);
      assert.deepEqual(got.tmp, [], 'no half-written file left');
      assert.equal(got.outcomes.size, commits, 'every message recorded once');
      assert.deepEqual([...got.outcomes].sort(), [...ref.outcomes].sort(), 'same outcome per message as a clean run');
      assert.ok(![...got.outcomes.values()].includes('pending'));
      assert.deepEqual(got.files, ref.files, 'the same replies, each exactly once');
      assert.deepEqual([...got.replies.values()], ['written', 'written', 'written', 'written']);
    }
    // And a run after that does nothing at all.
    const again = cli(args(state, outbox));
    assert.match(again.stderr, /0 new message\(s\), 0 patch\(es\) reviewed, 0 repl\(ies\) written/);
    console.log(`# crash endings:\n# ${endings.join('\n# ')}`);
  });
});
