/**
 * Phase 2 of a run: review the series that are ready, decide every pending row, queue replies.
 *
 * The review itself (parse, rules, render) happens outside any transaction; its result is
 * then written in one transaction: rows decided, replies queued with their final .eml bytes,
 * Patchwork checks queued. A crash before the commit just means the series is reviewed
 * again next run, with the same result (the review is a pure function of the mails).
 */
import { parseMail } from '../ingest/index.js';
import { loadKnowledgeBase } from '../kb/index.js';
import type { KnowledgeBase } from '../kb/types.js';
import type { Finding, Message, PatchModel, ReviewResult } from '../model.js';
import { SEVERITIES } from '../model.js';
import { reviewMessages } from '../pipeline.js';
import { renderEmailBody } from '../report/email.js';
import { crashPoint } from './crash.js';
import type { JobEnv } from './env.js';
import { listFor, type ListPolicy } from './policy.js';
import { cleanAddress, cleanMsgId, composeReply, type ComposedReply } from './reply.js';
import { readiness } from './series-wait.js';
import { clock, logEvent, now, stmt } from './state.js';
import { checkFor, type CheckDraft } from './patchwork.js';
import { previousVersion, versionSection } from './versions.js';
import { collectGarbage } from './gc.js';

export interface PendingRow {
  id: number;
  key: string;
  source: string;
  origin: string;
  list: string;
  message_id: string | null;
  subject: string | null;
  from_addr: string | null;
  date: string | null;
  kind: 'patch' | 'cover';
  relevant: number;
  series_group: string;
  series_version: number;
  series_index: number;
  series_total: number;
  series_title: string | null;
  raw: Buffer;
  seen_at: string;
}

interface Decision {
  row: Pick<PendingRow, 'id' | 'origin' | 'message_id'>;
  state: 'reviewed' | 'skipped' | 'error';
  reason: string;
  findings?: string;
  reply?: ComposedReply & { notBefore: string };
  check?: CheckDraft;
}

export interface ReviewCounts {
  series: number;
  reviewed: number;
  skipped: number;
  error: number;
  replies: number;
  waiting: number;
}

// Unrelated series are decided in bulk, a chunk per transaction: one fsync for hundreds of
// series instead of one each, and memory bounded however many a backfill holds.
const UNRELATED_CHUNK = 2048;

const GC_EVERY_SERIES = 8;

// Every column but `raw`: deciding an unrelated series needs none of its bytes, and a backfill
// holds thousands of such series (their patches waited for a possible relevant sibling).
const PART_COLUMNS = `id, key, source, origin, list, message_id, subject, from_addr, date, kind, relevant,
  series_group, series_version, series_index, series_total, series_title, seen_at`;

export async function reviewReady(env: JobEnv): Promise<ReviewCounts> {
  const counts: ReviewCounts = { series: 0, reviewed: 0, skipped: 0, error: 0, replies: 0, waiting: 0 };
  // Group names only (a few dozen bytes each), in order of first arrival: a v2 is reviewed
  // after the v1 it is compared with.
  const groups = stmt(env.db, `SELECT series_group g, MIN(id) first FROM messages WHERE state = 'pending' GROUP BY series_group ORDER BY first`)
    .pluck()
    .all() as string[];
  let kb: KnowledgeBase | undefined;
  let unrelated: Decision[] = [];
  let reviewedGroups = 0;
  for (const g of groups) {
    const parts = stmt(env.db, `SELECT ${PART_COLUMNS} FROM messages WHERE state = 'pending' AND series_group = ? ORDER BY series_index, id`)
      .all(g) as Omit<PendingRow, 'raw'>[];
    const decided = stmt(env.db, `SELECT COUNT(*) FROM messages WHERE state != 'pending' AND series_group = ? AND kind IN ('patch','cover')`)
      .pluck()
      .get(g) as number;
    const r = readiness(parts, decided, env.policy.seriesWaitMinutes, clock());
    if (!r.ready) {
      counts.waiting++;
      continue;
    }
    counts.series++;
    if (!parts.some((row) => row.kind === 'patch' && row.relevant)) {
      // Nothing followed in this series: decided without a review (and without its bytes).
      unrelated.push(...parts.map((row) => skipUnrelated(row)));
      if (unrelated.length >= UNRELATED_CHUNK) unrelated = flushUnrelated(env, counts, unrelated);
      continue;
    }
    if (r.why === 'waited') env.log.info(`series ${parts[0].subject ?? g}: reviewing without parts ${r.missing.join(', ')} after waiting`);
    kb ??= await loadKnowledgeBase();
    const rows = stmt(env.db, `SELECT * FROM messages WHERE state = 'pending' AND series_group = ? ORDER BY series_index, id`).all(g) as PendingRow[];
    const decisions = await decideGroup(env, rows, kb);
    commit(env, decisions);
    tally(counts, decisions);
    // A series' review leaves garbage V8 lets pile up over hundreds of them (a backfill's peak
    // RSS grew with the series it held): a full collection every 8 series, measured at 200,000
    // mails and 100 series: peak 164 MiB instead of 180, about a second more of review (every
    // series: 160 MiB, 8 s more).
    if (++reviewedGroups % GC_EVERY_SERIES === 0) collectGarbage();
  }
  flushUnrelated(env, counts, unrelated);
  return counts;
}

