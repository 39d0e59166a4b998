/**
 * The rule language's patterns, compiled once: names (exact, or `/regex/flags`), regexes over
 * code, and picomatch globs over paths. A pattern that does not compile throws
 * FieldError with the field it came from; src/rules/compile.ts adds the file and the entry.
 */
import picomatch from 'picomatch';
import type { Names } from './types.js';

/** Something in a rule that does not compile (a bad pattern, an unknown ref), and the field below the entry that holds it. */
export class FieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
    /** Set when the field is in a shared predicate of rules/common.yaml: "predicate 'close-path'". */
    readonly sharedEntry?: string,
  ) {
    super(message);
  }
}

export type NameTest = (name: string) => boolean;

const SLASHED = /^\/(.*)\/([a-z]*)$/s;

/** `/re/flags` or a bare regex source, compiled; `g` is dropped (test() must not keep state). */
export function compileRegex(src: string, field: string): RegExp {
  const m = SLASHED.exec(src);
  try {
    return m ? new RegExp(m[1], m[2].replace('g', '')) : new RegExp(src);
  } catch (err) {
    throw new FieldError(field, `'${src}' is not a valid regular expression (${(err as Error).message.replace(/^Invalid regular expression: /, '')})`);
  }
}

/** A name list: each entry an exact name, or a /regex/. */
export function compileNames(names: Names, field: string): NameTest {
  const list = Array.isArray(names) ? names : [names];
  const exact = new Set<string>();
  const res: RegExp[] = [];
  list.forEach((n, i) => {
    if (SLASHED.test(n)) res.push(compileRegex(n, Array.isArray(names) ? `${field}[${i}]` : field));
    else exact.add(n);
  });
  return (name) => exact.has(name) || res.some((r) => r.test(name));
}

/** picomatch globs (dotfiles match); unbalanced brackets are an error, not a literal. */
export function compileGlobs(globs: Names, field: string): NameTest {
  const list = Array.isArray(globs) ? globs : [globs];
  const tests = list.map((g, i) => {
    try {
      return picomatch(g, { dot: true, strictBrackets: true });
    } catch (err) {
      throw new FieldError(Array.isArray(globs) ? `${field}[${i}]` : field, `'${g}' is not a valid glob (${(err as Error).message})`);
    }
  });
  return (path) => tests.some((t) => t(path));
}
