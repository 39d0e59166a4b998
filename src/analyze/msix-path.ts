/**
 * The MSI-X restore path interpreted on its own: a change to a function the knowledge base
 * lists as an MSI-X MMIO writer (__pci_restore_msix_state() and its helpers) is read before and
 * after the patch, its PCI_COMMAND config writes and its MSI-X MMIO writes in order, on every
 * path through the conditions that guard them. An MMIO write that can run while Memory Space is
 * not on is a violation of `msix-memory-off` on that function's stack. Only what the patch
 * creates or changes is the patch's: when the pre-patch body has the same violations (same
 * writes, same paths, same origin of the Command value), the patch changed nothing about them.
 */
import type { TraceStep } from '../model.js';
import type { KnowledgeBase } from '../kb/types.js';
import { commandBits } from '../state/interp.js';
import { splitArgs } from '../state/sites.js';
import type { Subject } from './scope.js';

/** A literal of a path condition: `write_msg` true or false. */
interface Lit {
  atom: string;
  value: boolean;
  /** The line of the condition, when the patch shows it. */
  line?: number;
}

interface Call {
  kind: 'call';
  callee: string;
  args: string[];
  text: string;
  guards: Lit[];
  /** Post-image line; absent for code the knowledge base filled in. */
  line?: number;
}

type Item = Call | { kind: 'gap'; guards: Lit[] };

type Line = { line?: number; text: string } | 'gap';

export interface PathWitness {
  trace: TraceStep[];
  conditions: string[];
}

const KEYWORDS = new Set(['if', 'for', 'while', 'switch', 'return', 'sizeof', 'do', 'else', 'case', 'typeof', 'defined']);
const JUMP = /^(continue|break|return\b[^;]*|goto\s+\w+)\s*;$/;
const norm = (t: string) => t.replace(/\s+/g, '');

