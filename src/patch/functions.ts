/**
 * Attribution: which C functions the changed lines of a file fall in, and what changed there,
 * from the Sides (sides.ts) of all files.
 */
import type { FunctionChange } from '../model.js';
import type { CFunction } from './cparse.js';
import type { Side } from './sides.js';

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
  const at = { calls: byLine(side.facts.calls), ids: byLine(side.facts.identifiers) };
  const inSection = (line: number) => !!side.section && line >= side.section.from && line <= side.section.to;
  // Blank lines alone (between two functions, say) do not make the header's function modified.
  const sectionHasCode = [...side.changed].some((l) => inSection(l) && side.text.get(l)?.trim());
  const fnAt = functionFinder(side.facts.functions);
  for (const line of [...side.changed].sort((a, b) => a - b)) {
    const fn = fnAt(line);
    if (!fn && !(inSection(line) && sectionHasCode)) continue;
    const acc = get(side.file, fn ? fn.name : side.section!.name);
    if (!seen.has(acc)) {
      seen.add(acc);
      enter(acc, side, fn);
    }
    record(acc, side, line, at.calls.get(line) ?? [], at.ids.get(line) ?? []);
  }
}

/**
 * The function holding a line: the first in source order whose range holds it. Definitions are
 * outermost (none nests in another), so a binary search by start finds the candidates; a scan
 * per changed line was quadratic on a large diff of a large file.
 */
function functionFinder(fns: CFunction[]): (line: number) => CFunction | undefined {
  const sorted = fns.map((f, i) => ({ f, i })).sort((a, b) => a.f.startLine - b.f.startLine || a.i - b.i);
  return (line) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid].f.startLine <= line) lo = mid + 1;
      else hi = mid;
    }
    // Ranges mapped through a --tree gap may touch: of the few that start at or before the
    // line and hold it, the first in source order, as before.
    let best: { f: CFunction; i: number } | undefined;
    for (let k = lo - 1; k >= 0 && k >= lo - 4; k--) {
      const c = sorted[k];
      if (c.f.endLine >= line && (!best || c.i < best.i)) best = c;
    }
    return best?.f;
  };
}

/** Names by line: whole files have tens of thousands of tokens, looked up per changed line. */
function byLine(tokens: { name: string; line: number }[]): Map<number, string[]> {
  const m = new Map<number, string[]>();
  for (const t of tokens) {
    const list = m.get(t.line);
    if (list) list.push(t.name);
    else m.set(t.line, [t.name]);
  }
  return m;
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

function record(acc: Acc, side: Side, line: number, calls: string[], ids: string[]): void {
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
