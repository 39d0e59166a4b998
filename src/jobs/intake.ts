/**
 * Phase 1 of a run: read what is new in a source and give every message a row.
 *
 * Units are read in windows: a window's blobs are requested together (cat-file pipelines
 * them), and AHEAD windows are read while one is classified, so git works on another core
 * meanwhile. The rows go to the writer thread (src/jobs/intake-writer.ts) with their window;
 * once enough have gathered it writes them in ONE transaction together with the cursor of the
 * last unit (one fsync per few thousand mails), while this thread reads the next batch. A kill
 * -9 anywhere loses at most what was not committed, which is simply read again (keys are
 * unique, so nothing is recorded twice). Memory is bounded by the windows and the commit
 * size, whatever the length of the archive.
 */
import { parseMail } from '../ingest/index.js';
import type { JobEnv } from './env.js';
import { collectGarbage } from './gc.js';
import { isPlain, mayCarryPatch, PATCH_SUBJECT, patchFiles, quickHeaders, subjectTags, type Headers, type Tags } from './relevance.js';
import { filesInBytes, globMatcher } from '../patch/followed.js';
import { seriesGroup } from './series-wait.js';
import type { RawItem, Source, Unit } from './sources/types.js';
import { firstKeys, getCursor, hasKey, knownKeys, logEvent, now, type Outcome } from './state.js';
import type { Deletion, Row } from './intake-commit.js';
import { IntakeWriter } from './intake-writer.js';
import { listFor, type ListPolicy } from './policy.js';

/** Units whose blobs are requested together. */
const WINDOW = 512;
/** Windows being read ahead of the one classified. */
const AHEAD = 8;
// A commit (one fsync with synchronous = FULL) per COMMIT_UNITS units, or sooner when the
// mails held for review (their bytes are stored) reach COMMIT_BYTES. Fewer, larger
// transactions write each touched index page once for many rows (blob ids are random, so a
// commit of N rows dirties about N pages of the key index whatever N is). On the writer
// thread the commit overlaps the next batch's reading, and 8,192 was as fast as 16,384 there
// while the peak RSS of a 200,000-mail backfill stayed within 13% of a 20,000-mail one (184
// and 163 MiB; 16,384: 222 and 172). A kill loses at most that many units, which are read again.
const COMMIT_UNITS = 8_192;
const COMMIT_BYTES = 8 << 20;
/** Mails classified between two turns of the event loop. */
const YIELD_EVERY = 64;
// WAL pages before SQLite copies them back into the database (the default is 1,000, which a
// single commit here can exceed, so every commit was followed by a checkpoint of its own). Set
// on the writer's connection; a page rewritten by several commits is then copied back once.
const INTAKE_CHECKPOINT_PAGES = 16_384;

export interface IntakeCounts {
  read: number;
  pending: number;
  skipped: number;
  error: number;
  deleted: number;
}

/**
 * What is decided but not yet committed. The rows themselves went to the writer thread with
 * their window (held here until the commit, 16,384 rows lived long enough to be promoted, and
 * collecting them was a sixth of this thread's time); what stays is what the next windows read.
 */
interface Decided {
  /** Keys of the rows and deletions handed over: recorded, for this pass, once committed. */
  keys: string[];
  cursors: Map<string, string>;
  /** Message-ID -> key of the first of these rows carrying it (duplicates are found before the commit). */
  ids: Map<string, string>;
  units: number;
  bytes: number;
}

const nothingDecided = (): Decided => ({ keys: [], cursors: new Map(), ids: new Map(), units: 0, bytes: 0 });

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
    wantsCount: env.log.drawsBar,
    seen: (key: string) => hasKey(env.db, key),
  };
  const units = source.units(ctx);
  const writer = new IntakeWriter({ file: env.db.name, checkpointPages: INTAKE_CHECKPOINT_PAGES });
  let decided = nothingDecided();
  // Keys read but not committed yet: a window prepared before them is committed skips them.
  const uncommitted = new Set<string>();
  // The batch the writer thread is committing: until it is, its Message-IDs are looked up here.
  let inflight: InFlight | undefined;
  const settle = async () => {
    if (inflight) await inflight.done;
    inflight = undefined;
  };
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
  // AHEAD windows are being read at any time, each prepared after the one before it (the
  // source is one stream): git's log and cat-file keep working while a window is classified.
  const ahead: Promise<Window | undefined>[] = [];
  const readAhead = () => {
    const last = ahead[ahead.length - 1];
    const w = last ? last.then((before) => (before ? prepare(env, units, uncommitted, mayBeKnown) : undefined)) : prepare(env, units, uncommitted, mayBeKnown);
    w.catch(() => undefined); // awaited on its turn; not an unhandled rejection meanwhile
    ahead.push(w);
  };
  while (ahead.length < AHEAD) readAhead();
  try {
    for (;;) {
      const window = await ahead.shift()!;
      if (!window) break;
      readAhead();
      await decideWindow(window, matches, env, writer, decided, inflight?.ids);
      if (decided.units >= COMMIT_UNITS || decided.bytes >= COMMIT_BYTES) {
        // One batch in flight: what settleUnrelatedSeries reads of the state includes the last.
        await settle();
        inflight = commit(env, writer, source, list, decided, counts, uncommitted);
        decided = nothingDecided();
        collectGarbage();
      }
    }
    await settle();
    inflight = commit(env, writer, source, list, decided, counts, uncommitted);
    await settle();
  } finally {
    for (const w of ahead) await w.catch(() => undefined);
    await inflight?.done.catch(() => undefined);
    await units.return(undefined);
    await writer.close();
  }
  env.log.endBar();
  return counts;
}

