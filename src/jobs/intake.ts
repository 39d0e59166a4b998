/**
 * Phase 1 of a run: read what is new in a source and give every message a row.
 *
 * Units are read in windows: a window's blobs are requested together (cat-file pipelines
 * them), and the next window is read while this one is classified, so git works on another
 * core meanwhile. Classified rows are written in ONE transaction together with the cursor of
 * the last unit, once enough have gathered (one fsync per few thousand mails). A kill -9
 * anywhere loses at most what was not committed, which is simply read again (keys are
 * unique, so nothing is recorded twice). Memory is bounded by the window and the commit
 * size, whatever the length of the archive.
 */
import { parseMail } from '../ingest/index.js';
import { crashPoint } from './crash.js';
import type { JobEnv } from './env.js';
import { collectGarbage } from './gc.js';
import { isPlain, mayCarryPatch, PATCH_SUBJECT, patchFiles, quickHeaders, subjectTags, type Headers, type Tags } from './relevance.js';
import { filesInBytes, globMatcher } from '../patch/followed.js';
import { readiness, seriesGroup } from './series-wait.js';
import type { RawItem, Source, Unit } from './sources/types.js';
import { clock, firstKeys, getCursor, groupsRecorded, hasKey, knownKeys, logEvent, now, setCursor, stmt, type Outcome } from './state.js';
import { listFor, type ListPolicy } from './policy.js';

/** Units whose blobs are requested together; two windows are in flight. */
const WINDOW = 512;
// A commit (one fsync with synchronous = FULL) per COMMIT_UNITS units, or sooner when the
// mails held for review (their bytes are stored) reach COMMIT_BYTES. Fewer, larger
// transactions also write each touched index page once for many rows, not once per row:
// blob ids are random, so a commit of N rows dirties about N pages of the key index (and as
// many of the Message-ID one) whatever N is; 16,384 rather than 4,096 cut the SQLite time of
// a 200,000-mail backfill by about a third (measured, README). A kill loses at most that
// many units, which are read again.
const COMMIT_UNITS = 16_384;
const COMMIT_BYTES = 8 << 20;
// WAL pages before SQLite copies them back into the database (the default is 1,000, which a
// single commit here exceeds, so every commit was followed by a checkpoint of its own). Set
// for the intake only; a page rewritten by several commits is then copied back once.
const INTAKE_CHECKPOINT_PAGES = 16_384;

interface Row {
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
  raw?: Buffer;
}

interface Deletion {
  epoch: string;
  position: string;
  key: string;
  messageId?: string;
}

export interface IntakeCounts {
  read: number;
  pending: number;
  skipped: number;
  error: number;
  deleted: number;
}

/** What is decided but not yet committed: rows, deletions, and the cursor to move. */
interface Decided {
  rows: Row[];
  deletions: Deletion[];
  cursors: Map<string, string>;
  /** Message-ID -> key of the first of these rows carrying it (duplicates are found before the commit). */
  ids: Map<string, string>;
  units: number;
  bytes: number;
}

const nothingDecided = (): Decided => ({ rows: [], deletions: [], cursors: new Map(), ids: new Map(), units: 0, bytes: 0 });

export async function intakeSource(env: JobEnv, source: Source): Promise<IntakeCounts> {
  const list = listFor(env.policy, source.id);
  const matches = globMatcher(list.globs);
  const counts: IntakeCounts = { read: 0, pending: 0, skipped: 0, error: 0, deleted: 0 };
  const ctx = {
    getCursor: (epoch: string) => getCursor(env.db, source.id, epoch),
    warn: (text: string) => {
      env.log.warn(text);
      logEvent(env.db, 'warn', text);
    },
    planned: (n: number) => env.log.plan('messages', n),
    seen: (key: string) => hasKey(env.db, key),
  };
  const units = source.units(ctx);
  const checkpointPages = env.db.pragma('wal_autocheckpoint', { simple: true }) as number;
  env.db.pragma(`wal_autocheckpoint = ${INTAKE_CHECKPOINT_PAGES}`);
  let decided = nothingDecided();
  // Keys read but not committed yet: a window prepared before them is committed skips them.
  const uncommitted = new Set<string>();
  // Epochs this pass found with a cursor: only there can a key read now be recorded already
  // (a rewritten epoch walked again, a unit read again after a crash). An epoch without one is
  // read for the first time, and its rows need no lookup before the read (a backfill saved
  // a query per window, a second of 200,000 mails): a key recorded from elsewhere (the same
  // bytes in another archive) is still recorded once, INSERT OR IGNORE, and counted once.
  const cursorAtStart = new Map<string, boolean>();
  const mayBeKnown = (u: Unit) => {
    if (u.position === undefined) return true; // no cursor kept (Maildir): always looked up
    let had = cursorAtStart.get(u.epoch);
    if (had === undefined) cursorAtStart.set(u.epoch, (had = getCursor(env.db, source.id, u.epoch) !== undefined));
    return had;
  };
  let next = prepare(env, units, uncommitted, mayBeKnown);
  try {
    for (;;) {
      const window = await next;
      if (!window) break;
      next = prepare(env, units, uncommitted, mayBeKnown);
      next.catch(() => undefined); // awaited on the next turn; not an unhandled rejection meanwhile
      await decideWindow(window, matches, env, decided);
      if (decided.units >= COMMIT_UNITS || decided.bytes >= COMMIT_BYTES) {
        writeDecided(env, source, list, decided, counts);
        for (const r of decided.rows) uncommitted.delete(r.key);
        for (const d of decided.deletions) uncommitted.delete(d.key);
        decided = nothingDecided();
        collectGarbage();
      }
    }
    writeDecided(env, source, list, decided, counts);
  } finally {
    await next.catch(() => undefined);
    await units.return(undefined);
    env.db.pragma(`wal_autocheckpoint = ${checkpointPages}`);
  }
  env.log.endBar();
  return counts;
}

