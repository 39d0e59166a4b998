/**
 * Attribution: which C functions the changed lines of a file fall in, and what changed there.
 *
 * The unit is a Side: one parsed text of one side of a file (a hunk's pre- or post-fragment,
 * or with --tree the whole pre- or post-file), with every line number already translated to
 * the patch's own numbering, so fragment and tree analysis feed the same code.
 */
import type { FileChange, FunctionChange, Hunk } from '../model.js';
import { analyzeC } from './cparse.js';
import type { CFacts, CFunction } from './cparse.js';

export interface Side {
  file: string;
  /** Post-image side ('+' lines) or pre-image side ('-' lines). */
  post: boolean;
  /** Parse of the text, line numbers in the patch's numbering of this side. */
  facts: CFacts;
  /** Lines of this side the patch adds ('+', post) or removes ('-', pre). */
  changed: Set<number>;
  /** Text of the lines seen, by line. */
  text: Map<number, string>;
  /** Fragment only: the function git named in the hunk header, and the lines still inside it. */
  section?: { name: string; from: number; to: number };
  /** Fragment only: the hunk header's section text as git wrote it. */
  header?: string;
  /** True when the text is a whole file (--tree). */
  whole: boolean;
}

/** C sources we parse; other files (Makefile, Kconfig, docs) only get FileChanges. */
export function isCSource(path: string): boolean {
  return /\.[ch]$/.test(path);
}

/** Fragment analysis: two Sides per hunk, each parsed on its own. */
export async function fragmentSides(file: FileChange): Promise<Side[]> {
  const sides: Side[] = [];
  for (const hunk of file.hunks) {
    sides.push(await fragmentSide(file.path, hunk, true), await fragmentSide(file.oldPath ?? file.path, hunk, false));
  }
  return sides;
}

async function fragmentSide(file: string, hunk: Hunk, post: boolean): Promise<Side> {
  const rows = hunk.lines.filter((l) => l.kind === ' ' || l.kind === (post ? '+' : '-'));
  const lineOf = (row: number) => (post ? rows[row - 1]?.newLine : rows[row - 1]?.oldLine);
  const facts = remap(await analyzeC(rows.map((r) => r.text).join('\n') + '\n'), lineOf);
  // Mid-function fragments parse as junk at top level: trust only definitions starting at column 0.
  facts.functions = facts.functions.filter((f) => /^\S/.test(rows[rowOf(rows, f.startLine, post)]?.text ?? ''));
  const text = new Map(rows.map((r) => [(post ? r.newLine : r.oldLine) as number, r.text]));
  const changed = new Set(rows.filter((r) => r.kind !== ' ').map((r) => (post ? r.newLine : r.oldLine) as number));
  return { file, post, facts, changed, text, section: sectionRegion(hunk.section, rows, facts, post), header: hunk.section, whole: false };
}

function rowOf(rows: Hunk['lines'], line: number, post: boolean): number {
  return rows.findIndex((r) => (post ? r.newLine : r.oldLine) === line);
}

/** Translate every line number of `facts` with `lineOf`; facts on unmapped lines are dropped. */
export function remap(facts: CFacts, lineOf: (line: number) => number | undefined): CFacts {
  const at = <T extends { line: number }>(xs: T[]) =>
    xs.flatMap((x) => {
      const line = lineOf(x.line);
      return line === undefined ? [] : [{ ...x, line }];
    });
  const functions = facts.functions.flatMap((f) => {
    const startLine = lineOf(f.startLine);
    const endLine = lineOf(f.endLine);
    if (startLine === undefined || endLine === undefined) return [];
    return [{ ...f, startLine, endLine, nameLine: lineOf(f.nameLine ?? f.startLine) ?? startLine }];
  });
  return { ...facts, functions, calls: at(facts.calls), identifiers: at(facts.identifiers), initializers: at(facts.initializers) };
}

/**
 * The function in git's hunk header (`@@ ... @@ static int foo(struct x *y)`), if the header
 * names one, and the leading lines of the fragment still inside it: up to the first `}` in
 * column 0 (kernel style closes a function there), or before any other column-0 code.
 */
