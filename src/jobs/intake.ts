/**
 * Phase 1 of a run: read what is new in a source and give every message a row.
 *
 * Units are handled in batches: their blobs are requested together (cat-file pipelines
 * them), classified, then written in ONE transaction together with the cursor of the last
 * unit. A kill -9 anywhere loses at most the batch in flight, which is simply read again
 * (keys are unique, so nothing is recorded twice).
 */
import { parseMail } from '../ingest/index.js';
import { crashPoint } from './crash.js';
import type { JobEnv } from './env.js';
import { isPlain, mayCarryPatch, patchFiles, quickHeaders, subjectTags } from './relevance.js';
import { filesInText, globMatcher } from '../patch/followed.js';
import { seriesGroup } from './series-wait.js';
import type { RawItem, Source, Unit } from './sources/types.js';
import { firstWithMessageId, getCursor, hasKey, logEvent, now, setCursor, stmt, type Outcome } from './state.js';
import { listFor, type ListPolicy } from './policy.js';

// One transaction (one fsync, synchronous = FULL) per batch: larger batches keep a backfill from
// waiting on the disk; a kill -9 still loses only the batch in flight, which is read again.
const BATCH = 1024;

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
  let batch: Unit[] = [];
  const flush = async () => {
    if (batch.length) await recordBatch(env, source, list, matches, batch, counts);
    batch = [];
  };
  for await (const unit of source.units(ctx)) {
    batch.push(unit);
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  env.log.endBar();
  return counts;
}

