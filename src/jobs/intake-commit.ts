/**
 * The intake's one write: a batch of decided rows, the deletions and the cursors past them, in
 * ONE transaction (a kill -9 keeps all of it or none). It runs on the intake's writer thread
 * (src/jobs/intake-writer.ts), so SQLite's part of a backfill, about a quarter of it, overlaps
 * the reading and classifying of the next batch; it only needs a connection and the batch, and
 * says what it recorded.
 */
import { crashPoint } from './crash.js';
import { readiness } from './series-wait.js';
import { clock, groupsRecorded, logEvent, setCursor, stmt, type Db, type Outcome } from './state.js';

/** A message's row as the intake decided it (columns of `messages`). */
export interface Row {
  key: string;
  origin: string;
  epoch: string;
  messageId?: string;
  subject?: string;
  from?: string;
  date?: string;
  state: Outcome;
  reason?: string;
  kind?: 'patch' | 'cover' | 'other';
  relevant?: boolean;
  group?: string;
  version?: number;
  index?: number;
  total?: number;
  title?: string;
  raw?: Buffer | Uint8Array;
}

export interface Deletion {
  epoch: string;
  position: string;
  key: string;
  messageId?: string;
}

/** How a batch is committed: where its rows come from, when, and the cursors past them. */
export interface CommitMeta {
  source: string;
  list: string;
  seenAt: string;
  /** epoch -> the last position committed with this batch */
  cursors: [string, string][];
  seriesWaitMinutes: number;
}

export interface Batch extends CommitMeta {
  rows: Row[];
  deletions: Deletion[];
}

/** What the batch added (a key recorded before is not counted again), and its errors to report. */
export interface Committed {
  read: number;
  pending: number;
  skipped: number;
  error: number;
  deleted: number;
  errors: string[];
}

export function commitBatch(db: Db, b: Batch): Committed {
  const out: Committed = { read: 0, pending: 0, skipped: 0, error: 0, deleted: 0, errors: [] };
  settleUnrelatedSeries(db, b);
  db.transaction(() => {
    const insert = stmt(db, 
      `INSERT OR IGNORE INTO messages (key, source, epoch, origin, list, message_id, subject, from_addr, date, state, reason,
         kind, relevant, series_group, series_version, series_index, series_total, series_title, raw, seen_at, decided_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const r of b.rows) {
      const res = insert.run(
        r.key, b.source, r.epoch, r.origin, b.list, r.messageId ?? null, r.subject ?? null, r.from ?? null, r.date ?? null,
        r.state, r.reason ?? null, r.kind ?? null, r.relevant ? 1 : 0, r.group ?? null, r.version ?? null, r.index ?? null,
        r.total ?? null, r.title ?? null, r.raw ?? null, b.seenAt, r.state === 'pending' ? null : b.seenAt,
      );
      if (res.changes === 0) continue; // its key was recorded already (the same bytes from another source): recorded and counted once
      out[r.state as 'pending' | 'skipped' | 'error']++;
      if (r.state === 'error') {
        const text = `${r.origin} <${r.messageId ?? '?'}>: ${r.reason}`;
        logEvent(db, 'error', text);
        out.errors.push(text);
      }
      out.read++;
    }
    for (const del of b.deletions) if (recordDeletion(db, b, del)) out.deleted++;
    crashPoint('intake-mid-transaction');
    for (const [epoch, position] of b.cursors) setCursor(db, b.source, epoch, position);
  })();
  crashPoint('intake-batch');
  return out;
}

/**
 * A series whose parts (cover and 1..N) are all among these rows, none touching a followed
 * file, and of which nothing was recorded before, is decided here as the review phase would
 * decide it (complete, so ready; unrelated, so skipped): its bytes are never stored and the
 * review phase never reads it back. On a busy list that is most series of a backfill.
 */
function settleUnrelatedSeries(db: Db, { rows, seenAt, seriesWaitMinutes }: Batch): void {
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    if (r.state !== 'pending' || !r.group) continue;
    const g = groups.get(r.group);
    if (g) g.push(r);
    else groups.set(r.group, [r]);
  }
  const unrelated = [...groups].filter(([, parts]) => {
    if (parts.some((p) => p.kind === 'patch' && p.relevant)) return false;
    const asPending = parts.map((p) => ({ kind: p.kind ?? 'patch', series_index: p.index ?? null, series_total: p.total ?? null, seen_at: seenAt }));
    return readiness(asPending, 0, seriesWaitMinutes, clock()).why === 'complete';
  });
  const recorded = groupsRecorded(db, unrelated.map(([g]) => g));
  for (const [g, parts] of unrelated) {
    if (recorded.has(g)) continue; // parts already recorded: the review phase decides the series
    for (const p of parts) {
      p.state = 'skipped';
      p.reason = p.kind === 'cover' ? 'series touches no followed file' : 'touches no followed file';
      p.raw = undefined;
    }
  }
}

/** Record a removal; true when it is new. */
function recordDeletion(db: Db, b: Batch, d: Deletion): boolean {
  const res = stmt(db, `INSERT OR IGNORE INTO deletions (source, epoch, position, key, message_id, at) VALUES (?, ?, ?, ?, ?, ?)`)
    .run(b.source, d.epoch, d.position, d.key, d.messageId ?? null, b.seenAt);
  if (res.changes === 0) return false;
  // A message removed (as spam, usually) before its series was reviewed is not reviewed.
  stmt(db, 
      `UPDATE messages SET state = 'skipped', reason = 'removed from the archive before review', raw = NULL, decided_at = ?
       WHERE state = 'pending' AND (key = ? OR (message_id IS NOT NULL AND message_id = ?))`,
    )
    .run(b.seenAt, d.key, d.messageId ?? null);
  return true;
}
