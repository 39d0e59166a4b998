/**
 * The restore-step table as a picture (`kb table --format svg`): one row per step of
 * pci_restore_state() in call order, its source as a coloured cell (snapshot amber, live
 * green, clears-hw grey), the live gate beside it, and the steps the notes are about marked
 * with a bar and a pointer, so snapshot vs live and "which ones" read at a glance.
 * Pure: the same knowledge base and marks give the same bytes; all text is XML-escaped.
 */
import type { KnowledgeBase, RestoreStep } from '../kb/types.js';
import { UserError } from '../errors.js';

export interface SvgOptions {
  /** Step ids to mark (the steps the notes are about). */
  mark?: string[];
  /** A tree's own step ids in call order; the line's by default. */
  steps?: string[];
  /** The heading: "pci_restore_state() on 6.19+". */
  title?: string;
}

const ROW = 26;
const TOP = 64;
const COLS = { num: 16, step: 48, source: 330, gate: 440, note: 600 };
const WIDTH = 700;

const FILL: Record<RestoreStep['source'], string> = { snapshot: '#f6b73c', live: '#5cb85c', 'clears-hw': '#b0b0b0' };
const WORD: Record<RestoreStep['source'], string> = { snapshot: 'snapshot', live: 'live', 'clears-hw': 'clears hw' };

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

interface Row {
  step: RestoreStep;
  nested: boolean;
  marked: boolean;
  num?: number;
}

export function renderStepSvg(kb: KnowledgeBase, lineId: string, opts: SvgOptions = {}): string {
  const line = kb.line(lineId);
  if (!line) throw new UserError(`unknown kernel line '${lineId}' (known: ${kb.lines.map((l) => l.id).join(', ')})`);
  const mark = new Set(opts.mark ?? []);
  const order = opts.steps?.filter((id) => kb.steps.has(id)) ?? line.restore;
  let n = 0;
  const rows: Row[] = order.flatMap((id) => [
    { step: kb.steps.get(id)!, nested: false, marked: mark.has(id), num: ++n },
    ...(line.nested?.[id] ?? []).map((x) => ({ step: kb.steps.get(x)!, nested: true, marked: mark.has(x) })),
  ]);
  const height = TOP + rows.length * ROW + 56;
  const title = opts.title ?? `pci_restore_state() on ${line.id}`;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="13">`,
    `<title>${xml(title)}: restore steps, source and gate</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="${COLS.num}" y="26" font-size="16" font-weight="bold">${xml(title)}</text>`,
    header(),
    ...rows.map((r, i) => row(r, TOP + i * ROW)),
    legend(TOP + rows.length * ROW + 24, mark.size > 0),
    '</svg>',
  ];
  return out.join('\n') + '\n';
}

function header(): string {
  const y = TOP - 10;
  return [
    `<text x="${COLS.step}" y="${y}" fill="#555">step (in call order)</text>`,
    `<text x="${COLS.source}" y="${y}" fill="#555">source</text>`,
    `<text x="${COLS.gate}" y="${y}" fill="#555">live gate</text>`,
    `<line x1="${COLS.num}" y1="${TOP - 4}" x2="${WIDTH - 16}" y2="${TOP - 4}" stroke="#999"/>`,
  ].join('\n');
}

function row(r: Row, y: number): string {
  const parts: string[] = [];
  if (r.marked) parts.push(`<rect x="${COLS.num - 8}" y="${y}" width="${WIDTH - 2 * (COLS.num - 8)}" height="${ROW - 2}" fill="#fdecea" stroke="#d9534f"/>`);
  const base = y + ROW / 2 + 4;
  if (r.num !== undefined) parts.push(`<text x="${COLS.num}" y="${base}" fill="#777">${r.num}</text>`);
  const indent = r.nested ? 20 : 0;
  const name = `${r.nested ? '↳ ' : ''}${r.step.function}()`;
  parts.push(`<text x="${COLS.step + indent}" y="${base}"${r.marked ? ' font-weight="bold"' : ''}>${xml(name)}</text>`);
  parts.push(`<rect x="${COLS.source}" y="${y + 4}" width="92" height="${ROW - 10}" rx="4" fill="${FILL[r.step.source]}"/>`);
  parts.push(`<text x="${COLS.source + 46}" y="${base}" text-anchor="middle">${WORD[r.step.source]}</text>`);
  if (r.step.liveGate) parts.push(`<text x="${COLS.gate}" y="${base}" fill="#333">${xml(r.step.liveGate)}</text>`);
  if (r.marked) parts.push(`<text x="${COLS.note}" y="${base}" fill="#d9534f" font-weight="bold">◀ noted</text>`);
  return parts.join('\n');
}

function legend(y: number, marking: boolean): string {
  const items: string[] = [];
  let x = COLS.num;
  for (const src of ['snapshot', 'live', 'clears-hw'] as const) {
    items.push(`<rect x="${x}" y="${y - 12}" width="16" height="16" rx="3" fill="${FILL[src]}"/>`);
    const label = src === 'snapshot' ? 'values from the saved snapshot' : src === 'live' ? 'from live state' : 'clears hw status';
    items.push(`<text x="${x + 22}" y="${y + 1}">${label}</text>`);
    x += src === 'snapshot' ? 290 : src === 'live' ? 180 : 0;
  }
  if (marking) items.push(`<text x="${COLS.num}" y="${y + 22}" fill="#d9534f">◀ noted: a step the notes are about</text>`);
  return items.join('\n');
}
