/**
 * Series: subject tags, threading, ordering and grouping of versions.
 *
 * A posted series is a cover letter ([PATCH v18 0/4]) and its parts (1/4 .. 4/4), threaded
 * by In-Reply-To/References (git format-patch --thread, git send-email). Versions of a
 * series (v17, v18) are separate threads with the same author and cover title (or b4's
 * change-id). Messages without threading (a git range, unthreaded format-patch files) group
 * by author, version and part count.
 */
import type { Message, SeriesInfo } from '../model.js';

export interface SubjectInfo {
  /** Undefined when the subject has no [tags] at all. */
  series?: SeriesInfo;
  /** `Re:` in front: a reply, even when it quotes a patch. */
  reply: boolean;
  /** The subject without Re: and tags. */
  title: string;
}

const REPLY = /^\s*(?:(?:re|aw|sv|antw|odp)\s*(?:\[\d+\])?\s*:\s*)+/i;
const FORWARD = /^\s*(?:fwd?|fw)\s*:\s*/i;

/** Parse `Re: [RFC PATCH net-next v2 3/7] title`. */
export function parseSubject(subject: string): SubjectInfo {
  let rest = subject.replace(/\s+/g, ' ').trim();
  let reply = false;
  for (let changed = true; changed; ) {
    changed = false;
    const r = REPLY.exec(rest) ?? undefined;
    if (r) {
      reply = true;
      rest = rest.slice(r[0].length);
      changed = true;
    }
    const f = FORWARD.exec(rest) ?? undefined;
    if (f) {
      rest = rest.slice(f[0].length);
      changed = true;
    }
  }
  const groups: string[] = [];
  for (let m = /^\s*\[([^\]]*)\]\s*/.exec(rest); m; m = /^\s*\[([^\]]*)\]\s*/.exec(rest)) {
    groups.push(m[1]);
    rest = rest.slice(m[0].length);
  }
  const title = rest.trim();
  if (groups.length === 0) return { reply, title };
  return { reply, title, series: seriesFromTags(groups.join(' '), title) };
}

function seriesFromTags(tags: string, title: string): SeriesInfo {
  const series: SeriesInfo = { version: 1, index: 1, total: 1, prefixes: [], title };
  for (const token of tags.split(/[\s,]+/).filter(Boolean)) {
    let m: RegExpExecArray | null;
    if ((m = /^v(\d+)$/i.exec(token))) series.version = Number(m[1]);
    else if ((m = /^(\d+)\/(\d+)$/.exec(token))) {
      series.index = Number(m[1]);
      series.total = Number(m[2]);
    } else if ((m = /^(PATCH|RFC)v(\d+)$/i.exec(token))) {
      series.prefixes.push(m[1]);
      series.version = Number(m[2]);
    } else {
      if (/^RESEND$/i.test(token)) series.resend = true;
      series.prefixes.push(token);
    }
  }
  if (!series.resend) delete series.resend;
  return series;
}

/** A cover letter: part 0 of a series. */
export function isCoverLetter(info: SubjectInfo): boolean {
  return !info.reply && info.series?.index === 0;
}

interface Entry {
  msg: Message;
  pos: number; // input order
  info: SubjectInfo;
  thread: string;
  unit?: Unit;
}

/** The messages of one posted version of one series. */
interface Unit {
  key: string;
  version: number;
  entries: Entry[];
  family?: string;
  first: number;
}

/** Drop later copies of a Message-ID (the same mail given twice, e.g. an mbox and its files). */
function dedupe(messages: Message[]): Message[] {
  const seen = new Set<string>();
  return messages.filter((m) => {
    if (!m.messageId) return true;
    if (seen.has(m.messageId)) return false;
    seen.add(m.messageId);
    return true;
  });
}

/** The thread a message belongs to: its oldest ancestor we know of, else the oldest it names. */
function threadRoots(entries: Entry[]): void {
  const byId = new Map<string, Entry>();
  for (const e of entries) if (e.msg.messageId) byId.set(e.msg.messageId, e);
  const parentOf = (e: Entry): string | undefined => {
    const refs = [...e.msg.references, ...(e.msg.inReplyTo ? [e.msg.inReplyTo] : [])];
    return refs.find((id) => byId.has(id) && id !== e.msg.messageId) ?? refs[0];
  };
  for (const e of entries) {
    let id = e.msg.messageId;
    let parent = parentOf(e);
    const seen = new Set<string>();
    while (parent && !seen.has(parent)) {
      seen.add(parent);
      id = parent;
      const p = byId.get(parent);
      parent = p ? parentOf(p) : undefined;
    }
    e.thread = id ?? `source:${e.msg.source}`;
  }
}

function author(msg: Message): string {
  return (msg.fromAddress ?? msg.from ?? '').toLowerCase();
}

