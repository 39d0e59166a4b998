/**
 * The limits on one message (README "Limits"). Past any of them the message is reported as
 * too large, too deep or too slow, naming the limit, and the other messages go on. They bound
 * the work each stage can be made to do by a hostile mail: the splitter and MIME parser (bytes,
 * header lines, MIME depth and parts), jsdiff (files, hunks, lines), tree-sitter and the rules
 * (identifier length, nesting depth) and, over all stages, a time budget per message.
 */
import { LimitError } from '../errors.js';

export interface Limits {
  /** Bytes of one message (an mbox's messages each; a lone file or diff as a whole). */
  messageBytes: number;
  /** Bytes of the header block of a message. */
  headerBytes: number;
  /** Bytes of one physical header line (RFC 5322 says 998; real mail sometimes runs longer). */
  headerLine: number;
  /** Nesting of multipart/ parts. */
  mimeDepth: number;
  /** MIME parts in one message, all levels together. */
  mimeParts: number;
  /** Files, hunks and lines of the diff of one message. */
  diffFiles: number;
  diffHunks: number;
  diffLines: number;
  /** Characters of one C identifier (kernel names stay well under 100). */
  identifier: number;
  /** Nesting depth of brackets ((, [, {) in the C text given to the parser. */
  nesting: number;
  /** Wall-clock milliseconds for reading, parsing and reviewing one message. */
  messageMs: number;
}

export const LIMITS: Readonly<Limits> = Object.freeze({
  messageBytes: 10 * 1024 * 1024,
  headerBytes: 256 * 1024,
  headerLine: 32 * 1024,
  mimeDepth: 16,
  mimeParts: 200,
  diffFiles: 2000,
  diffHunks: 20_000,
  diffLines: 300_000,
  identifier: 512,
  nesting: 256,
  messageMs: 60_000,
});

/** The defaults with some overridden (tests, the fuzz bench). */
export function limitsOf(over?: Partial<Limits>): Limits {
  return { ...LIMITS, ...over };
}

/** A count past its limit: "the diff has 300001 lines, over the limit of 300000". */
export function overLimit(what: string, n: number, limit: number, unit = ''): LimitError {
  const u = unit ? ` ${unit}` : '';
  return new LimitError(`too large: ${what} ${n}${u}, over the limit of ${limit}${u}`);
}

/** The time budget of one message, checked between (and, for the C parser, during) stages. */
export class Budget {
  readonly deadline: number;
  constructor(readonly ms: number = LIMITS.messageMs) {
    this.deadline = Date.now() + ms;
  }

  expired(): boolean {
    return Date.now() >= this.deadline;
  }

  /** Throws once the budget is spent; `stage` says where (for the one-line error). */
  check(stage: string): void {
    if (this.expired()) throw this.error(stage);
  }

  error(stage: string): LimitError {
    return new LimitError(`too slow: over the time budget of ${this.ms / 1000} s per message (while ${stage})`);
  }

  /**
   * `work`, or a LimitError once the budget is spent, whichever comes first. Only asynchronous
   * work can be cut short this way; the limits above bound the synchronous parts.
   */
  async race<T>(work: Promise<T>, stage: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.error(stage)), Math.max(0, this.deadline - Date.now()));
      timer.unref?.();
    });
    try {
      return await Promise.race([work, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Longest run of identifier characters that starts like an identifier, and where: linear. */
export function longestIdentifier(text: string): { length: number; at: number } {
  let best = { length: 0, at: -1 };
  let start = -1;
  let number = false; // a run that starts with a digit is a number (0xffff...), not a name
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0;
    const digit = c >= 0x30 && c <= 0x39;
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || digit) {
      if (start < 0) [start, number] = [i, digit];
    } else {
      if (start >= 0 && !number && i - start > best.length) best = { length: i - start, at: start };
      start = -1;
    }
  }
  return best;
}

/** Deepest nesting of (, [ and { in `text` (quotes and comments not told apart: a bound, not a parse). */
export function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x28 || c === 0x5b || c === 0x7b) {
      if (++depth > max) max = depth;
    } else if ((c === 0x29 || c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return max;
}
