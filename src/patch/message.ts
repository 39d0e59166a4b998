/**
 * A mail body split the way `git am` sees it: commit message, `---`, diffstat, diff, and the
 * `-- ` signature git format-patch appends (which jsdiff would read as a hunk line and reject).
 */
import type { Trailer } from '../model.js';

export interface SplitBody {
  /** Everything before the `---` line (or before the diff), trimmed. */
  commitMessage: string;
  trailers: Trailer[];
  diffstat?: string;
  /** The diff text (CRLF normalised, signature not yet cut: see diff.ts), '' when none. */
  diff: string;
  /** 1-based line of the body where `diff` starts, for error messages. */
  diffLine: number;
}

/** git-generated lines that follow the diff or end a cover letter. */
const TAIL_KEYS = /^(base-commit|change-id|prerequisite-patch-id|prerequisite-change-id|prerequisite-message-id): *(\S.*)$/;
const TRAILER = /^([A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]): ?(.*)$/;

/** CRLF (and stray CR line ends) to LF, so jsdiff does not keep `\r` in names and lines. */
export function normalizeNewlines(text: string): string {
  return text.replace(/\r\n/g, '\n');
}

export function splitBody(body: string): SplitBody {
  const lines = normalizeNewlines(body).split('\n');
  const diffAt = findDiffStart(lines);
  const head = diffAt < 0 ? cutSignature(lines) : lines.slice(0, diffAt);
  const sep = head.findIndex((l) => l === '---');
  const message = sep < 0 ? head : head.slice(0, sep);
  const diffstat = sep < 0 ? undefined : head.slice(sep + 1).join('\n').trim() || undefined;
  const commitMessage = dropTailKeys(message).join('\n').trim();
  return {
    commitMessage,
    trailers: [...messageTrailers(commitMessage), ...tailTrailers(lines, diffAt)],
    diffstat,
    diff: diffAt < 0 ? '' : lines.slice(diffAt).join('\n'),
    diffLine: diffAt + 1,
  };
}

/** Index of the first line of the diff: `diff --git`, `Index:`, `diff -...`, or a `---`/`+++`/`@@` triple. */
export function findDiffStart(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (/^diff --git /.test(l)) return i;
    if ((/^Index: /.test(l) || /^diff -/.test(l)) && hasFileHeaderAfter(lines, i + 1)) return i;
    if (/^--- \S/.test(l) && /^\+\+\+ \S/.test(lines[i + 1] ?? '') && /^@@ -\d/.test(lines[i + 2] ?? '')) return i;
  }
  return -1;
}

function hasFileHeaderAfter(lines: string[], from: number): boolean {
  for (let i = from; i < Math.min(lines.length, from + 4); i++) if (/^--- /.test(lines[i])) return true;
  return false;
}

/** A body without a diff: drop the `-- ` signature (the last one, a few lines from the end). */
function cutSignature(lines: string[]): string[] {
  for (let i = lines.length - 1; i >= Math.max(0, lines.length - 8); i--) {
    if (lines[i] === '-- ') return lines.slice(0, i);
  }
  return lines;
}

function dropTailKeys(lines: string[]): string[] {
  return lines.filter((l) => !TAIL_KEYS.test(l));
}

/** `base-commit:` and friends: after the diff, or at the end of a cover letter. */
function tailTrailers(lines: string[], diffAt: number): Trailer[] {
  const out: Trailer[] = [];
  for (const l of lines) {
    const m = TAIL_KEYS.exec(l);
    if (m) out.push({ key: m[1], value: m[2].trim() });
  }
  void diffAt; // hunk lines start with ' ', '+', '-', so they can never match TAIL_KEYS
  return out;
}

/**
 * Trailers of the commit message: its last paragraph, when every line of it is a
 * `Key: value` trailer, a continuation (indented) or a `[ maintainer note ]`.
 */
export function messageTrailers(message: string): Trailer[] {
  const paragraphs = message.split(/\n[ \t]*\n/);
  const last = paragraphs[paragraphs.length - 1]?.split('\n') ?? [];
  if (paragraphs.length < 2 && !last.every((l) => TRAILER.test(l))) return [];
  const out: Trailer[] = [];
  for (const l of last) {
    const m = TRAILER.exec(l);
    if (m && !/^https?$/i.test(m[1])) out.push({ key: m[1], value: m[2].trim() });
    else if (/^\s/.test(l) && out.length) out[out.length - 1].value += ' ' + l.trim();
    else if (!/^\[.*\]$/.test(l.trim())) return [];
  }
  return out;
}
