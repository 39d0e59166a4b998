/**
 * Which patch lines an email reply quotes: only the hunks a note concerns, trimmed to a few
 * lines above each noted line (b4 review quotes at most 5), stretched up to the start of the
 * noted function when that is close, so the reader sees what the note is about.
 */
import type { DiffLine, FileChange, Finding, Hunk, PatchModel } from '../model.js';
import { byPosition, findNewLine } from './common.js';

export interface QuoteOptions {
  /** Lines of diff quoted above a noted line. */
  contextAbove: number;
  /** How far up to look for the noted function's first line. */
  functionReach: number;
}

export const DEFAULT_QUOTE: QuoteOptions = { contextAbove: 5, functionReach: 15 };

/** One quoted stretch of a hunk and the notes that go under it. */
export interface QuoteSegment {
  file: FileChange;
  hunk: Hunk;
  /** First quote of this file (print the diff --git line) / of this hunk (print @@). */
  firstInFile: boolean;
  firstInHunk: boolean;
  /** Lines of the hunk were left out just above this quote. */
  trimmedAbove: boolean;
  lines: DiffLine[];
  findings: Finding[];
}

export interface QuotePlan {
  segments: QuoteSegment[];
  /** Notes whose line is in no hunk: told after the quotes, never dropped. */
  outside: Finding[];
}

interface Located {
  f: Finding;
  file: FileChange;
  hunk: Hunk;
  index: number;
}

export function planQuotes(patch: PatchModel, findings: readonly Finding[], opts: QuoteOptions = DEFAULT_QUOTE): QuotePlan {
  const located: Located[] = [];
  const outside: Finding[] = [];
  for (const f of byPosition(findings)) {
    const at = f.outsideDiff ? undefined : findNewLine(patch, f.file, f.line);
    if (at) located.push({ f, file: at.file, hunk: at.hunk, index: at.index });
    else outside.push(f);
  }
  const segments: QuoteSegment[] = [];
  let prev: { file?: FileChange; hunk?: Hunk; end: number } = { end: -1 };
  for (const group of groupByLine(located)) {
    const { file, hunk, index } = group[0];
    const sameHunk = prev.hunk === hunk;
    const floor = sameHunk ? prev.end + 1 : 0;
    const start = Math.min(index, quoteStart(hunk, index, floor, group[0].f.function, opts));
    segments.push({
      file,
      hunk,
      firstInFile: prev.file !== file,
      firstInHunk: !sameHunk,
      trimmedAbove: start > floor,
      lines: hunk.lines.slice(start, index + 1),
      findings: group.map((g) => g.f),
    });
    prev = { file, hunk, end: index };
  }
  return { segments, outside };
}

/** Consecutive located findings on the same diff line form one group. */
function groupByLine(located: Located[]): Located[][] {
  const groups: Located[][] = [];
  for (const l of located) {
    const last = groups.at(-1);
    if (last && last[0].hunk === l.hunk && last[0].index === l.index) last.push(l);
    else groups.push([l]);
  }
  return groups;
}

/** First index to quote: a few lines up, or up to the function's definition line if near. */
function quoteStart(hunk: Hunk, index: number, floor: number, fn: string | undefined, opts: QuoteOptions): number {
  let start = Math.max(floor, index - opts.contextAbove);
  if (fn) {
    const reach = Math.max(floor, index - opts.functionReach);
    for (let i = index; i >= reach; i--) {
      // A definition starts in column 0 and names the function before its '('.
      const text = hunk.lines[i].text;
      if (/^[A-Za-z_]/.test(text) && text.includes(`${fn}(`)) {
        start = Math.min(start, i);
        break;
      }
    }
  }
  // Leading blank context lines add nothing to a quote.
  while (start < index && hunk.lines[start].text.trim() === '') start++;
  return start;
}