/** Up to WINDOW units with their blob reads started; undefined at the end of the source. */
interface Window {
  units: Unit[];
  reads: (Promise<Buffer | Error> | undefined)[][];
}

async function prepare(
  env: JobEnv,
  source: AsyncGenerator<Unit>,
  uncommitted: Set<string>,
  mayBeKnown: (u: Unit) => boolean,
): Promise<Window | undefined> {
  const units: Unit[] = [];
  while (units.length < WINDOW) {
    const r = await source.next();
    if (r.done) break;
    units.push(r.value);
  }
  if (units.length === 0) return undefined;
  const lookup = units.filter(mayBeKnown).flatMap((u) => u.items.filter((it) => !it.deletion).map((it) => it.key));
  const known = knownKeys(env.db, lookup);
  const reads = units.map((u) =>
    u.items.map((it) => {
      // A deletion is always read (its Message-ID finds the pending row); the deletions
      // table's key makes recording it twice harmless.
      if (it.deletion) return it.read().catch((e: Error) => e);
      if (known.has(it.key) || uncommitted.has(it.key)) return undefined;
      uncommitted.add(it.key);
      return it.read().catch((e: Error) => e);
    }),
  );
  return { units, reads };
}

/** Classify a window's mails into `into` (rows, deletions, cursors). */
async function decideWindow(
  { units, reads }: Window,
  matches: (p: string) => boolean,
  env: JobEnv,
  into: Decided,
): Promise<void> {
  const mails: { item: RawItem; epoch: string; raw: Buffer | Error }[] = [];
  for (let u = 0; u < units.length; u++) {
    const unit = units[u];
    for (let i = 0; i < unit.items.length; i++) {
      const item = unit.items[i];
      const pending = reads[u][i];
      if (item.deletion) {
        const raw = pending ? await pending : undefined;
        const mid = raw instanceof Buffer ? quickHeaders(raw)?.messageId : undefined;
        into.deletions.push({ epoch: unit.epoch, position: unit.position ?? item.key, key: item.key, messageId: mid });
        continue;
      }
      if (!pending) continue; // recorded before: a re-read after a crash or a rewritten epoch
      const raw = await pending;
      if (raw instanceof Buffer && raw.length === 0) {
        // public-inbox-purge leaves an empty `m` where the purged message was: not a mail.
        into.deletions.push({ epoch: unit.epoch, position: unit.position ?? item.key, key: item.key });
        continue;
      }
      mails.push({ item, epoch: unit.epoch, raw });
    }
    // Units come oldest first: the last position per epoch is where the cursor goes.
    if (unit.position !== undefined) into.cursors.set(unit.epoch, unit.position);
  }
  const headers = mails.map((m) => (m.raw instanceof Buffer ? quickHeaders(m.raw) : undefined));
  // One query for the window: which Message-IDs were recorded before (in any source); then
  // the rows decided but not committed yet.
  const recorded = firstKeys(env.db, headers.map((h) => h?.messageId).filter((id): id is string => id !== undefined));
  const earlier: FirstCarrier = {
    get: (id) => recorded.get(id) ?? into.ids.get(id),
    set: (id, key) => void into.ids.set(id, key),
  };
  for (let k = 0; k < mails.length; k++) {
    const { item, epoch, raw } = mails[k];
    const outcome = classify(item, epoch, raw, headers[k], matches, earlier);
    const row = outcome instanceof Promise ? await outcome : outcome;
    into.rows.push(row);
    into.bytes += row.raw?.length ?? 0;
  }
  into.units += units.length;
  env.log.tick(units.length);
}