function sectionRegion(section: string, rows: Hunk['lines'], facts: CFacts, post: boolean) {
  const name = sectionFunction(section) ?? exportedAfterClose(rows);
  if (!name || rows.length === 0) return undefined;
  const lineOf = (r: Hunk['lines'][number]) => (post ? r.newLine : r.oldLine) as number;
  const firstDef = Math.min(...facts.functions.map((f) => f.startLine), Infinity);
  let to = lineOf(rows[0]) - 1;
  for (const r of rows) {
    const line = lineOf(r);
    if (line >= firstDef) break;
    if (r.text.startsWith('}')) {
      to = line;
      break;
    }
    if (/^[A-Za-z_]/.test(r.text) && !/^\w+:/.test(r.text)) break; // new top-level code; labels stay
    to = line;
  }
  return to >= lineOf(rows[0]) ? { name, from: lineOf(rows[0]), to } : undefined;
}

/**
 * Kernel style exports a function right after its closing brace: a fragment whose first
 * column-0 `}` is followed by `EXPORT_SYMBOL_GPL(foo);` was inside foo, whatever the header
 * says (git names a label like `out:` when one sits above the hunk).
 */
function exportedAfterClose(rows: Hunk['lines']): string | undefined {
  const close = rows.findIndex((r) => r.text.startsWith('}'));
  if (close < 0) return undefined;
  const next = rows.slice(close + 1).find((r) => r.text.trim());
  return /^EXPORT_SYMBOL(?:_GPL)?(?:_FOR_MODULES|_NS|_NS_GPL)?\((\w+)/.exec(next?.text ?? '')?.[1];
}

/** The function name in a hunk-header section that is a definition's first line, else undefined. */
export function sectionFunction(section: string): string | undefined {
  if (!section || /[;=]/.test(section.split('(')[0]) || /;\s*$/.test(section)) return undefined;
  const m = /^[A-Za-z_][\w\s*]*?[\s*]([A-Za-z_]\w*)\s*\(/.exec(section);
  return m?.[1];
}

/** What one function accumulates over the Sides that touch it. */
interface Acc {
  file: string;
  name: string;
  post?: { fn?: CFunction; complete: boolean; sigChanged: boolean };
  pre?: { fn?: CFunction; sigChanged: boolean };
  added: Set<number>;
  addedCalls: string[];
  removedCalls: string[];
  addedIds: string[];
  removedIds: string[];
  calls: string[];
  body: string[];
  annotations?: string[];
}

/** Function changes of all sides, in order of first appearance. */
export function attribute(sides: Side[]): FunctionChange[] {
  const accs = new Map<string, Acc>();
  const get = (file: string, name: string): Acc => {
    const key = `${file}\0${name}`;
    let a = accs.get(key);
    if (!a) {
      a = { file, name, added: new Set(), addedCalls: [], removedCalls: [], addedIds: [], removedIds: [], calls: [], body: [] };
      accs.set(key, a);
    }
    return a;
  };
  for (const side of sides) attributeSide(side, get);
  return [...accs.values()].map((acc) => {
    const change = changeOf(acc);
    if (change === 'modified') fillUnseenSide(acc, sides);
    return toFunctionChange(acc, change);
  });
}

/**
 * A modified function only one side touched (lines only added, or only removed): find it by
 * name on the other side, so both `oldLine` and `newLine` (and with --tree the whole post
 * body) are known.
 */
function fillUnseenSide(acc: Acc, sides: Side[]): void {
  const find = (post: boolean) =>
    sides
      .filter((s) => s.post === post && s.file === acc.file)
      .flatMap((s) => s.facts.functions.filter((f) => f.name === acc.name).map((fn) => ({ s, fn })))
      .sort((a, b) => Number(b.s.whole) - Number(a.s.whole))[0];
  if (!acc.pre) {
    const hit = find(false);
    if (hit) acc.pre = { fn: hit.fn, sigChanged: false };
  }
  if (!acc.post) {
    const hit = find(true);
    if (hit) enter(acc, hit.s, hit.fn);
  }
}

function attributeSide(side: Side, get: (file: string, name: string) => Acc): void {
  const seen = new Set<Acc>();
  const inSection = (line: number) => !!side.section && line >= side.section.from && line <= side.section.to;
  // Blank lines alone (between two functions, say) do not make the header's function modified.
  const sectionHasCode = [...side.changed].some((l) => inSection(l) && side.text.get(l)?.trim());
  for (const line of [...side.changed].sort((a, b) => a - b)) {
    const fn = side.facts.functions.find((f) => f.startLine <= line && line <= f.endLine);
    if (!fn && !(inSection(line) && sectionHasCode)) continue;
    const acc = get(side.file, fn ? fn.name : side.section!.name);
    if (!seen.has(acc)) {
      seen.add(acc);
      enter(acc, side, fn);
    }
    record(acc, side, line);
  }
}

/** First time a side touches a function: what the side shows of it. */
function enter(acc: Acc, side: Side, fn: CFunction | undefined): void {
  const from = fn ? fn.startLine : side.section!.from;
  const to = fn ? fn.endLine : side.section!.to;
  const sigChanged = !!fn && side.changed.has(fn.nameLine ?? fn.startLine);
  if (side.post) {
    const complete = !!fn && fn.closed !== false && (side.whole || side.text.has(fn.startLine));
    if (!acc.post || (complete && !acc.post.complete)) acc.post = { fn, complete, sigChanged };
    const calls = fn ? fn.calls : side.facts.calls.filter((c) => c.line >= from && c.line <= to).map((c) => c.name);
    pushUnique(acc.calls, calls);
    acc.body.push(fn ? fn.text : linesText(side, from, to));
    acc.annotations ??= fn?.annotations;
  } else {
    acc.pre ??= { fn, sigChanged };
    acc.annotations ??= fn?.annotations;
  }
}

function record(acc: Acc, side: Side, line: number): void {
  const calls = side.facts.calls.filter((c) => c.line === line).map((c) => c.name);
  const ids = side.facts.identifiers.filter((c) => c.line === line).map((c) => c.name);
  if (side.post) {
    acc.added.add(line);
    pushUnique(acc.addedCalls, calls);
    pushUnique(acc.addedIds, ids);
  } else {
    pushUnique(acc.removedCalls, calls);
    pushUnique(acc.removedIds, ids);
  }
}

function linesText(side: Side, from: number, to: number): string {
  const out: string[] = [];
  for (let l = from; l <= to; l++) if (side.text.has(l)) out.push(side.text.get(l)!);
  return out.join('\n');
}

export function pushUnique(to: string[], xs: string[]): void {
  for (const x of xs) if (!to.includes(x)) to.push(x);
}

function changeOf(acc: Acc): FunctionChange['change'] {
  if (acc.post && !acc.pre) return acc.post.sigChanged && acc.post.fn ? 'added' : 'modified';
  if (acc.pre && !acc.post) return acc.pre.sigChanged && acc.pre.fn ? 'removed' : 'modified';
  return 'modified';
}

function toFunctionChange(acc: Acc, change: FunctionChange['change']): FunctionChange {
  const post = acc.post?.fn;
  const pre = acc.pre?.fn;
  const fc: FunctionChange = {
    file: acc.file,
    name: acc.name,
    change,
    addedCalls: acc.addedCalls,
    removedCalls: acc.removedCalls,
    calls: change === 'removed' ? [] : acc.calls,
    assignedTo: [],
    addedIdentifiers: acc.addedIds,
    removedIdentifiers: acc.removedIds,
    addedLines: [...acc.added].sort((a, b) => a - b),
    complete: change !== 'removed' && !!acc.post?.complete,
  };
  if (post && change !== 'removed') fc.newLine = post.startLine;
  if (post && post.closed !== false && change !== 'removed') fc.newEndLine = post.endLine;
  if (pre && change !== 'added') fc.oldLine = pre.startLine;
  if (pre && pre.closed !== false && change !== 'added') fc.oldEndLine = pre.endLine;
  if (change !== 'removed' && acc.body.length) fc.body = acc.post?.complete && post ? post.text : acc.body.join('\n…\n');
  if (acc.annotations?.length) fc.annotations = acc.annotations;
  return fc;
}