function flushUnrelated(env: JobEnv, counts: ReviewCounts, decisions: Decision[]): Decision[] {
  commit(env, decisions);
  tally(counts, decisions);
  return [];
}

function skipUnrelated(row: Pick<PendingRow, 'id' | 'origin' | 'message_id' | 'kind'>): Decision {
  return { row, state: 'skipped', reason: row.kind === 'cover' ? 'series touches no followed file' : 'touches no followed file' };
}

function tally(counts: ReviewCounts, decisions: Decision[]): void {
  for (const d of decisions) {
    counts[d.state]++;
    if (d.reply) counts.replies++;
  }
}

async function decideGroup(env: JobEnv, rows: PendingRow[], kb: KnowledgeBase): Promise<Decision[]> {
  const messages: Message[] = [];
  const parsed: PendingRow[] = [];
  const out: Decision[] = [];
  for (const row of rows) {
    try {
      const m = await parseMail(row.raw, row.origin);
      m.seriesKey = row.series_group;
      messages.push(m);
      parsed.push(row);
    } catch (err) {
      out.push({ row, state: 'error', reason: `cannot parse: ${(err as Error).message.split('\n')[0]}` });
    }
  }
  let result: Awaited<ReturnType<typeof reviewMessages>>;
  try {
    result = await reviewMessages(messages, [], { kb, kernel: env.policy.kernel });
  } catch (err) {
    // A bug in a rule must not stall the job on this series forever: record it and go on.
    const reason = `review failed: ${(err as Error).message.split('\n')[0]}`;
    logEvent(env.db, 'error', `${rows[0].subject}: ${reason}`);
    env.log.error(`${rows[0].origin}: ${reason}`);
    return [...out, ...parsed.map((row) => ({ row, state: 'error' as const, reason }))];
  }
  const { kb: _kb, ...plain } = result;
  void _kb;
  // A message whose patch could not be built or reviewed has no model, only an error (issue 11).
  const bySource = new Map(result.patches.map((p) => [p.source, p]));
  for (const row of parsed) {
    const patch = bySource.get(row.origin);
    const error = result.errors.find((e) => e.source === row.origin);
    if (patch) out.push(await decidePatch(env, row, patch, plain, kb));
    else out.push({ row, state: 'error', reason: `review failed: ${error?.message ?? 'no result'}` });
  }
  return out;
}

async function decidePatch(env: JobEnv, row: PendingRow, patch: PatchModel, result: ReviewResult, kb: KnowledgeBase): Promise<Decision> {
  if (row.kind === 'cover') return { row, state: 'reviewed', reason: 'cover letter of a reviewed series' };
  if (!row.relevant) return { row, state: 'skipped', reason: 'touches no followed file (read as series context)' };
  const list = listFor(env.policy, row.source);
  const notes = notesFor(list, patch.findings);
  const findings = JSON.stringify(notes.map((f) => ({ fingerprint: f.fingerprint, rule: f.rule, title: f.title, severity: f.severity })));
  const decision: Decision = {
    row,
    state: 'reviewed',
    reason: patch.mangled ? `not analysed: ${patch.mangledReason ?? 'mangled by the mailer'}` : `${notes.length} note(s)`,
    findings,
  };
  if (env.patchwork && row.message_id) decision.check = checkFor(row.message_id, notes, env.policy.lore);
  if (list.mute || (notes.length === 0 && !env.positive)) return decision;
  const prev = previousVersion(env.db, row);
  // The email report renders the body (greeting, quoted hunks with notes under them, footer).
  const body = renderEmailBody({ ...patch, findings: notes }, { ...result, patches: [{ ...patch, findings: notes }] }, { kb });
  const section = prev ? versionSection(prev, notes, row.series_version, env.policy.lore) : '';
  decision.reply = buildReply(env, list, row, patch, section ? insertSection(body, section) : body);
  return decision;
}

