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
import type { Finding, PatchModel, Severity, TraceStep } from '../model.js';
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

/** The premises of a note's headline (a sub-point's own premise goes with the sub-point: subPremise). */
export function noteConditions(n: Note): string[] {
  return [...new Set(n.lead.conditions ?? [])];
}

/** A sub-point's premise, short, for its line: "if TPH gets enabled while the device is open". */
export function subPremise(f: Finding): string | undefined {
  const sentence = conditionsSentence(f.conditions ?? []);
  return sentence ? sentence.replace(/[;(].*$/, '').replace(/\.$/, '').replace(/^If /, 'if ').trim() : undefined;
}

/**
 * Conditions as one sentence: "If TPH gets enabled while the device is open (nothing in this
 * patch enables it)." A premise written as "This assumes X: why" reads as "If X; why".
 */
export function conditionsSentence(conditions: readonly string[]): string | undefined {
  const parts = conditions
    .map((c) => c.trim().replace(/[.]+$/, '').replace(/^(this|the note) assumes (that )?/i, '').replace(/^if\s+/i, ''))
    .map((c) => c.replace(/^([^:]+): (.+)$/, '$1; $2'))
    .filter(Boolean);
  if (parts.length === 0) return undefined;
  const lower = (s: string) => (/^[A-Z][a-z]/.test(s) ? s[0].toLowerCase() + s.slice(1) : s);
  const joined = parts.map(lower);
  const body = joined.length === 1 ? joined[0] : `${joined.slice(0, -1).join(', ')} and ${joined.at(-1)}`;
  return `If ${body}.`;
}

/** A step that only says who calls whom ("calls pci_save_state()", "x() runs"): the next step shows what it does. */
function isCallEdge(t: TraceStep): boolean {
  return /^(\S+\(\) )?calls\b/.test(t.effect) || /\bruns$/.test(t.effect);
}

export interface TraceLine {
  /** The event the following steps belong to, when it changes: "user: VFIO_DEVICE_RESET". */
  event?: string;
  /** "5. vfio_basic_config_write() vfio_pci_config.c: Command Memory off", or a "[...]" line. */
  text: string;
}

/**
 * The witness, compact: call edges dropped (what the callee does is the next step), steps
 * grouped under their event. With `max`, each earlier event keeps its last step (what that
 * event left behind: a save, Memory cleared, TPH enabled) and the last event keeps its last
 * steps (the restore the note is about); a "[...]" marks what was left out. Numbers are the
 * steps' own, so the full trace (JSON, SARIF, --verbose) lines up.
 */
export function traceLines(trace: Finding['trace'], opts: { files?: boolean; max?: number } = {}): TraceLine[] {
  const steps = (trace ?? []).map((t, i) => ({ t, n: i + 1 }));
  const visible = opts.max === undefined ? steps : steps.filter((x) => !isCallEdge(x.t));
  const shown = opts.max === undefined ? visible : pickSteps(visible, opts.max);
  const out: TraceLine[] = [];
  let event: string | undefined;
  let previous = -1;
  for (const x of shown) {
    const { t, n } = x;
    const at = visible.indexOf(x);
    if (previous >= 0 && at - previous > 1) out.push({ text: '[...]' });
    previous = at;
    const where = t.file && (opts.files !== false || t.line) ? ` ${shortPath(t.file)}${t.line ? `:${t.line}` : ''}` : '';
    const fn = t.function ? ` ${t.function.replace(/\(\)$/, '')}()` : '';
    const line: TraceLine = { text: `${n}.${fn}${where}: ${t.effect}` };
    if (t.event !== event) line.event = event = t.event;
    out.push(line);
  }
  return out;
}

type Numbered = { t: TraceStep; n: number };

/** At most `max` steps: the last of each earlier event, then the tail of the last event. */
function pickSteps(steps: Numbered[], max: number): Numbered[] {
  if (steps.length <= max) return steps;
  const groups: Numbered[][] = [];
  for (const x of steps) {
    const g = groups[groups.length - 1];
    if (g && g[0].t.event === x.t.event) g.push(x);
    else groups.push([x]);
  }
  const last = groups.pop()!;
  // Too many events: keep the first and the latest ones, each by its last step.
  const earlier = groups.map((g) => g[g.length - 1]);
  const room = Math.max(1, max - Math.min(earlier.length, max - 1));
  const head = earlier.length > max - room ? [earlier[0], ...earlier.slice(earlier.length - (max - room - 1))].slice(0, max - room) : earlier;
  return [...head, ...last.slice(-room)];
}

/** How many steps a compact trace left out (for "N steps; -v shows all"). */
export function traceLength(trace: Finding['trace']): number {
  return trace?.length ?? 0;
}

/** The file name without its directories, for compact traces (the full path is in JSON/SARIF). */
function shortPath(path: string): string {
  return path.split('/').pop() ?? path;
}

/** A compact trace as plain text lines: event headers, then the steps indented under them. */
export function traceText(lines: TraceLine[], width: number, wrap: (text: string, width: number, indent: string) => string): string[] {
  const out: string[] = [];
  for (const l of lines) {
    if (l.event) out.push(wrap(`${l.event}:`, width, '  '));
    out.push(wrap(l.text, width, '    '));
  }
  return out;
}
