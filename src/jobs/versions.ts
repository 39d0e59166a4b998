/**
 * Linking a new version of a patch to the review of the previous one: same author, same
 * title (subject without tags), lower version. Notes are matched by fingerprint (rule +
 * function + normalised code, stable across versions), so the reply can say which notes of
 * vN-1 were resolved and which remain, instead of repeating itself.
 */
import type { Finding } from '../model.js';
import { stmt, type Db } from './state.js';

export interface PreviousReview {
  version: number;
  messageId: string | null;
  notes: { fingerprint: string; rule: string; title: string }[];
}

export function previousVersion(
  db: Db,
  row: { from_addr: string | null; series_title: string | null; series_version: number; id: number },
): PreviousReview | undefined {
  if (!row.series_title || !row.from_addr) return undefined;
  const prev = stmt(db, 
      `SELECT series_version v, message_id m, findings f FROM messages
       WHERE from_addr = ? AND series_title = ? AND series_version < ? AND state = 'reviewed' AND kind = 'patch' AND id != ?
       ORDER BY series_version DESC, id DESC LIMIT 1`,
    )
    .get(row.from_addr, row.series_title, row.series_version, row.id) as { v: number; m: string | null; f: string | null } | undefined;
  if (!prev) return undefined;
  return { version: prev.v, messageId: prev.m, notes: prev.f ? JSON.parse(prev.f) : [] };
}

/** A short plain-text paragraph, wrapped at 72 columns, put above the notes. */
export function versionSection(prev: PreviousReview, notes: Finding[], version: number, lore: string): string {
  const now = new Set(notes.map((n) => n.fingerprint));
  const before = new Set(prev.notes.map((n) => n.fingerprint));
  const resolved = prev.notes.filter((n) => !now.has(n.fingerprint));
  const remain = prev.notes.filter((n) => now.has(n.fingerprint));
  const fresh = notes.filter((n) => !before.has(n.fingerprint));
  const link = prev.messageId ? ` (${lore}/r/${encodeURIComponent(prev.messageId).replace(/%40/g, '@')})` : '';
  const lines = [`Compared with the review of v${prev.version}${link}, in v${version}:`];
  const item = (label: string, n: { rule: string; title: string }) => wrap(`- ${label}: ${n.rule}: ${n.title}`, 72, '  ');
  for (const n of resolved) lines.push(...item('resolved', n));
  for (const n of remain) lines.push(...item('still present', n));
  for (const n of fresh) lines.push(...item('new', n));
  if (prev.notes.length === 0 && fresh.length === 0) lines.push('- no notes then, none now.');
  return lines.flatMap((l) => (l.length > 72 ? wrap(l, 72, '') : [l])).join('\n');
}

function wrap(text: string, width: number, indent: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (const word of text.split(' ')) {
    if (cur && cur.length + 1 + word.length > width) {
      out.push(cur);
      cur = indent + word;
    } else cur = cur ? `${cur} ${word}` : word;
  }
  if (cur) out.push(cur);
  return out;
}
