/**
 * One note per cause. Findings that share a root cause (the same restore call, the same
 * trace) are told as ONE note: the most severe finding is its headline, the others are short
 * sub-points under it. JSON and SARIF keep every finding as its own result (related results),
 * and each rule stays `--ignore`-able on its own; only the human formats group.
 *
 * The cause comes from Finding.cause when the analysis sets it. Until then (and for findings
 * it leaves without one) this module derives a fallback key: same file, same function, same
 * restore call line, where a finding next to a restore (a load whose result is ignored just
 * before it) belongs to the restore it feeds.
 */
import type { Finding, PatchModel, Severity } from '../model.js';
import { SEVERITIES } from '../model.js';
import { hunkIndex } from '../patch/lines.js';
import { byPosition } from './common.js';

export interface Note {
  /** The cause key the findings share. */
  key: string;
  /** The headline: the most severe finding (ties: the one on the restore call, then the engine's order). */
  lead: Finding;
  /** Every finding of the cause, the lead first, then in line order. */
  points: Finding[];
  severity: Severity;
}

/** A restore call on a diff line: the line a stale-snapshot cause is about. */
const RESTORE_CALL = /\bpci_restore_state\s*\(/;

/** How far below a finding's line a restore call may be and still be its cause (a load just above it). */
const RESTORE_REACH = 3;

/** The cause a finding belongs to within its patch. */
export function causeKey(patch: PatchModel, f: Finding): string {
  if (f.cause) return `cause:${f.cause}`;
  return `at:${f.file}:${f.function ?? ''}:${restoreLine(patch, f)}`;
}

/** The finding's line if it calls the restore, else a restore call a few lines below in the same hunk, else its own line. */
function restoreLine(patch: PatchModel, f: Finding): number {
  if (f.outsideDiff) return f.line;
  const at = hunkIndex(patch).at(f.file, f.line);
  if (!at) return f.line;
  const lines = at.hunk.lines;
  for (let i = at.index; i < lines.length && i <= at.index + RESTORE_REACH; i++) {
    const l = lines[i];
    if (l.kind === '-') continue;
    if (RESTORE_CALL.test(l.text)) return l.newLine ?? f.line;
    if (i > at.index && /^\S/.test(l.text)) break; // the next definition: another function
  }
  return f.line;
}

function rank(f: Finding): number {
  return SEVERITIES.indexOf(f.severity);
}

/** The notes of a patch in line order of their headlines (checkpatch prints in line order). */
export function notesOf(patch: PatchModel, findings: readonly Finding[] = patch.findings): Note[] {
  const groups = new Map<string, Finding[]>();
  for (const f of byPosition(findings)) {
    const key = causeKey(patch, f);
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const notes = [...groups].map(([key, members]): Note => {
    const lead = pickLead(patch, members);
    return { key, lead, points: [lead, ...members.filter((m) => m !== lead)], severity: lead.severity };
  });
  return notes.sort((a, b) => (a.lead.file < b.lead.file ? -1 : a.lead.file > b.lead.file ? 1 : 0) || a.lead.line - b.lead.line);
}

function pickLead(patch: PatchModel, members: Finding[]): Finding {
  let lead = members[0];
  for (const m of members) {
    const better = rank(m) < rank(lead) || (rank(m) === rank(lead) && onRestore(patch, m) && !onRestore(patch, lead));
    if (better) lead = m;
  }
  return lead;
}

function onRestore(patch: PatchModel, f: Finding): boolean {
  const at = f.outsideDiff ? undefined : hunkIndex(patch).at(f.file, f.line);
  return !!at && RESTORE_CALL.test(at.line.text);
}

/** The sub-points of a note: every finding but the lead. */
export function subPoints(n: Note): Finding[] {
  return n.points.slice(1);
}

/** The note's witness: the lead's trace, else the first sub-point that has one. */
export function noteTrace(n: Note): Finding['trace'] {
  return n.points.find((p) => p.trace?.length)?.trace;
}

/** The premises of a note (from all its findings, each once). */
export function noteConditions(n: Note): string[] {
  return [...new Set(n.points.flatMap((p) => p.conditions ?? []))];
}

/** Conditions as one sentence: "If TPH is enabled by code the patch does not show, and ...". */
export function conditionsSentence(conditions: readonly string[]): string | undefined {
  const parts = conditions.map((c) => c.trim().replace(/[.]+$/, '').replace(/^if\s+/i, '')).filter(Boolean);
  if (parts.length === 0) return undefined;
  const lower = (s: string) => (/^[A-Z][a-z]/.test(s) ? s[0].toLowerCase() + s.slice(1) : s);
  const joined = parts.map(lower);
  const body = joined.length === 1 ? joined[0] : `${joined.slice(0, -1).join(', ')} and ${joined.at(-1)}`;
  return `If ${body}.`;
}

/** Trace steps as numbered one-liners: "1. open: vfio_pci_core_enable() vfio_pci_core.c:541: takes the snapshot". */
export function traceLines(trace: Finding['trace'], files = true): string[] {
  return (trace ?? []).map((t, i) => {
    const where = t.file && (files || t.line) ? ` ${shortPath(t.file)}${t.line ? `:${t.line}` : ''}` : '';
    const fn = t.function ? ` ${t.function.replace(/\(\)$/, '')}()` : '';
    return `${i + 1}. ${t.event}:${fn}${where}: ${t.effect}`;
  });
}

/** The file name without its directories, for compact traces (the full path is in JSON/SARIF). */
function shortPath(path: string): string {
  return path.split('/').pop() ?? path;
}