/** Which posted version a patch or cover letter belongs to. */
function unitKey(e: Entry, threadSize: Map<string, number>): string {
  const s = e.info.series;
  const threaded = e.msg.inReplyTo || e.msg.references.length > 0 || (threadSize.get(e.thread) ?? 0) > 1;
  if (threaded || !s || s.total <= 1) return `${e.thread} v${s?.version ?? 1}`;
  // Unthreaded parts of a numbered series: a git range, or format-patch without --thread.
  return `${author(e.msg)} v${s.version} of ${s.total} ${s.prefixes.filter((p) => !/^RESEND$/i.test(p)).join(' ')}`;
}

function changeId(entries: Entry[]): string | undefined {
  for (const e of entries) {
    const m = /^change-id:\s*(\S+)\s*$/m.exec(e.msg.body);
    if (m) return m[1];
  }
  return undefined;
}

/** A readable name for a series: author and the title of its cover letter (or first part). */
function familyName(unit: Unit): string {
  const lead = [...unit.entries].sort(byIndex)[0];
  const title = (lead.info.title || lead.msg.subject).toLowerCase().replace(/\s+/g, ' ');
  return `${author(lead.msg)}: ${title}`;
}

/**
 * What makes two postings versions of one series: b4's change-id, or the same author with
 * the same title on a cover letter or on any part (v1 often has no cover letter, v2 does).
 */
function familyKeys(unit: Unit): string[] {
  const id = changeId(unit.entries);
  const keys = id ? [`change-id:${id}`] : [];
  for (const e of unit.entries) {
    if (!e.info.reply && e.info.title) keys.push(`${author(e.msg)}: ${e.info.title.toLowerCase().replace(/\s+/g, ' ')}`);
  }
  return keys;
}

/** Group units that share a family key (union-find); the group is named after its first unit. */
function groupFamilies(units: Unit[]): Unit[][] {
  const parent = units.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const owner = new Map<string, number>();
  units.forEach((u, i) => {
    for (const k of familyKeys(u)) {
      const j = owner.get(k);
      if (j === undefined) owner.set(k, i);
      else parent[find(i)] = find(j);
    }
  });
  const groups = new Map<number, Unit[]>();
  units.forEach((u, i) => {
    const root = find(i);
    groups.set(root, [...(groups.get(root) ?? []), u]);
  });
  return [...groups.values()];
}

function byIndex(a: Entry, b: Entry): number {
  return (a.info.series?.index ?? 1) - (b.info.series?.index ?? 1) || a.pos - b.pos;
}

/**
 * Thread and order: series by first appearance, their versions oldest first, within a
 * version the cover letter, the parts by index, then the replies. Sets `seriesKey`.
 */
export function threadMessages(input: Message[]): Message[] {
  const entries: Entry[] = dedupe(input).map((msg, pos) => ({ msg, pos, info: parseSubject(msg.subject), thread: '' }));
  threadRoots(entries);
  const threadSize = new Map<string, number>();
  for (const e of entries) threadSize.set(e.thread, (threadSize.get(e.thread) ?? 0) + 1);

  const units = new Map<string, Unit>();
  const unitOf = (key: string, version: number, pos: number): Unit => {
    let u = units.get(key);
    if (!u) units.set(key, (u = { key, version, entries: [], first: pos }));
    return u;
  };
  for (const e of entries.filter((x) => !x.info.reply)) {
    e.unit = unitOf(unitKey(e, threadSize), e.info.series?.version ?? 1, e.pos);
    e.unit.entries.push(e);
  }
  // A reply belongs with what it answers: the message it replies to, else its thread's version.
  const byId = new Map(entries.filter((e) => e.msg.messageId).map((e) => [e.msg.messageId!, e]));
  const unitOfThread = new Map<string, Unit>();
  for (const e of entries) if (e.unit && !unitOfThread.has(e.thread)) unitOfThread.set(e.thread, e.unit);
  for (const e of entries.filter((x) => x.info.reply)) {
    const parent = e.msg.inReplyTo ? byId.get(e.msg.inReplyTo) : undefined;
    const threadUnit = unitOfThread.get(e.thread);
    e.unit = parent?.unit ?? threadUnit ?? unitOf(`${e.thread} reply`, e.info.series?.version ?? 1, e.pos);
    e.unit.entries.push(e);
  }

  const out: Message[] = [];
  const first = (us: Unit[]) => Math.min(...us.map((u) => u.first));
  const ordered = groupFamilies([...units.values()]).sort((a, b) => first(a) - first(b));
  for (const versions of ordered) {
    const name = familyName([...versions].sort((a, b) => a.first - b.first)[0]);
    for (const u of versions) u.family = name;
    versions.sort((a, b) => a.version - b.version || a.first - b.first);
    const used = new Map<string, number>();
    for (const u of versions) {
      let key = `${u.family} v${u.version}`;
      const n = (used.get(key) ?? 0) + 1;
      used.set(key, n);
      if (n > 1) key += ` #${n}`; // the same version posted twice (a RESEND in a new thread)
      const parts = u.entries.filter((e) => !e.info.reply).sort(byIndex);
      const replies = u.entries.filter((e) => e.info.reply).sort((a, b) => a.pos - b.pos);
      for (const e of [...parts, ...replies]) {
        e.msg.seriesKey = key;
        out.push(e.msg);
      }
    }
  }
  return out;
}
