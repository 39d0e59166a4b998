/**
 * What the restore-step walk (steps.ts) reads of a C body: its calls and returns in source
 * order, each with the branch conditions it runs under (`if (cond)`, `else`, loops). A light
 * reader like sites.ts, not a C parser: it only has to see calls, returns and the conditions
 * around them, and which calls sit inside a condition.
 */
import { lineLookup, splitArgs } from './sites.js';

export interface Op {
  kind: 'call' | 'return';
  line: number;
  /** A call: the callee and its argument texts. */
  callee?: string;
  args?: string[];
  /** A return: the returned expression ('' for `return;`). */
  value?: string;
  /** Conditions it runs under, outermost first (`!pdev->state_saved`, `else of x`, `loop`). */
  gates: string[];
  /** A call inside an `if (...)` condition (a test, not a step). */
  inCondition: boolean;
}

const KEYWORDS = new Set(['if', 'for', 'while', 'switch', 'return', 'sizeof', 'do', 'else', 'case', 'typeof', '__typeof__', 'defined']);

function blankComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (m) => m.replace(/[^\n]/g, ' '));
}

/** The index of the bracket closing the one at `open`, or the end of the text. */
function matching(text: string, open: number): number {
  const [o, c] = text[open] === '{' ? ['{', '}'] : ['(', ')'];
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === o) depth++;
    else if (text[i] === c && --depth === 0) return i;
  }
  return text.length;
}

/** End of the statement at `from`: a `{...}` block or up to the next `;`. */
function statementEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length && /\s/.test(text[i])) i++;
  if (text[i] === '{') return matching(text, i) + 1;
  const semi = text.indexOf(';', i);
  return semi < 0 ? text.length : semi + 1;
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

interface Range {
  from: number;
  to: number;
  gate: string;
}

/** The ranges each `if`/`else`/loop governs, and the spans of `if` conditions. */
function gateRanges(text: string): { ranges: Range[]; conditions: [number, number][] } {
  const ranges: Range[] = [];
  const conditions: [number, number][] = [];
  for (const m of text.matchAll(/\b(if|for|while|switch)\s*\(/g)) {
    const open = (m.index ?? 0) + m[0].length - 1;
    const close = matching(text, open);
    const cond = squash(text.slice(open + 1, close));
    if (m[1] === 'if') conditions.push([open, close]);
    const end = statementEnd(text, close + 1);
    ranges.push({ from: close + 1, to: end, gate: m[1] === 'if' ? cond : m[1] === 'switch' ? `switch (${cond})` : 'loop' });
    if (m[1] !== 'if') continue;
    const rest = /^\s*else\b/.exec(text.slice(end));
    if (rest) {
      const from = end + rest[0].length;
      ranges.push({ from, to: statementEnd(text, from), gate: `not (${cond})` });
    }
  }
  return { ranges, conditions };
}

/** The calls and returns of a body given as numbered lines; `self` is its own name. */
export function opsOf(lines: { line: number; text: string }[], self?: string): Op[] {
  const text = blankComments(lines.map((l) => l.text).join('\n'));
  const lineAt = lineLookup(lines);
  const { ranges, conditions } = gateRanges(text);
  const gatesAt = (pos: number) => ranges.filter((r) => pos >= r.from && pos < r.to).map((r) => r.gate);
  const ops: (Op & { pos: number })[] = [];
  const base = (pos: number) => ({ pos, line: lineAt(pos), gates: gatesAt(pos), inCondition: conditions.some(([a, b]) => pos > a && pos < b) });
  for (const m of text.matchAll(/\breturn\b([^;]*);/g)) ops.push({ kind: 'return', value: squash(m[1]), ...base(m.index ?? 0) });
  for (const m of text.matchAll(/\b([A-Za-z_]\w*)\s*\(/g)) {
    const callee = m[1];
    if (KEYWORDS.has(callee) || callee === self) continue;
    const open = (m.index ?? 0) + m[0].length - 1;
    ops.push({ kind: 'call', callee, args: splitArgs(text.slice(open + 1, matching(text, open))), ...base(m.index ?? 0) });
  }
  ops.sort((a, b) => a.pos - b.pos);
  return ops.map(({ pos: _pos, ...op }) => op);
}
