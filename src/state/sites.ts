/**
 * The calls of a C function body in source order, with their argument texts, the expression a
 * result is assigned to, and `if (!snapshot) return;` guards: what the interpreter walks.
 * A light reader, not a C parser: it only has to see calls and those guards in order.
 */

export interface CallSite {
  kind: 'call';
  callee: string;
  args: string[];
  /** `x = callee(...)`: the expression assigned. */
  lhs?: string;
  line: number;
}

/** `if (!expr) return;`: the rest of the function runs only when expr is not NULL. */
export interface GuardSite {
  kind: 'guard';
  expr: string;
  line: number;
}

export type Site = CallSite | GuardSite;

const KEYWORDS = new Set(['if', 'for', 'while', 'switch', 'return', 'sizeof', 'do', 'else', 'case', 'typeof', '__typeof__', 'defined']);

/** Comments blanked out, newlines kept (so offsets still map to lines). */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (m) => m.replace(/[^\n]/g, ' '));
}

function closeParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return text.length;
}

export function splitArgs(inner: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of inner) {
    if (c === '(' || c === '[' || c === '{') depth++;
    if (c === ')' || c === ']' || c === '}') depth--;
    if (c === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** Maps an offset in the lines joined with '\n' back to its line number (binary search). */
export function lineLookup(lines: { line: number; text: string }[]): (pos: number) => number {
  const starts: number[] = [];
  let off = 0;
  for (const l of lines) {
    starts.push(off);
    off += l.text.length + 1;
  }
  return (pos) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lines[lo]?.line ?? 0;
  };
}

/**
 * Sites of a body given as numbered lines (a whole function, or the diff lines of a fragment).
 * `self` is the function's own name: its definition header is not a call.
 */
export function sitesOf(lines: { line: number; text: string }[], self?: string): Site[] {
  const text = stripComments(lines.map((l) => l.text).join('\n'));
  const lineAt = lineLookup(lines);
  const skip = skippedRanges(text);
  const skipped = (pos: number) => skip.some(([a, b]) => pos >= a && pos < b);
  const sites: Site[] = [];
  const re = /\bif\s*\(\s*!\s*([A-Za-z_][\w>.\-[\]]*)\s*\)\s*return\b|\b([A-Za-z_]\w*)\s*\(/g;
  for (const m of text.matchAll(re)) {
    const pos = m.index ?? 0;
    if (skipped(pos)) continue;
    if (m[1]) {
      sites.push({ kind: 'guard', expr: m[1].replace(/\s+/g, ''), line: lineAt(pos) });
      continue;
    }
    const callee = m[2];
    if (KEYWORDS.has(callee) || callee === self) continue;
    const open = pos + m[0].length - 1;
    const args = splitArgs(text.slice(open + 1, closeParen(text, open)));
    const before = text.slice(Math.max(0, pos - 200), pos);
    const stmt = before.slice(Math.max(before.lastIndexOf(';'), before.lastIndexOf('{'), before.lastIndexOf('}')) + 1);
    const lhs = /([A-Za-z_][\w>.\-[\]]*)\s*=\s*$/.exec(stmt)?.[1];
    sites.push({ kind: 'call', callee, args, ...(lhs && !/[=!<>]$/.test(stmt.trim().slice(0, -1)) ? { lhs } : {}), line: lineAt(pos) });
  }
  return sites;
}

/** The snapshot a pointer argument names: `&vdev->pm_save` -> `vdev->pm_save`. */
export function snapshotName(arg: string | undefined): string | undefined {
  if (!arg) return undefined;
  const s = arg.replace(/\s+/g, '').replace(/^\(.*?\)/, '').replace(/^&/, '');
  return s === 'NULL' || s === '0' ? undefined : s;
}

/** Calls whose non-zero result means success (locks taken, features present). */
const BOOL_CALL = /trylock|_supported|_enabled|^is_|^has_|_is_|_has_|^pci_find_|_capable/;

/**
 * The failure branches of a body, skipped by the interpreter, which follows the path where
 * every call succeeds: the statement after `if (call(...))` or `if (ret)`/`if (ret < 0)`/`if (IS_ERR(...))`
 * (an int-returning call's error), after `if (!trylock(...))`; and everything after the body's
 * top-level `return` (the error labels). The condition's own calls still run.
 */
function skippedRanges(text: string): [number, number][] {
  const out: [number, number][] = [];
  for (const m of text.matchAll(/\bif\s*\(/g)) {
    const open = (m.index ?? 0) + m[0].length - 1;
    const close = closeParen(text, open);
    const cond = text.slice(open + 1, close).replace(/\s+/g, ' ').trim();
    if (!isFailure(cond)) continue;
    out.push([close + 1, statementEnd(text, close + 1)]);
  }
  // after a `return` at the top level of the function body: error paths behind labels
  let depth = 0;
  let bodyStarted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{') {
      depth++;
      bodyStarted = true;
    } else if (c === '}') depth--;
    else if (bodyStarted && depth === 1 && /\breturn\b/y.test(text.slice(i, i + 6)) && !/\w/.test(text[i - 1] ?? '')) {
      const end = text.indexOf(';', i);
      if (end > 0 && /\n\s*[A-Za-z_]\w*:/.test(text.slice(end))) out.push([end + 1, text.length]);
      break;
    }
  }
  return out;
}

function isFailure(cond: string): boolean {
  if (/^!?\s*\(?\s*(ret|rc|err|error|r)\s*(<\s*0|!=\s*\w+|)\s*\)?$/.test(cond)) return !cond.startsWith('!');
  if (/^IS_ERR(_OR_NULL)?\s*\(/.test(cond)) return true;
  const call = /^(!)?\s*([A-Za-z_]\w*)\s*\(/.exec(cond);
  if (call && !/[&|]{2}/.test(cond)) return BOOL_CALL.test(call[2]) ? call[1] === '!' : call[1] !== '!';
  // `a && !trylock(...)`: a lock not taken
  return /&&\s*!\s*[A-Za-z_]\w*trylock\s*\(/.test(cond);
}

/** End of the statement starting at `from`: a `{...}` block or up to the next `;`. */
function statementEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length && /\s/.test(text[i])) i++;
  if (text[i] !== '{') {
    const semi = text.indexOf(';', i);
    return semi < 0 ? text.length : semi + 1;
  }
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    if (text[j] === '{') depth++;
    else if (text[j] === '}' && --depth === 0) return j + 1;
  }
  return text.length;
}
