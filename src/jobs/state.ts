/**
 * The ingestion job's memory: one SQLite file (better-sqlite3, WAL).
 *
 * Invariants the rest of the job relies on (and the crash test checks):
 * - a message row is inserted in the same transaction that moves the cursor past it, so a
 *   kill -9 either loses both (the message is read again) or keeps both (it is not);
 * - `messages.key` (git blob id, or sha1 of the raw bytes) is unique: reading a message twice,
 *   after a crash or a rewritten archive, cannot make a second row;
 * - a reply is keyed by the patch's Message-ID: one reply per patch, whatever happens;
 * - the .eml text of a reply is stored here when it is queued, so writing or sending it again
 *   after a crash produces the same bytes and the same Message-ID.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError } from '../errors.js';

export type Db = Database.Database;
export type Outcome = 'pending' | 'reviewed' | 'skipped' | 'error';
export type ReplyState = 'queued' | 'sending' | 'written' | 'sent';

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cursors (
  source TEXT NOT NULL, epoch TEXT NOT NULL, position TEXT NOT NULL, updated_at TEXT NOT NULL,
  PRIMARY KEY (source, epoch));
CREATE TABLE IF NOT EXISTS messages (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  source TEXT NOT NULL, epoch TEXT, origin TEXT NOT NULL, list TEXT,
  message_id TEXT, subject TEXT, from_addr TEXT, date TEXT,
  state TEXT NOT NULL CHECK (state IN ('pending','reviewed','skipped','error')),
  reason TEXT,
  kind TEXT, relevant INTEGER NOT NULL DEFAULT 0,
  series_group TEXT, series_version INTEGER, series_index INTEGER, series_total INTEGER, series_title TEXT,
  raw BLOB, findings TEXT,
  seen_at TEXT NOT NULL, decided_at TEXT);
CREATE INDEX IF NOT EXISTS messages_msgid ON messages (message_id);
CREATE INDEX IF NOT EXISTS messages_pending ON messages (series_group) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS messages_group ON messages (series_group);
-- The previous version of a patch is looked up among reviewed rows only (versions.ts): the
-- index holds those, not every mail of a backfill (whose insert would touch it at random).
DROP INDEX IF EXISTS messages_title;
CREATE INDEX IF NOT EXISTS messages_reviewed_title ON messages (from_addr, series_title) WHERE state = 'reviewed';
CREATE TABLE IF NOT EXISTS deletions (
  source TEXT NOT NULL, epoch TEXT NOT NULL, position TEXT NOT NULL, key TEXT, message_id TEXT, at TEXT NOT NULL,
  PRIMARY KEY (source, epoch, position));
CREATE TABLE IF NOT EXISTS replies (
  id TEXT PRIMARY KEY,
  patch_message_id TEXT NOT NULL UNIQUE,
  reply_message_id TEXT NOT NULL UNIQUE,
  message_row INTEGER NOT NULL REFERENCES messages (id),
  mode TEXT NOT NULL CHECK (mode IN ('dry-run','smtp')),
  state TEXT NOT NULL CHECK (state IN ('queued','sending','written','sent')),
  envelope_from TEXT NOT NULL, recipients TEXT NOT NULL, eml BLOB NOT NULL,
  not_before TEXT NOT NULL, created_at TEXT NOT NULL, written_at TEXT, sent_at TEXT,
  attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT);
CREATE TABLE IF NOT EXISTS checks (
  patch_message_id TEXT PRIMARY KEY, state TEXT NOT NULL, description TEXT NOT NULL, target_url TEXT,
  status TEXT NOT NULL CHECK (status IN ('queued','posted')), attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT, posted_at TEXT);
CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, at TEXT NOT NULL, level TEXT NOT NULL, text TEXT NOT NULL);
`;

/** Open (creating if needed) the state file; a clear one-line error when it is not ours or unreadable. */
export function openState(file: string): Db {
  const path = resolve(file);
  const dir = dirname(path);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  let db: Db;
  try {
    db = new Database(path, { timeout: 10_000 });
    db.pragma('journal_mode = WAL');
    // FULL: a commit survives power loss, not only kill -9 (cheap: one fsync per batch).
    db.pragma('synchronous = FULL');
    // 16 MiB of page cache (the default is 2): a backfill inserts blob ids, which are random, so
    // its index pages are touched all over; a fixed cap keeps memory flat however big the file.
    db.pragma('cache_size = -16384');
    db.exec(SCHEMA);
  } catch (err) {
    throw new UserError(`cannot use state file: ${(err as Error).message}`, file);
  }
  const version = db.prepare(`SELECT value FROM meta WHERE key = 'schema'`).pluck().get() as string | undefined;
  if (version === undefined) {
    db.prepare(`INSERT INTO meta (key, value) VALUES ('schema', ?)`).run(String(SCHEMA_VERSION));
  } else if (Number(version) !== SCHEMA_VERSION) {
    db.close();
    throw new UserError(`state file has schema ${version}, this vfio-review reads ${SCHEMA_VERSION}`, file);
  }
  return db;
}

