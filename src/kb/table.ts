/**
 * The ordered restore-step table of a line, as in Alex Williamson's mail: step, source,
 * snapshot-dependent. A pure function; reporters call it with `mark` to flag the steps a note
 * is about. Text fits 72 columns (email); markdown is a GitHub table.
 */
import { UserError } from '../errors.js';
import type { KnowledgeBase, RestoreStep } from './types.js';

export interface TableOptions {
  format: 'text' | 'markdown';
  /** Step ids to flag ('*' in text, bold in markdown). */
  mark?: string[];
  /** A tree's own top-level step ids in call order (TargetInfo.steps); the line's by default. */
  steps?: string[];
  /** Only the marked rows (reports show the steps their notes are about; `kb table` all). */
  only?: boolean;
}

interface Row {
  step: RestoreStep;
  nested: boolean;
  marked: boolean;
}

export function renderStepTable(kb: KnowledgeBase, lineId: string, opts: TableOptions): string {
  const line = kb.line(lineId);
  if (!line) throw new UserError(`unknown kernel line '${lineId}' (known: ${kb.lines.map((l) => l.id).join(', ')})`);
  const mark = new Set(opts.mark ?? []);
  const order = opts.steps?.filter((id) => kb.steps.has(id)) ?? line.restore;
  const all: Row[] = order.flatMap((id) => [
    { step: kb.steps.get(id)!, nested: false, marked: mark.has(id) },
    ...(line.nested?.[id] ?? []).map((n) => ({ step: kb.steps.get(n)!, nested: true, marked: mark.has(n) })),
  ]);
  const rows = opts.only ? all.filter((r) => r.marked).map((r) => ({ ...r, marked: false })) : all;
  return opts.format === 'markdown' ? markdown(rows, line.stateSavedGate) : text(rows, !opts.only && mark.size > 0);
}

/** "yes", "yes (gated on live tph_enabled)", "no", "n/a". */
export function snapshotDependent(step: RestoreStep, short = false): string {
  if (step.source === 'clears-hw') return 'n/a';
  if (step.source === 'live') return 'no';
  if (!step.liveGate) return 'yes';
  return short ? 'yes, gated' : `yes (gated on live ${step.liveGate})`;
}

/** The live flag a step tests; the column says "Live gate", so the word stays out of the cell. */
function gateText(step: RestoreStep): string {
  return step.liveGate ?? '';
}

function text(rows: Row[], marking: boolean): string {
  const head = ['Step (function)', 'Source', 'Live gate', 'Snapshot?'];
  const body = rows.map((r) => [
    `${r.nested ? '  ' : ''}${r.step.function}`,
    r.step.source,
    gateText(r.step),
    snapshotDependent(r.step, true),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const fmt = (cells: string[], flag: string) =>
    `${marking ? `${flag} ` : ''}${cells.map((c, i) => c.padEnd(widths[i])).join('  ')}`.trimEnd();
  const out = [fmt(head, ' '), fmt(widths.map((w) => '-'.repeat(w)), ' ')];
  rows.forEach((r, i) => out.push(fmt(body[i], r.marked ? '*' : ' ')));
  if (marking) out.push('', '* = a step the notes above are about');
  return out.join('\n') + '\n';
}

/** Snapshot vs live at a glance where a picture cannot go (GitHub strips SVG from comments). */
const SOURCE_ICON: Record<RestoreStep['source'], string> = { snapshot: '🟧', live: '🟩', 'clears-hw': '⬜' };

function markdown(rows: Row[], gate: boolean): string {
  const out = [
    '| # | Step | Function | Source | Gate | Snapshot-dependent? |',
    '|---|---|---|---|---|---|',
  ];
  let n = 0;
  for (const r of rows) {
    const num = r.nested ? '' : String(++n);
    const cells = [
      num,
      `${r.nested ? '↳ ' : ''}\`${r.step.id}\``,
      `\`${r.step.function}()\``,
      `${SOURCE_ICON[r.step.source]} ${r.step.source}`,
      (r.step.gate ?? '').replace(/\|/g, '\\|'),
      snapshotDependent(r.step),
    ];
    if (r.marked) cells.splice(1, 5, ...cells.slice(1, 6).map((c) => (c ? `**${c}**` : c)));
    out.push(`| ${cells.join(' | ')} |`);
  }
  out.push('', '🟧 values from the saved snapshot · 🟩 rewritten from live state · ⬜ clears hardware status');
  if (gate) out.push('', '_pci_restore_state() returns early when `!dev->state_saved` in this line (until a2f1e22390ac)._');
  return out.join('\n') + '\n';
}