/** The function as the patch shows it before and after: context and removed / added lines, gaps where hunks skip. */
function sides(s: Subject): { pre: Line[]; post: Line[] } {
  const post: Line[] = [];
  const pre: Line[] = [];
  const added = new Set(s.added.map((a) => a.line));
  const removedAt = new Map<number, string[]>();
  for (const r of s.removed) removedAt.set(r.line, [...(removedAt.get(r.line) ?? []), r.text]);
  // the whole post-patch body when known (--tree, or a hunk that shows all of it), else the hunks
  const whole = s.fc?.complete === true && !!s.body && s.newLine !== undefined;
  const shown = whole ? s.body.split('\n').map((text, i) => ({ line: s.newLine! + i, text })) : s.diffLines;
  const first = shown[0];
  if (first && !/^\{|^\w.*\(/.test(first.text)) (post.push('gap'), pre.push('gap'));
  let prev: number | undefined;
  for (const l of shown) {
    if (prev !== undefined && l.line > prev + 1) (post.push('gap'), pre.push('gap'));
    prev = l.line;
    for (const text of removedAt.get(l.line) ?? []) pre.push({ text });
    removedAt.delete(l.line);
    post.push(l);
    if (!added.has(l.line)) pre.push({ text: l.text });
  }
  for (const texts of removedAt.values()) for (const text of texts) pre.push({ text });
  const last = shown[shown.length - 1];
  if (last && !/^\}/.test(last.text)) (post.push('gap'), pre.push('gap'));
  return { pre, post };
}

const indentOf = (t: string) => {
  let n = 0;
  for (const c of t) {
    if (c === '\t') n += 8;
    else if (c === ' ') n += 1;
    else break;
  }
  return Math.floor(n / 8);
};

/** `!x` -> x false; anything else is an atom of its own. */
function literal(cond: string, value = true): Lit {
  let c = norm(cond);
  while (/^\(.*\)$/.test(c) && balanced(c.slice(1, -1))) c = c.slice(1, -1);
  if (c.startsWith('!') && !c.startsWith('!=')) return literal(c.slice(1), !value);
  return { atom: c, value };
}

function balanced(t: string): boolean {
  let d = 0;
  for (const c of t) {
    if (c === '(') d++;
    else if (c === ')' && --d < 0) return false;
  }
  return d === 0;
}

/** `if (cond) rest`: the condition and what follows it, when the text starts with an if. */
function ifHead(t: string): { cond: string; rest: string } | undefined {
  const m = /^(?:\}\s*else\s+)?if\s*\(/.exec(t);
  if (!m) return undefined;
  let d = 0;
  for (let i = m[0].length - 1; i < t.length; i++) {
    if (t[i] === '(') d++;
    else if (t[i] === ')' && --d === 0) return { cond: t.slice(m[0].length, i), rest: t.slice(i + 1).trim() };
  }
  return undefined;
}

function callsOf(text: string, guards: Lit[], line: number | undefined): Call[] {
  const out: Call[] = [];
  for (const m of text.matchAll(/\b([A-Za-z_]\w*)\s*\(/g)) {
    if (KEYWORDS.has(m[1])) continue;
    const open = (m.index ?? 0) + m[0].length - 1;
    let d = 0;
    let close = text.length;
    for (let i = open; i < text.length; i++) {
      if (text[i] === '(') d++;
      else if (text[i] === ')' && --d === 0) {
        close = i;
        break;
      }
    }
    out.push({ kind: 'call', callee: m[1], args: splitArgs(text.slice(open + 1, close)), text: text.trim(), guards, ...(line ? { line } : {}) });
  }
  return out;
}

interface Nesting {
  indent: number;
  lits: Lit[];
  /** block: `if (c) {` up to its `}`; single: the next statement; rest: the rest of the enclosing block. */
  kind: 'block' | 'single' | 'rest';
}

const negate = (lits: Lit[]) => lits.map((l) => ({ ...l, value: !l.value }));

/**
 * Reads a function view statement by statement: the calls in order, each with the conditions
 * that guard it. Nesting comes from indentation (kernel style), so a gap that hides an opening
 * brace does not lose it.
 */
class BodyReader {
  readonly items: Item[] = [];
  private readonly stack: Nesting[] = [];
  private lastSingle: { indent: number; lits: Lit[] } | undefined;
  constructor(private readonly base: Lit[]) {}

  guards(): Lit[] {
    return [...this.base, ...this.stack.flatMap((s) => s.lits)];
  }

  gap(): void {
    this.items.push({ kind: 'gap', guards: this.guards() });
  }

  statement(text: string, line: number | undefined, indent: number): void {
    this.leave(text, indent);
    if (text.startsWith('}')) return this.close(text, indent);
    const head = ifHead(text);
    if (head) return this.conditional(head, line, indent);
    if (/^else\b/.test(text) && this.lastSingle?.indent === indent) return this.guarded(text.replace(/^else\s*/, ''), negate(this.lastSingle.lits), line, indent);
    const top = this.stack[this.stack.length - 1];
    if (top?.kind === 'single' && indent > top.indent) {
      // the statement of an `if (c)` without braces
      this.stack.pop();
      this.lastSingle = { indent: top.indent, lits: top.lits };
      if (JUMP.test(text)) this.stack.push({ indent: top.indent, lits: negate(top.lits), kind: 'rest' });
      else this.calls(text, [...this.guards(), ...top.lits], line);
      return;
    }
    // after an unconditional jump nothing else in its block runs
    if (JUMP.test(text) && indent > 1) this.stack.push({ indent, lits: [{ atom: 'false', value: true }], kind: 'rest' });
    else this.calls(text, this.guards(), line);
  }

  /** Leave the scopes this statement is outside of. */
  private leave(text: string, indent: number): void {
    while (this.stack.length) {
      const top = this.stack[this.stack.length - 1];
      const closing = top.kind === 'block' && text.startsWith('}') && indent === top.indent;
      if (top.kind === 'rest' ? indent < top.indent : indent <= top.indent && !closing) this.stack.pop();
      else break;
    }
  }

  /** `}` ends the block of an `if` at its indent; `} else {` / `} else if (d) {` opens the other branch. */
  private close(text: string, indent: number): void {
    const top = this.stack[this.stack.length - 1];
    if (top?.kind !== 'block' || top.indent !== indent) return;
    this.stack.pop();
    if (!/^\}\s*else\b/.test(text)) return;
    const head = ifHead(text);
    const other = negate(top.lits.slice(-1));
    this.stack.push({ indent, lits: head ? [...other, literal(head.cond)] : other, kind: 'block' });
  }

  private conditional(head: { cond: string; rest: string }, line: number | undefined, indent: number): void {
    this.calls(head.cond, this.guards(), line);
    const lit = { ...literal(head.cond), ...(line ? { line } : {}) };
    if (JUMP.test(head.rest)) this.stack.push({ indent, lits: negate([lit]), kind: 'rest' });
    else this.guarded(head.rest, [lit], line, indent);
  }

  /** What follows a condition: a block, the next statement, or a statement on the same line. */
  private guarded(rest: string, lits: Lit[], line: number | undefined, indent: number): void {
    if (rest === '{') this.stack.push({ indent, lits, kind: 'block' });
    else if (rest === '') this.stack.push({ indent, lits, kind: 'single' });
    else this.calls(rest, [...this.guards(), ...lits], line);
  }

  private calls(text: string, guards: Lit[], line: number | undefined): void {
    this.items.push(...callsOf(text, guards, line));
  }
}

/** The calls of a function view in order, with their guards, and the gaps where hunks skip. */
function parse(lines: Line[], baseGuards: Lit[] = []): Item[] {
  const reader = new BodyReader(baseGuards);
  let pending: { text: string; line?: number; indent: number } | undefined;
  for (const l of lines) {
    if (l === 'gap') {
      pending = undefined;
      reader.gap();
      continue;
    }
    const code = l.text.replace(/\/\*.*?\*\/|\/\/.*$/g, ' ');
    const t = code.trim();
    if (!t || t.startsWith('*') || t.startsWith('/*') || t.startsWith('#')) continue;
    pending = pending ? { ...pending, text: `${pending.text} ${t}` } : { text: t, line: l.line, indent: indentOf(code) };
    // a statement ends with `;`, `{` or `}`, or is a condition whose statement follows
    const done = /[;{}]$/.test(pending.text) || ifHead(pending.text)?.rest === '' || /^else$/.test(pending.text) || /^\w+:$/.test(pending.text);
    if (!done) continue;
    const p = pending;
    pending = undefined;
    if (!/^\w+:$/.test(p.text)) reader.statement(p.text, p.line, p.indent);
  }
  return reader.items;
}

/** Views of the function with the knowledge base's MMIO writes put into the gaps that can hide them. */
function filled(items: Item[], fact: { after: string; before: string; code: string } | undefined, isWriter: (c: string) => boolean): Item[][] {
  if (!fact || items.some((i) => i.kind === 'call' && isWriter(i.callee)) || !items.some((i) => i.kind === 'gap')) return [items];
  const at = (stmt: string) => items.findIndex((i) => i.kind === 'call' && norm(i.text) === norm(stmt));
  const from = at(fact.after);
  const to = at(fact.before);
  const out: Item[][] = [];
  items.forEach((it, i) => {
    if (it.kind !== 'gap' || (from >= 0 && i < from) || (to >= 0 && i > to)) return;
    const code = parse(fact.code.split('\n').map((text) => ({ text: `\t${text}` })), it.guards);
    out.push([...items.slice(0, i), ...code, ...items.slice(i + 1)]);
  });
  return out.length ? out : [items];
}

interface Outcome {
  key: string;
  write: Call;
  path: Lit[];
  /** Where the Memory bit in force at the write came from. */
  origin: string;
  steps: { call: Call; effect: string }[];
}

const holds = (guards: Lit[], v: Map<string, boolean>) => guards.every((g) => (g.atom === 'false' ? false : v.get(g.atom) === g.value));

/** Walk one view on one valuation of its conditions: the MMIO writes that run without Memory Space on. */
function walk(items: Item[], v: Map<string, boolean>, isWriter: (c: string) => boolean, entry: string): Outcome[] {
  let mem = { on: false, origin: entry };
  const reads = new Map<string, { on: boolean; origin: string }>();
  const steps: { call: Call; effect: string }[] = [];
  const out: Outcome[] = [];
  for (const it of items) {
    if (it.kind !== 'call' || !holds(it.guards, v)) continue;
    const reg = norm(it.args[1] ?? '');
    if (/^pci_read_config_(word|dword)$/.test(it.callee) && reg === 'PCI_COMMAND') {
      reads.set(norm(it.args[2] ?? '').replace(/^&/, ''), { ...mem });
      steps.push({ call: it, effect: `reads PCI_COMMAND into ${norm(it.args[2] ?? '').replace(/^&/, '')} (Memory ${mem.on ? 'on' : mem.origin})` });
      continue;
    }
    if (/^pci_write_config_(word|dword)$/.test(it.callee) && reg === 'PCI_COMMAND') {
      const value = norm(it.args[2] ?? '');
      const bit = commandBits(value).memory;
      const read = [...reads.keys()].find((k) => value === k || value.split('|').includes(k));
      if (bit === 'on') mem = { on: true, origin: 'on' };
      else if (bit === 'off') mem = { on: false, origin: 'off (written so)' };
      else if (read) mem = { ...reads.get(read)! };
      else mem = { on: false, origin: 'unknown' };
      steps.push({ call: it, effect: `PCI_COMMAND = ${value}: Memory ${mem.on ? 'on' : mem.origin}` });
      continue;
    }
    if (isWriter(it.callee) && !mem.on) {
      const guardOf = (a: string) => items.flatMap((i) => i.guards).find((g) => g.atom === a);
      const path = [...v.entries()].filter(([a]) => guardOf(a)).map(([atom, value]) => ({ atom, value, ...(guardOf(atom)?.line ? { line: guardOf(atom)!.line } : {}) }));
      out.push({ key: `${it.callee}|${mem.origin}|${path.map((p) => `${p.atom}=${p.value}`).join(',')}`, write: it, path, origin: mem.origin, steps: [...steps] });
    }
  }
  return out;
}

function outcomes(views: Item[][], isWriter: (c: string) => boolean, entry: string, atoms: string[]): Outcome[] {
  const out: Outcome[] = [];
  const n = Math.min(atoms.length, 6);
  for (const items of views)
    for (let mask = 0; mask < 1 << n; mask++) {
      const v = new Map(atoms.slice(0, n).map((a, i) => [a, (mask & (1 << i)) === 0]));
      for (const o of walk(items, v, isWriter, entry)) if (!out.some((x) => x.key === o.key)) out.push(o);
    }
  return out;
}

const atomsOf = (views: Item[][]) => [...new Set(views.flatMap((items) => items.flatMap((i) => i.guards.map((g) => g.atom)).filter((a) => a !== 'false')))];

/**
 * A witness of `msix-memory-off` inside a changed MSI-X writer that the patch creates or
 * changes, or nothing (no MMIO write can run with Memory Space off after the patch, or the
 * pre-patch body has exactly the same ones).
 */
export function msixPathWitness(kb: KnowledgeBase, s: Subject): PathWitness | undefined {
  const fn = kb.functions.get(s.name);
  if (!fn?.roles.includes('msix-mmio-writer') || s.change === 'removed') return undefined;
  const isWriter = (c: string) => c !== s.name && (kb.functions.get(c)?.roles.includes('msix-mmio-writer') ?? false);
  const { pre, post } = sides(s);
  const fact = fn.mmioWrites;
  const postViews = filled(parse(post), fact, isWriter);
  const preViews = s.change === 'added' ? [] : filled(parse(pre), fact, isWriter);
  const atoms = atomsOf([...postViews, ...preViews]);
  const restoreStep = fn.roles.includes('restore-step');
  const entry = restoreStep ? 'as the snapshot left it' : 'as the caller left it';
  const after = outcomes(postViews, isWriter, entry, atoms);
  if (!after.length) return undefined;
  const before = outcomes(preViews, isWriter, entry, atoms);
  const same = before.length === after.length && after.every((a) => before.some((b) => b.key === a.key));
  if (same) return undefined;
  const w = after[0];
  const event = restoreStep ? 'pci_restore_state()' : `${s.name}()`;
  const step = (effect: string, line?: number, fnName = s.name): TraceStep => ({ event, function: fnName, file: s.file, ...(line ? { line } : {}), effect });
  const trace: TraceStep[] = [];
  if (restoreStep) trace.push({ event, function: 'pci_restore_config_space', effect: 'Command written back from the snapshot: Memory as it was saved (off when the save ran with decoding off)' });
  else trace.push(step(`${s.name}() runs with Memory Space as its caller left it`));
  for (const p of w.path) trace.push(step(`takes the path where ${p.atom} is ${p.value ? 'true' : 'false'}`, p.line));
  for (const st of w.steps) trace.push(step(st.effect, st.call.line));
  const where = w.write.line ? '' : ' (in lines the patch does not show)';
  const memory = w.origin === 'unknown' ? 'not known to be on' : w.origin;
  trace.push(step(`${w.write.callee}() writes the MSI-X table through MMIO with Memory Space ${memory}${where}: without decoding the device answers with Unsupported Request`, w.write.line));
  const conditions: string[] = [];
  if (!w.write.line && fact) {
    const lit = (g: Lit) => (g.value ? g.atom : `!${g.atom}`);
    const writes = parse(fact.code.split('\n').map((text) => ({ text: `\t${text}` })))
      .filter((i): i is Call => i.kind === 'call' && isWriter(i.callee))
      .map((c) => `${c.callee}()${c.guards.length ? ` when ${c.guards.map(lit).join(' and ')}` : ''}`);
    const where = Object.entries(fact.lines).map(([l, n]) => `line ${n} of the ${l} tree`).join(', ');
    conditions.push(
      `This assumes the lines of ${s.name}() the patch does not show write the MSI-X table as the knowledge base's copy of the body does (${where}): for every entry ${writes.join(', then ')}.`,
    );
  }
  return { trace, conditions };
}