/** Open an existing state file read-only (for `ingest status`). */
export function openStateReadOnly(file: string): Db {
  if (!existsSync(file)) throw new UserError('no such state file', file);
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    db.prepare(`SELECT value FROM meta WHERE key = 'schema'`).get();
    return db;
  } catch (err) {
    throw new UserError(`cannot read state file: ${(err as Error).message}`, file);
  }
}

const cache = new WeakMap<Db, Map<string, Database.Statement>>();

/** Prepared statements, cached per connection: preparing is most of the cost of a small query. */
export function stmt(db: Db, sql: string): Database.Statement {
  let m = cache.get(db);
  if (!m) cache.set(db, (m = new Map()));
  let st = m.get(sql);
  if (!st) m.set(sql, (st = db.prepare(sql)));
  return st;
}

export const now = (): string => new Date(clock()).toISOString();

/** Milliseconds since the epoch. VFIO_REVIEW_NOW (ISO date) pins it, for tests of waits and embargoes. */
export function clock(): number {
  const pinned = process.env.VFIO_REVIEW_NOW;
  return pinned ? Date.parse(pinned) : Date.now();
}

export function getCursor(db: Db, source: string, epoch: string): string | undefined {
  return stmt(db, `SELECT position FROM cursors WHERE source = ? AND epoch = ?`).pluck().get(source, epoch) as
    | string
    | undefined;
}

export function setCursor(db: Db, source: string, epoch: string, position: string): void {
  stmt(db, 
    `INSERT INTO cursors (source, epoch, position, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (source, epoch) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
  ).run(source, epoch, position, now());
}

export function hasKey(db: Db, key: string): boolean {
  return stmt(db, `SELECT 1 FROM messages WHERE key = ?`).get(key) !== undefined;
}

/** Which of `keys` are recorded: one query for a batch (a JSON array bound once). */
export function knownKeys(db: Db, keys: string[]): Set<string> {
  if (keys.length === 0) return new Set();
  const rows = stmt(db, `SELECT key FROM messages WHERE key IN (SELECT value FROM json_each(?))`).pluck().all(JSON.stringify(keys));
  return new Set(rows as string[]);
}

/** For each of `messageIds` already recorded, the key of its first row (as firstWithMessageId). */
export function firstKeys(db: Db, messageIds: string[]): Map<string, string> {
  const out = new Map<string, string>();
  if (messageIds.length === 0) return out;
  const rows = stmt(db, 
    `SELECT message_id m, key k FROM messages WHERE message_id IN (SELECT value FROM json_each(?)) ORDER BY id`,
  ).all(JSON.stringify(messageIds)) as { m: string; k: string }[];
  for (const r of rows) if (!out.has(r.m)) out.set(r.m, r.k);
  return out;
}

/** Which of the series groups `groups` have a row already (any state). */
export function groupsRecorded(db: Db, groups: string[]): Set<string> {
  if (groups.length === 0) return new Set();
  const rows = stmt(db, `SELECT DISTINCT series_group FROM messages WHERE series_group IN (SELECT value FROM json_each(?))`)
    .pluck()
    .all(JSON.stringify(groups));
  return new Set(rows as string[]);
}

/** A Message-ID already recorded (from any source: the same patch is often on kvm and linux-pci). */
export function firstWithMessageId(db: Db, messageId: string): { id: number; key: string } | undefined {
  return stmt(db, `SELECT id, key FROM messages WHERE message_id = ? ORDER BY id LIMIT 1`).get(messageId) as
    | { id: number; key: string }
    | undefined;
}

export function logEvent(db: Db, level: 'error' | 'warn' | 'info', text: string): void {
  stmt(db, `INSERT INTO events (at, level, text) VALUES (?, ?, ?)`).run(now(), level, text);
  // Keep the table small: status shows the recent ones only.
  stmt(db, `DELETE FROM events WHERE id <= (SELECT MAX(id) FROM events) - 1000`).run();
}
