/** `vfio-review ingest status --state FILE`: counts, cursors, what is waiting, recent errors. */
import type { Db } from './state.js';

export interface Status {
  messages: Record<string, number>;
  replies: Record<string, number>;
  checks: Record<string, number>;
  seriesWaiting: number;
  deletions: number;
  cursors: { source: string; epoch: string; position: string; updated_at: string }[];
  recent: { at: string; level: string; text: string }[];
}

export function readStatus(db: Db): Status {
  const counts = (sql: string) =>
    Object.fromEntries((db.prepare(sql).all() as { k: string; n: number }[]).map((r) => [r.k, r.n]));
  return {
    messages: counts(`SELECT state k, COUNT(*) n FROM messages GROUP BY state`),
    replies: counts(`SELECT state k, COUNT(*) n FROM replies GROUP BY state`),
    checks: counts(`SELECT status k, COUNT(*) n FROM checks GROUP BY status`),
    seriesWaiting: db.prepare(`SELECT COUNT(DISTINCT series_group) FROM messages WHERE state = 'pending'`).pluck().get() as number,
    deletions: db.prepare(`SELECT COUNT(*) FROM deletions`).pluck().get() as number,
    cursors: db.prepare(`SELECT source, epoch, position, updated_at FROM cursors ORDER BY source, CAST(epoch AS INTEGER), epoch`).all() as Status['cursors'],
    recent: db.prepare(`SELECT at, level, text FROM events WHERE level != 'info' ORDER BY id DESC LIMIT 10`).all() as Status['recent'],
  };
}

export function formatStatus(s: Status): string {
  const kv = (o: Record<string, number>, order: string[]) =>
    order.map((k) => `${k} ${o[k] ?? 0}`).join(', ');
  const lines = [
    `messages: ${kv(s.messages, ['reviewed', 'skipped', 'error', 'pending'])}`,
    `replies:  ${kv(s.replies, ['queued', 'sending', 'written', 'sent'])}`,
    `series waiting for parts: ${s.seriesWaiting}; deletions recorded: ${s.deletions}`,
  ];
  if (Object.keys(s.checks).length) lines.push(`patchwork checks: ${kv(s.checks, ['queued', 'posted'])}`);
  lines.push('cursors:');
  if (s.cursors.length === 0) lines.push('  (none yet)');
  for (const c of s.cursors) lines.push(`  ${c.source} [${c.epoch}] ${c.position.slice(0, 12)} (${c.updated_at})`);
  lines.push('recent errors and warnings:');
  if (s.recent.length === 0) lines.push('  (none)');
  for (const e of s.recent) lines.push(`  ${e.at} ${e.level}: ${e.text}`);
  return lines.join('\n') + '\n';
}
