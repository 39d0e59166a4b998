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

/**
 * Sites of a body given as numbered lines (a whole function, or the diff lines of a fragment).
 * `self` is the function's own name: its definition header is not a call.
 */
export function sitesOf(lines: { line: number; text: string }[], self?: string): Site[] {
  const text = stripComments(lines.map((l) => l.text).join('\n'));
  const starts: number[] = [];
  let off = 0;
  for (const l of lines) {
    starts.push(off);
    off += l.text.length + 1;
  }
  const lineAt = (pos: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lines[lo]?.line ?? 0;
  };
  const sites: Site[] = [];
  const re = /\bif\s*\(\s*!\s*([A-Za-z_][\w>.\-[\]]*)\s*\)\s*return\b|\b([A-Za-z_]\w*)\s*\(/g;
  for (const m of text.matchAll(re)) {
    const pos = m.index ?? 0;
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