/** A batch handed to the writer thread: done once committed and counted. */
interface InFlight {
  done: Promise<void>;
  ids: Map<string, string>;
}

/**
 * Ask the writer to commit what it was handed since the last commit, with the cursors past it;
 * once committed, count what it recorded and let its keys go from `uncommitted`. Undefined when
 * there is nothing to write.
 */
function commit(
  env: JobEnv,
  writer: IntakeWriter,
  source: Source,
  list: ListPolicy,
  d: Decided,
  counts: IntakeCounts,
  uncommitted: Set<string>,
): InFlight | undefined {
  if (d.units === 0) return undefined;
  const done = writer
    .commit({ source: source.id, list: list.name, seenAt: now(), cursors: [...d.cursors], seriesWaitMinutes: env.policy.seriesWaitMinutes })
    .then((c) => {
      for (const k of Object.keys(counts) as (keyof IntakeCounts)[]) counts[k] += c[k];
      for (const text of c.errors) env.log.warn(`${text} (recorded; going on)`);
      for (const k of d.keys) uncommitted.delete(k);
    });
  done.catch(() => undefined); // awaited by the next commit or the end; not unhandled meanwhile
  return { done, ids: d.ids };
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

/** Classify a window's mails; hand the rows and deletions to the writer, the rest to `into`. */
async function decideWindow(
  { units, reads }: Window,
  matches: (p: string) => boolean,
  env: JobEnv,
  writer: IntakeWriter,
  into: Decided,
  committing?: Map<string, string>,
): Promise<void> {
  const mails: { item: RawItem; epoch: string; raw: Buffer | Error }[] = [];
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
      mails.push({ item, epoch: unit.epoch, raw });
    }
    // Units come oldest first: the last position per epoch is where the cursor goes.
    if (unit.position !== undefined) into.cursors.set(unit.epoch, unit.position);
  }
  const headers = mails.map((m) => (m.raw instanceof Buffer ? quickHeaders(m.raw) : undefined));
  // One query for the window: which Message-IDs were recorded before (in any source); then
  // the rows being committed, then those decided but not handed over yet.
  const recorded = firstKeys(env.db, headers.map((h) => h?.messageId).filter((id): id is string => id !== undefined));
  const earlier: FirstCarrier = {
    get: (id) => recorded.get(id) ?? committing?.get(id) ?? into.ids.get(id),
    set: (id, key) => void into.ids.set(id, key),
  };
  for (let k = 0; k < mails.length; k++) {
    // A turn of the event loop now and then: git's pipes are read only then, and a window
    // classified in one go left git stalled on a full pipe (and this thread waiting for it next).
    if (k % YIELD_EVERY === YIELD_EVERY - 1) await new Promise<void>((done) => setImmediate(done));
    const { item, epoch, raw } = mails[k];
    const outcome = classify(item, epoch, raw, headers[k], matches, earlier);
    const row = outcome instanceof Promise ? await outcome : outcome;
    rows.push(row);
    into.keys.push(row.key);
    into.bytes += row.raw?.length ?? 0;
  }
  for (const d of deletions) into.keys.push(d.key);
  writer.add(rows, deletions);
  into.units += units.length;
  env.log.tick(units.length);
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
  const root = h.references ?? h.inReplyTo ?? row.messageId ?? row.key;
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
    row.raw = ownCopy(raw);
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
  row.raw = ownCopy(raw);
  return decided(row, 'pending');
}

/**
 * The bytes kept for review, in memory of their own: `raw` may be a view of a larger chunk of
 * git's output, and the copy is moved, not copied again, to the writer thread.
 */
function ownCopy(raw: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(raw.length);
  raw.copy(copy);
  return copy;
}

