/**
 * Sides: one parsed text of one side of a file (a hunk's pre- or post-fragment, or with
 * --tree the whole pre- or post-file), every line number already translated to the patch's
 * own numbering, so fragment and tree analysis feed the same attribution (functions.ts).
 */
import type { FileChange, Hunk } from '../model.js';
import { analyzeC } from './cparse.js';
import type { CFacts, CParseOptions } from './cparse.js';

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

/** Fragment analysis: two Sides per hunk (of `hunks`, default all the file's), each parsed on its own. */
export async function fragmentSides(file: FileChange, c: CParseOptions = {}, hunks: Hunk[] = file.hunks): Promise<Side[]> {
  const sides: Side[] = [];
  for (const hunk of hunks) {
    // Both sides under the post-image path: a renamed function is one FunctionChange.
    sides.push(await fragmentSide(file.path, hunk, true, c), await fragmentSide(file.path, hunk, false, c));
  }
  return sides;
}

async function fragmentSide(file: string, hunk: Hunk, post: boolean, c: CParseOptions): Promise<Side> {
  const rows = hunk.lines.filter((l) => l.kind === ' ' || l.kind === (post ? '+' : '-'));
  const lineOf = (row: number) => (post ? rows[row - 1]?.newLine : rows[row - 1]?.oldLine);
  // A definition that starts in the hunk and runs past its end parses as junk (tree-sitter's
  // recovery drops it): close its open braces on the last row, and say it is not closed.
  const open = unclosedBraces(rows.map((r) => r.text));
  const parsed = await analyzeC(rows.map((r) => r.text).join('\n') + (open ? ` ${'}'.repeat(open)}` : '') + '\n', c);
  if (open)
    for (const f of parsed.functions)
      if (f.endLine === rows.length && f.closed) Object.assign(f, { closed: false, text: f.text.slice(0, -(open + 1)) });
  const facts = remap(parsed, lineOf);
  // Mid-function fragments parse as junk at top level: trust only definitions starting at column 0.
  const rowText = new Map(rows.map((r) => [(post ? r.newLine : r.oldLine) as number, r.text]));
  facts.functions = facts.functions.filter((f) => /^\S/.test(rowText.get(f.startLine) ?? ''));
  const text = new Map(rows.map((r) => [(post ? r.newLine : r.oldLine) as number, r.text]));
  const changed = new Set(rows.filter((r) => r.kind !== ' ').map((r) => (post ? r.newLine : r.oldLine) as number));
  return { file, post, facts, changed, text, section: sectionRegion(hunk.section, rows, facts, post), header: hunk.section, whole: false };
}

/**
 * How many `{` are still open at the end of a fragment: a `}` with none open closes something
 * before the hunk and is skipped. Comments, strings and character literals do not count.
 */
export function unclosedBraces(lines: string[]): number {
  const code = lines.join('\n').replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'/g, ' ');
  let depth = 0;
  for (const ch of code) {
    if (ch === '{') depth++;
    else if (ch === '}' && depth > 0) depth--;
  }
  return depth;
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
  const firstDef = facts.functions.reduce((min, f) => Math.min(min, f.startLine), Infinity); // no spread: 100,000 functions overflow the stack
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
  const close = rows.findIndex((r) => r.text.trimEnd() === '}'); // `};` ends a struct, not a function
  if (close < 0) return undefined;
  const next = rows.slice(close + 1).find((r) => r.text.trim());
  return /^EXPORT_SYMBOL(?:_GPL)?(?:_FOR_MODULES|_NS|_NS_GPL)?\((\w+)/.exec(next?.text ?? '')?.[1];
}

/** Words that start a column-0 line like a name does but are not one. */
const NOT_NAMES = new Set(['if', 'for', 'while', 'switch', 'return', 'sizeof', 'do', 'else', 'case', 'goto']);

/**
 * The function name in a hunk-header section that is a definition's first line, else undefined:
 * `static int foo(struct x *y)`, or kernel style with the return type on the line before, where
 * git shows the name line itself: `foo(struct x *y)`. An all-capitals name there is a macro
 * invocation (`DEFINE_SIMPLE_ATTRIBUTE(fops, get,`), not a definition.
 */
export function sectionFunction(section: string): string | undefined {
  if (!section || /[;=]/.test(section.split('(')[0]) || /;\s*$/.test(section)) return undefined;
  if (NOT_NAMES.has(/^\w+/.exec(section)?.[0] ?? '')) return undefined;
  const typed = /^[A-Za-z_][\w\s*]*?[\s*]([A-Za-z_]\w*)\s*\(/.exec(section)?.[1];
  if (typed) return typed;
  const bare = /^([A-Za-z_]\w*)\s*\(/.exec(section)?.[1];
  return bare && !NOT_NAMES.has(bare) && /[a-z]/.test(bare) ? bare : undefined;
}
