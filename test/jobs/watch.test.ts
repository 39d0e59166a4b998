/**
 * `--watch`: a mirror of a public-inbox epoch (git clone --mirror, as public-inbox-clone
 * does) is fetched every poll; new mail on the origin shows up as a reply; SIGTERM stops
 * the watcher cleanly. Also the progress output: a bar on a terminal, lines otherwise.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliProcess, importMbox, initInbox, makeRoot } from '../support/public-inbox.js';
import { mbox, noise, sampleMails } from '../support/public-inbox-fixtures.js';
import { Log } from '../../src/jobs/progress.js';

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return cond();
}

describe('watch', () => {
  test('polls, fetches the mirror, replies to new mail, stops on SIGTERM', async () => {
    const root = makeRoot();
    const origin = initInbox(root, 'kvm');
    importMbox(origin, mbox(noise(5)));
    const mirror = join(root, 'mirror');
    mkdirSync(join(mirror, 'git'), { recursive: true });
    const r = spawnSync('git', ['clone', '-q', '--mirror', join(origin.dir, 'git', '0.git'), join(mirror, 'git', '0.git')]);
    assert.equal(r.status, 0, String(r.stderr));
    writeFileSync(join(root, 'p.yaml'), 'series_wait_minutes: 0\n');
    const outbox = join(root, 'out');
    const child = cliProcess(['ingest', mirror, '--state', join(root, 'state.db'), '--outbox', outbox, '--config', join(root, 'p.yaml'), '--watch', '1']);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      assert.ok(await until(() => /5 new message\(s\)/.test(stderr), 30_000), stderr);
      importMbox(origin, mbox(sampleMails())); // lands on the origin; only a fetch brings it here
      const replied = await until(() => existsSync(outbox) && readdirSync(outbox).some((f) => f.endsWith('.eml')), 30_000);
      assert.ok(replied, stderr);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, stderr);
    assert.match(stderr, /stopping after the current step/);
  });
});

describe('progress output', () => {
  function fakeStream(tty: boolean) {
    const chunks: string[] = [];
    return { chunks, stream: { isTTY: tty, write: (c: string) => (chunks.push(c), true) } as unknown as NodeJS.WriteStream };
  }

  test('a bar redrawn in place on a terminal', () => {
    const { chunks, stream } = fakeStream(true);
    const log = new Log(false, stream);
    assert.equal(log.drawsBar, true); // so a public-inbox epoch is counted for it
    log.plan('messages', 200);
    log.info('starting');
    log.tick(100);
    log.tick(100);
    log.endBar();
    const text = chunks.join('');
    assert.match(text, /\r\[\.{30}\] 0\/200 messages 0\/s\x1b\[K/);
    assert.match(text, /\r\[#{30}\] 200\/200 messages \d+\/s\x1b\[K\r\x1b\[K$/);
    assert.match(text, /vfio-review ingest: starting\n/);
  });

  test('plain lines every 1000 messages otherwise; JSON lines with --json', () => {
    const { chunks, stream } = fakeStream(false);
    const log = new Log(false, stream);
    log.plan('messages', 2500);
    for (let i = 0; i < 2500; i++) log.tick();
    assert.deepEqual(
      chunks.map((c) => c.replace(/\(\d+\/s\)/, '(N/s)')),
      ['vfio-review ingest: read 1000/2500 messages (N/s)\n', 'vfio-review ingest: read 2000/2500 messages (N/s)\n'],
    );
    // not counted (no bar to draw: ReadContext.wantsCount), the count so far
    const uncounted = fakeStream(false);
    const quiet = new Log(false, uncounted.stream);
    assert.equal(quiet.drawsBar, false);
    for (let i = 0; i < 2100; i++) quiet.tick();
    assert.deepEqual(
      uncounted.chunks.map((c) => c.replace(/\(\d+\/s\)/, '(N/s)')),
      ['vfio-review ingest: read 1000 messages (N/s)\n', 'vfio-review ingest: read 2000 messages (N/s)\n'],
    );
    const j = fakeStream(true);
    new Log(true, j.stream).warn('x', { a: 1 });
    const obj = JSON.parse(j.chunks[0]) as { level: string; msg: string; a: number };
    assert.deepEqual([obj.level, obj.msg, obj.a], ['warn', 'x', 1]);
  });
});
