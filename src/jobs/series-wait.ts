/**
 * When a series is reviewed: once every part 1..N and the cover letter are in (parts arrive
 * out of order, minutes apart), or once the oldest part has waited `series_wait_minutes`
 * (a part lost in a spam filter must not hold the others forever). A part that arrives
 * after its series was reviewed is reviewed on its own, straight away.
 */
export interface PendingPart {
  kind: string; // 'patch' | 'cover'
  series_index: number | null;
  series_total: number | null;
  seen_at: string;
}

export interface Readiness {
  ready: boolean;
  why: 'complete' | 'waited' | 'late part' | 'waiting';
  missing: number[];
}

/** The series group a mail belongs to: same author, same version, same thread root. */
export function seriesGroup(fromAddress: string | undefined, version: number, root: string): string {
  return `${(fromAddress ?? '?').toLowerCase()}|v${version}|${root}`;
}

export function readiness(parts: PendingPart[], alreadyDecided: number, waitMinutes: number, nowMs: number): Readiness {
  if (alreadyDecided > 0) return { ready: true, why: 'late part', missing: [] };
  const total = Math.max(1, ...parts.map((p) => p.series_total ?? 1));
  const have = new Set(parts.filter((p) => p.kind === 'patch').map((p) => p.series_index ?? 1));
  const missing: number[] = [];
  for (let i = 1; i <= total; i++) if (!have.has(i)) missing.push(i);
  const coverNeeded = total > 1 && !parts.some((p) => p.kind === 'cover');
  if (coverNeeded) missing.unshift(0);
  if (missing.length === 0) return { ready: true, why: 'complete', missing };
  const oldest = Math.min(...parts.map((p) => Date.parse(p.seen_at)));
  if (nowMs - oldest >= waitMinutes * 60_000) return { ready: true, why: 'waited', missing };
  return { ready: false, why: 'waiting', missing };
}