async function recordBatch(
  env: JobEnv,
  source: Source,
  list: ListPolicy,
  matches: (p: string) => boolean,
  units: Unit[],
  counts: IntakeCounts,
): Promise<void> {
  const seenKeys = new Set<string>();
  const seenIds = new Map<string, string>();
  // Start every blob read first: cat-file answers them back to back.
  const reads = units.map((u) =>
    u.items.map((it) => {
      // A deletion is always read (its Message-ID finds the pending row); the deletions
      // table's key makes recording it twice harmless.
      if (it.deletion) return it.read().catch((e: Error) => e);
      if (hasKey(env.db, it.key) || seenKeys.has(it.key)) return undefined;
      seenKeys.add(it.key);
      return it.read().catch((e: Error) => e);
    }),
  );
  const rows: Row[] = [];
  const deletions: Deletion[] = [];
  for (let u = 0; u < units.length; u++) {
    const unit = units[u];
    for (let i = 0; i < unit.items.length; i++) {
      const item = unit.items[i];
      const pending = reads[u][i];
      if (item.deletion) {
        const raw = pending ? await pending : undefined;
        const mid = raw instanceof Buffer ? quickHeaders(raw)?.messageId : undefined;
        deletions.push({ epoch: unit.epoch, position: unit.position ?? item.key, key: item.key, messageId: mid });
        continue;
      }
      if (!pending) continue; // recorded before: a re-read after a crash or a rewritten epoch
      const raw = await pending;
      if (raw instanceof Buffer && raw.length === 0) {
        // public-inbox-purge leaves an empty `m` where the purged message was: not a mail.
        deletions.push({ epoch: unit.epoch, position: unit.position ?? item.key, key: item.key });
        continue;
      }
      const row = await classify(item, unit.epoch, raw, list, matches, env, seenIds);
      rows.push(row);
    }
    env.log.tick();
  }
  const seenAt = now();
  env.db.transaction(() => {
    const insert = stmt(env.db, 
      `INSERT OR IGNORE INTO messages (key, source, epoch, origin, list, message_id, subject, from_addr, date, state, reason,
         kind, relevant, series_group, series_version, series_index, series_total, series_title, raw, seen_at, decided_at)
       VALUES (@key, @source, @epoch, @origin, @list, @messageId, @subject, @from, @date, @state, @reason,
         @kind, @relevant, @group, @version, @index, @total, @title, @raw, @seenAt, @decidedAt)`,
    );
    for (const r of rows) {
      insert.run({
        key: r.key, source: source.id, epoch: r.epoch, origin: r.origin, list: list.name,
        messageId: r.messageId ?? null, subject: r.subject ?? null, from: r.from ?? null, date: r.date ?? null,
        state: r.state, reason: r.reason ?? null, kind: r.kind ?? null, relevant: r.relevant ? 1 : 0,
        group: r.group ?? null, version: r.version ?? null, index: r.index ?? null, total: r.total ?? null,
        title: r.title ?? null, raw: r.raw ?? null, seenAt, decidedAt: r.state === 'pending' ? null : seenAt,
      });
      counts[r.state as 'pending' | 'skipped' | 'error']++;
      if (r.state === 'error') {
        logEvent(env.db, 'error', `${r.origin} <${r.messageId ?? '?'}>: ${r.reason}`);
        env.log.warn(`${r.origin} <${r.messageId ?? '?'}>: ${r.reason} (recorded; going on)`);
      }
      counts.read++;
    }
    for (const d of deletions) recordDeletion(env, source, d, seenAt, counts);
    crashPoint('intake-mid-transaction');
    for (const u of units) if (u.position !== undefined) setCursor(env.db, source.id, u.epoch, u.position);
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

async function classify(
  item: RawItem,
  epoch: string,
  raw: Buffer | Error,
  list: ListPolicy,
  matches: (p: string) => boolean,
  env: JobEnv,
  seenIds: Map<string, string>,
): Promise<Row> {
  const base: Row = { key: item.key, origin: item.origin, epoch, state: 'skipped' };
  if (raw instanceof Error) return { ...base, state: 'error', reason: `cannot read: ${raw.message}` };
  const h = quickHeaders(raw);
  if (!h) return { ...base, state: 'error', reason: 'no header block: not a mail' };
  const row: Row = { ...base, messageId: h.messageId, subject: h.subject, from: h.fromAddress, date: h.date };
  if (h.messageId) {
    const earlier = seenIds.get(h.messageId) ?? firstWithMessageId(env.db, h.messageId)?.key;
    if (earlier) return { ...row, reason: `duplicate Message-ID (first recorded as ${earlier.slice(0, 16)})` };
    seenIds.set(h.messageId, item.key);
  }
  const tags = subjectTags(h.subject);
  // A reply is skipped only when it carries no diff of its own: patches are often sent as
  // `Re: [PATCH]` in a thread, and a diff quoted with "> " does not count (filesInText reads
  // line starts only). Encoded replies are decided after the MIME parse below.
  const plainText = isPlain(h) ? raw.toString('utf8') : undefined;
  if (tags.isReply && plainText !== undefined && filesInText([plainText]).length === 0) return { ...row, reason: 'reply in a thread' };
  if (!mayCarryPatch(raw, h)) return { ...row, reason: tags.isReply ? 'reply in a thread' : 'not a patch' };
  let files: string[];
  if (isPlain(h)) {
    // Most list traffic: the bytes are the text. The full MIME parse happens at review time,
    // only for the series that touch followed files (a backfill of 20,000 mails stays cheap).
    files = filesInText([plainText ?? raw.toString('utf8')]);
  } else {
    try {
      const msg = await parseMail(raw, item.origin);
      if (msg.messageId) row.messageId = msg.messageId;
      if (msg.subject) row.subject = msg.subject;
      files = patchFiles(msg);
    } catch (err) {
      return { ...row, state: 'error', reason: `cannot parse: ${(err as Error).message.split('\n')[0]}` };
    }
  }
  if (tags.isReply && files.length === 0) return { ...row, reason: 'reply in a thread' };
  const t = subjectTags(row.subject ?? h.subject);
  const root = h.references[0] ?? h.inReplyTo ?? row.messageId ?? item.key;
  const series = {
    version: t.version,
    index: t.index,
    total: t.total,
    title: t.title,
    group: t.total > 1 ? seriesGroup(h.fromAddress, t.version, root) : `single|${row.messageId ?? item.key}`,
  };
  if (t.isPatch && t.index === 0) return { ...row, ...series, state: 'pending', kind: 'cover', raw };
  if (files.length === 0) return { ...row, reason: t.isPatch ? 'patch mail without a diff' : 'not a patch' };
  const relevant = files.some(matches);
  if (!relevant && t.total <= 1) {
    return { ...row, ...series, kind: 'patch', reason: `touches no followed file (${files[0]}${files.length > 1 ? ', ...' : ''})` };
  }
  if (!row.messageId) return { ...row, state: 'error', reason: 'patch without a Message-ID: cannot reply to it' };
  return { ...row, ...series, state: 'pending', kind: 'patch', relevant, raw };
}