/**
 * A series whose parts (cover and 1..N) are all among these rows, none touching a followed
 * file, and of which nothing was recorded before, is decided here as the review phase would
 * decide it (complete, so ready; unrelated, so skipped): its bytes are never stored and the
 * review phase never reads it back. On a busy list that is most series of a backfill.
 */
function settleUnrelatedSeries(env: JobEnv, rows: Row[], seenAt: string): void {
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
    return readiness(asPending, 0, env.policy.seriesWaitMinutes, clock()).why === 'complete';
  });
  const recorded = groupsRecorded(env.db, unrelated.map(([g]) => g));
  for (const [g, parts] of unrelated) {
    if (recorded.has(g)) continue; // parts already recorded: the review phase decides the series
    for (const p of parts) {
      p.state = 'skipped';
      p.reason = p.kind === 'cover' ? 'series touches no followed file' : 'touches no followed file';
      p.raw = undefined;
    }
  }
}

/** One transaction: the rows, the deletions, the cursors past them. */
function writeDecided(env: JobEnv, source: Source, list: ListPolicy, d: Decided, counts: IntakeCounts): void {
  if (d.units === 0) return;
  const seenAt = now();
  settleUnrelatedSeries(env, d.rows, seenAt);
  env.db.transaction(() => {
    const insert = stmt(env.db, 
      `INSERT OR IGNORE INTO messages (key, source, epoch, origin, list, message_id, subject, from_addr, date, state, reason,
         kind, relevant, series_group, series_version, series_index, series_total, series_title, raw, seen_at, decided_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const r of d.rows) {
      const res = insert.run(
        r.key, source.id, r.epoch, r.origin, list.name, r.messageId ?? null, r.subject ?? null, r.from ?? null, r.date ?? null,
        r.state, r.reason ?? null, r.kind ?? null, r.relevant ? 1 : 0, r.group ?? null, r.version ?? null, r.index ?? null,
        r.total ?? null, r.title ?? null, r.raw ?? null, seenAt, r.state === 'pending' ? null : seenAt,
      );
      if (res.changes === 0) continue; // its key was recorded already (the same bytes from another source): recorded and counted once
      counts[r.state as 'pending' | 'skipped' | 'error']++;
      if (r.state === 'error') {
        logEvent(env.db, 'error', `${r.origin} <${r.messageId ?? '?'}>: ${r.reason}`);
        env.log.warn(`${r.origin} <${r.messageId ?? '?'}>: ${r.reason} (recorded; going on)`);
      }
      counts.read++;
    }
    for (const del of d.deletions) recordDeletion(env, source, del, seenAt, counts);
    crashPoint('intake-mid-transaction');
    for (const [epoch, position] of d.cursors) setCursor(env.db, source.id, epoch, position);
  })();
  crashPoint('intake-batch');
}

function recordDeletion(env: JobEnv, source: Source, d: Deletion, at: string, counts: IntakeCounts): void {
  const res = stmt(env.db, `INSERT OR IGNORE INTO deletions (source, epoch, position, key, message_id, at) VALUES (?, ?, ?, ?, ?, ?)`)
    .run(source.id, d.epoch, d.position, d.key, d.messageId ?? null, at);
  if (res.changes === 0) return;
  counts.deleted++;
  // A message removed (as spam, usually) before its series was reviewed is not reviewed.
  stmt(env.db, 
      `UPDATE messages SET state = 'skipped', reason = 'removed from the archive before review', raw = NULL, decided_at = ?
       WHERE state = 'pending' AND (key = ? OR (message_id IS NOT NULL AND message_id = ?))`,
    )
    .run(at, d.key, d.messageId ?? null);
}

/** Message-ID -> the key of the mail that first carried it; `set` when a new one is seen. */
interface FirstCarrier {
  get(messageId: string): string | undefined;
  set(messageId: string, key: string): void;
}

/** A row with every field present, so that all rows share one shape (no object spread per mail: a spread with extra fields was a tenth of a 200,000-mail intake). */
function newRow(item: RawItem, epoch: string): Row {
  return {
    key: item.key, origin: item.origin, epoch, messageId: undefined, subject: undefined, from: undefined, date: undefined,
    state: 'skipped', reason: undefined, kind: undefined, relevant: undefined, group: undefined, version: undefined,
    index: undefined, total: undefined, title: undefined, raw: undefined,
  };
}

function decided(row: Row, state: Outcome, reason?: string): Row {
  row.state = state;
  row.reason = reason;
  return row;
}

/**
 * Decide one mail. `earlier` knows which mail first carried a Message-ID: one recorded
 * before, or one decided earlier in this run (this function adds each new one). Synchronous
 * for a plain mail (most of them); a promise only when the MIME parser has to run.
 */
function classify(
  item: RawItem,
  epoch: string,
  raw: Buffer | Error,
  h: Headers | undefined,
  matches: (p: string) => boolean,
  earlier: FirstCarrier,
): Row | Promise<Row> {
  const row = newRow(item, epoch);
  if (raw instanceof Error) return decided(row, 'error', `cannot read: ${raw.message}`);
  if (!h) return decided(row, 'error', 'no header block: not a mail');
  row.messageId = h.messageId;
  row.subject = h.subject;
  row.from = h.fromAddress;
  row.date = h.date;
  if (h.messageId) {
    const first = earlier.get(h.messageId);
    if (first) return decided(row, 'skipped', `duplicate Message-ID (first recorded as ${first.slice(0, 16)})`);
    earlier.set(h.messageId, item.key);
  }
  const tags = subjectTags(h.subject);
  if (!isPlain(h)) return classifyParsed(row, raw, h, tags, matches);
  // A reply is skipped only when it carries no diff of its own: patches are often sent as
  // `Re: [PATCH]` in a thread, and a diff quoted with "> " does not count (filesInText reads
  // line starts only). Encoded replies are decided after the MIME parse (classifyParsed).
  const files = filesInBytes(raw);
  if (files.length === 0) {
    if (tags.isReply) return decided(row, 'skipped', 'reply in a thread');
    // No diff line in the bytes (the search above was mayCarryPatch's, done once): only a
    // [PATCH] subject, a cover letter or a patch mail without a diff, goes on.
    if (!PATCH_SUBJECT.test(h.subject)) return decided(row, 'skipped', 'not a patch');
  }
  // Most list traffic: the bytes are the text. The full MIME parse happens at review time,
  // only for the series that touch followed files (a backfill of 20,000 mails stays cheap).
  return classifyFiles(row, raw, h, tags, files, matches);
}

/** An encoded or multipart mail: only the MIME parser sees its text. */
async function classifyParsed(row: Row, raw: Buffer, h: Headers, tags: Tags, matches: (p: string) => boolean): Promise<Row> {
  if (!mayCarryPatch(raw, h)) return decided(row, 'skipped', tags.isReply ? 'reply in a thread' : 'not a patch');
  let files: string[];
  try {
    const msg = await parseMail(raw, row.origin);
    if (msg.messageId) row.messageId = msg.messageId;
    if (msg.subject) row.subject = msg.subject;
    files = patchFiles(msg);
  } catch (err) {
    return decided(row, 'error', `cannot parse: ${(err as Error).message.split('\n')[0]}`);
  }
  return classifyFiles(row, raw, h, row.subject && row.subject !== h.subject ? subjectTags(row.subject) : tags, files, matches);
}

/** A mail whose diff touches `files` (maybe none): a patch held for its series, a cover letter, or skipped. */
function classifyFiles(row: Row, raw: Buffer, h: Headers, t: Tags, files: string[], matches: (p: string) => boolean): Row {
  if (t.isReply && files.length === 0) return decided(row, 'skipped', 'reply in a thread');
  const root = h.references[0] ?? h.inReplyTo ?? row.messageId ?? row.key;
  const withSeries = (): Row => {
    row.version = t.version;
    row.index = t.index;
    row.total = t.total;
    row.title = t.title;
    row.group = t.total > 1 ? seriesGroup(h.fromAddress, t.version, root) : `single|${row.messageId ?? row.key}`;
    return row;
  };
  if (t.isPatch && t.index === 0) {
    withSeries().kind = 'cover';
    row.raw = raw;
    return decided(row, 'pending');
  }
  if (files.length === 0) return decided(row, 'skipped', t.isPatch ? 'patch mail without a diff' : 'not a patch');
  const relevant = files.some(matches);
  if (!relevant && t.total <= 1) {
    withSeries().kind = 'patch';
    return decided(row, 'skipped', `touches no followed file (${files[0]}${files.length > 1 ? ', ...' : ''})`);
  }
  if (!row.messageId) return decided(row, 'error', 'patch without a Message-ID: cannot reply to it');
  withSeries().kind = 'patch';
  row.relevant = relevant;
  row.raw = raw;
  return decided(row, 'pending');
}
