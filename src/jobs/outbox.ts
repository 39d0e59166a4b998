/**
 * Phase 3: the transactional outbox. A reply row is queued (with its final bytes) in the
 * same transaction that decides its patch; delivering it is a separate, repeatable step:
 *
 *   queued --write <id>.eml (tmp + fsync + rename)--> written --SMTP (only mode smtp)--> sent
 *
 * The file name is the reply id (a hash of the patch's Message-ID): writing twice replaces the
 * file with identical bytes, never makes a second one. After a crash between the rename and
 * the state update, `reconcile` finds the file and marks the reply written.
 * Mode is fixed when the reply is queued: replies queued in a dry run are never mailed later
 * by surprise when someone adds --smtp.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crashPoint } from './crash.js';
import type { JobEnv } from './env.js';
import { sendRaw, SmtpFailure } from './smtp.js';
import { clock, logEvent, now, stmt } from './state.js';

interface ReplyRow {
  id: string;
  reply_message_id: string;
  patch_message_id: string;
  mode: 'dry-run' | 'smtp';
  state: 'queued' | 'sending' | 'written' | 'sent';
  envelope_from: string;
  recipients: string;
  eml: Buffer;
  not_before: string;
}

export interface DeliveryCounts {
  written: number;
  sent: number;
  deferred: number; // embargo or rate limit: still queued
  failed: number;
}

export function emlPath(outbox: string, id: string): string {
  if (!/^[0-9a-f]{20}$/.test(id)) throw new Error(`bad reply id ${id}`); // never a name from mail
  return join(outbox, `${id}.eml`);
}

/** Start-of-run repair: drop half-written tmp files, adopt renamed-but-unrecorded replies. */
export function reconcile(env: JobEnv): void {
  mkdirSync(env.outbox, { recursive: true });
  for (const f of readdirSync(env.outbox)) if (f.startsWith('.tmp-')) unlinkSync(join(env.outbox, f));
  const queued = stmt(env.db, `SELECT id, eml FROM replies WHERE state = 'queued'`).all() as { id: string; eml: Buffer }[];
  const mark = stmt(env.db, `UPDATE replies SET state = 'written', written_at = ? WHERE id = ? AND state = 'queued'`);
  for (const r of queued) {
    const path = emlPath(env.outbox, r.id);
    if (existsSync(path) && readFileSync(path).equals(r.eml)) {
      mark.run(now(), r.id);
      env.log.info(`outbox: ${r.id}.eml was written before a crash; recorded it`);
    }
  }
}

/**
 * Replies the job was handing to SMTP when it died (run after intake, so that a copy that
 * came back through a followed list is already recorded and proves the send).
 */
export function reconcileSending(env: JobEnv): void {
  const sending = stmt(env.db, `SELECT id, reply_message_id FROM replies WHERE state = 'sending'`).all() as { id: string; reply_message_id: string }[];
  for (const r of sending) {
    // Did it come back to us through a list we follow? Then it was sent.
    if (stmt(env.db, `SELECT 1 FROM messages WHERE message_id = ?`).get(r.reply_message_id)) {
      stmt(env.db, `UPDATE replies SET state = 'sent', sent_at = ? WHERE id = ?`).run(now(), r.id);
      continue;
    }
    // We cannot know whether the server took it before we died. Send again with the same
    // Message-ID: receivers and lore collapse the duplicate; losing a reply silently is worse.
    const text = `reply <${r.reply_message_id}> was being sent when the job stopped; it will be sent again with the same Message-ID`;
    env.log.warn(text);
    logEvent(env.db, 'warn', text);
    stmt(env.db, `UPDATE replies SET state = 'written' WHERE id = ?`).run(r.id);
  }
}

export function writeEml(outbox: string, id: string, eml: Buffer): void {
  const final = emlPath(outbox, id);
  const tmp = join(outbox, `.tmp-${id}-${process.pid}`);
  const fd = openSync(tmp, 'w', 0o644);
  try {
    writeSync(fd, eml);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  crashPoint('outbox-tmp-written');
  renameSync(tmp, final);
  const dir = openSync(outbox, 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** How many more replies the global rate limit allows right now. */
function budget(env: JobEnv): number {
  const { max, perMinutes } = env.policy.rateLimit;
  const since = new Date(clock() - perMinutes * 60_000).toISOString();
  const used = stmt(env.db, `SELECT COUNT(*) FROM replies WHERE written_at IS NOT NULL AND written_at >= ?`).pluck().get(since) as number;
  return Math.max(0, max - used);
}

export async function deliver(env: JobEnv): Promise<DeliveryCounts> {
  const counts: DeliveryCounts = { written: 0, sent: 0, deferred: 0, failed: 0 };
  const due = stmt(env.db, `SELECT * FROM replies WHERE state = 'queued' AND not_before <= ? ORDER BY created_at, id`)
    .all(now()) as ReplyRow[];
  counts.deferred = (stmt(env.db, `SELECT COUNT(*) FROM replies WHERE state = 'queued'`).pluck().get() as number) - due.length;
  let left = budget(env);
  const markWritten = stmt(env.db, `UPDATE replies SET state = 'written', written_at = ? WHERE id = ? AND state = 'queued'`);
  for (const r of due) {
    if (left <= 0) {
      counts.deferred++;
      continue;
    }
    writeEml(env.outbox, r.id, r.eml);
    crashPoint('outbox-renamed');
    markWritten.run(now(), r.id);
    crashPoint('outbox-recorded');
    counts.written++;
    left--;
  }
  if (counts.deferred > 0 && left <= 0) env.log.info(`rate limit reached: ${counts.deferred} repl(ies) stay queued for a later run`);
  if (env.smtp) await sendWritten(env, counts);
  return counts;
}

async function sendWritten(env: JobEnv, counts: DeliveryCounts): Promise<void> {
  const rows = stmt(env.db, `SELECT * FROM replies WHERE state = 'written' AND mode = 'smtp' ORDER BY written_at, id`).all() as ReplyRow[];
  for (const r of rows) {
    stmt(env.db, `UPDATE replies SET state = 'sending', attempts = attempts + 1 WHERE id = ?`).run(r.id);
    try {
      await sendRaw(env.smtp!, r.envelope_from, JSON.parse(r.recipients) as string[], r.eml);
    } catch (err) {
      const msg = err instanceof SmtpFailure ? err.message : String((err as Error).message);
      stmt(env.db, `UPDATE replies SET state = 'written', last_error = ? WHERE id = ?`).run(msg, r.id);
      const text = `SMTP: ${msg}; reply <${r.reply_message_id}> stays queued and is retried next run`;
      env.log.error(text);
      logEvent(env.db, 'error', text);
      counts.failed += rows.length - rows.indexOf(r);
      return; // the server is down: do not hammer it with the rest of the queue
    }
    crashPoint('smtp-accepted');
    stmt(env.db, `UPDATE replies SET state = 'sent', sent_at = ?, last_error = NULL WHERE id = ?`).run(now(), r.id);
    counts.sent++;
  }
}
