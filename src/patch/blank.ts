/**
 * Annotation blanking: kernel attribute macros that tree-sitter-c cannot know (it has no
 * preprocessor) are replaced by spaces of the same length before parsing, so every offset,
 * row and column stays valid. Measured (ecosystem-notes §6.4): `static int __init f(void)`
 * otherwise parses as a function named `void`, and `__must_check`/`__user` give ERROR nodes.
 */

/** A blanked annotation: where it was and what it said. */
export interface Blanked {
  start: number; // offset in the source
  end: number;
  text: string; // e.g. "__init", "__aligned(8)"
  name: string; // e.g. "__init", "__aligned"
}

/** Bare words that are pure annotations. */
const WORDS = [
  '__init', '__exit', '__initdata', '__initconst', '__exitdata', '__ref', '__refdata', '__meminit',
  '__devinit', '__devexit', '__must_check', '__always_inline', 'noinline', '__noinline', '__maybe_unused',
  '__always_unused', '__used', '__unused', '__cold', '__hot', '__user', '__kernel', '__iomem', '__rcu',
  '__percpu', '__force', '__bitwise', '__packed', '__pure', '__weak', '__visible', 'asmlinkage',
  'notrace', 'noinstr', '__noreturn', '__read_mostly', '__ro_after_init', '__latent_entropy',
  '__randomize_layout', '__no_randomize_layout', '__cacheline_aligned', '____cacheline_aligned',
  '__cacheline_aligned_in_smp', '____cacheline_aligned_in_smp', '__nocast', '__safe', '__private',
  '__sched', '__flatten', '__always_used', 'noinline_for_stack', 
  '__deprecated', '__nonstring', '__ksym', '__rcu_guarded', '__preserve_most',
];

/** Annotations that take a parenthesised argument list. */
const CALLS = [
  '__aligned', '__attribute__', '__attribute', '__free', '__counted_by', '__counted_by_le',
  '__counted_by_be', '__acquires', '__releases', '__must_hold', '__section', '__printf', '__scanf',
  '__alloc_size', '__malloc', '__cond_acquires', '__cond_releases', '__guarded_by', '__pt_guarded_by',
  '__diag_ignore', '__nocfi', '__assume_aligned', '__designated_init', '__cleanup', '__no_sanitize_address',
];

const CALL_SET = new Set(CALLS);
const WORD_RE = new RegExp(`\\b(?:${[...new Set([...WORDS, ...CALLS])].join('|')})\\b`, 'g');

/** Replace every annotation in `source` by spaces (newlines inside kept). */
export function blankAnnotations(source: string): { text: string; blanked: Blanked[] } {
  const blanked: Blanked[] = [];
  for (const m of source.matchAll(WORD_RE)) {
    const start = m.index;
    if (blanked.length && start < blanked[blanked.length - 1].end) continue; // inside a blanked (...)
    if (insideLiteralOrComment(source, start)) continue;
    let end = start + m[0].length;
    if (CALL_SET.has(m[0])) {
      const close = matchingParen(source, end);
      if (close < 0 && !WORDS.includes(m[0])) continue; // `__aligned` without (...) is not ours
      if (close >= 0) end = close + 1;
    }
    blanked.push({ start, end, text: source.slice(start, end), name: m[0] });
  }
  // Built from slices, not an array of characters: a 10 MiB text is not 10 M strings.
  const parts: string[] = [];
  let from = 0;
  for (const b of blanked) {
    parts.push(source.slice(from, b.start), b.text.replace(/[^\n]/g, ' '));
    from = b.end;
  }
  parts.push(source.slice(from));
  return { text: parts.join(''), blanked };
}

/**
 * How far the scans below look: an annotation's argument list, or the part of a line before
 * one, is never this long in real code, and unbounded scans per match were quadratic on a long
 * line full of annotation words.
 */
const SCAN = 4096;

/** Offset of the `)` closing a `(` that follows `from` (spaces allowed), or -1. */
function matchingParen(s: string, from: number): number {
  let i = from;
  while (s[i] === ' ' || s[i] === '\t') i++;
  if (s[i] !== '(') return -1;
  let depth = 0;
  for (const stop = Math.min(s.length, i + SCAN); i < stop; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')' && --depth === 0) return i;
    else if (s[i] === ';' || s[i] === '{') return -1; // never cross a statement
  }
  return -1;
}

/**
 * Cheap check on the current line only: inside a string, or after `//`, or after an unclosed `/*`
 * on the same line. Multi-line comments are left alone; blanking a word there is harmless.
 */
function insideLiteralOrComment(s: string, at: number): boolean {
  let lineStart = at;
  while (lineStart > 0 && at - lineStart < SCAN && s[lineStart - 1] !== '\n') lineStart--;
  let inStr: string | undefined;
  for (let i = lineStart; i < at; i++) {
    const c = s[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === inStr) inStr = undefined;
    } else if (c === '"' || c === "'") inStr = c;
    else if (c === '/' && s[i + 1] === '/') return true;
    else if (c === '/' && s[i + 1] === '*') {
      const close = s.slice(i + 2, at).indexOf('*/');
      if (close < 0) return true;
      i = i + 2 + close + 1;
    }
  }
  return inStr !== undefined;
}