/** The "compared with vN-1" paragraph goes after the greeting and intro, before the notes. */
function insertSection(body: string, section: string): string {
  const paras = body.split('\n\n');
  const at = paras[0].startsWith('Hi ') && paras.length > 2 ? 2 : 0;
  paras.splice(at, 0, section);
  return paras.join('\n\n');
}

/** Policy filter: severity at or above the list's minimum, muted rules dropped. */
export function notesFor(list: ListPolicy, findings: Finding[]): Finding[] {
  const limit = SEVERITIES.indexOf(list.minSeverity);
  return findings.filter(
    (f) => SEVERITIES.indexOf(f.severity) <= limit && !list.muteRules.includes(f.rule) && !list.muteRules.includes(f.type),
  );
}

function buildReply(env: JobEnv, list: ListPolicy, row: PendingRow, patch: PatchModel, body: string): Decision['reply'] {
  const author = row.from_addr ? cleanAddress(row.from_addr) : undefined;
  if (!author || !row.message_id) return undefined;
  const toList = list.replyTo === 'list' && list.address ? [list.address] : [];
  const to = toList.length ? toList : [author];
  const cc = toList.length ? [author, ...list.cc] : list.cc;
  const authorName = /^\s*"?([^"<]*?)"?\s*</.exec(patch.from ?? '')?.[1];
  const composed = composeReply({
    patchMessageId: row.message_id,
    patchReferences: patch.references ?? [],
    subject: patch.subject || row.subject || '',
    authorName,
    authorAddress: author,
    from: env.policy.from,
    domain: env.policy.domain,
    to,
    cc,
    date: new Date(clock()),
    body,
  });
  // Embargo: give humans the first word on a fresh patch.
  const posted = row.date ? Date.parse(row.date) : NaN;
  const notBefore = new Date(Math.max(clock(), (Number.isNaN(posted) ? 0 : posted) + list.embargoHours * 3_600_000));
  return { ...composed, notBefore: notBefore.toISOString() };
}

function commit(env: JobEnv, decisions: Decision[]): void {
  if (decisions.length === 0) return;
  const at = now();
  const mode = env.smtp ? 'smtp' : 'dry-run';
  env.db.transaction(() => {
    const update = stmt(env.db, 
      `UPDATE messages SET state = ?, reason = ?, findings = ?, raw = NULL, decided_at = ? WHERE id = ? AND state = 'pending'`,
    );
    const reply = stmt(env.db, 
      `INSERT OR IGNORE INTO replies (id, patch_message_id, reply_message_id, message_row, mode, state, envelope_from,
         recipients, eml, not_before, created_at) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?)`,
    );
    const check = stmt(env.db, 
      `INSERT OR IGNORE INTO checks (patch_message_id, state, description, target_url, status) VALUES (?, ?, ?, ?, 'queued')`,
    );
    for (const d of decisions) {
      update.run(d.state, d.reason, d.findings ?? null, at, d.row.id);
      if (d.state === 'error') logEvent(env.db, 'error', `${d.row.origin}: ${d.reason}`);
      if (d.reply && d.row.message_id) {
        const r = d.reply;
        reply.run(r.id, cleanMsgId(d.row.message_id), r.messageId, d.row.id, mode, r.envelopeFrom, JSON.stringify(r.recipients), r.eml, r.notBefore, at);
      }
      if (d.check) check.run(d.check.patchMessageId, d.check.state, d.check.description, d.check.targetUrl);
    }
    crashPoint('review-mid-transaction');
  })();
  crashPoint('review-committed');
}
