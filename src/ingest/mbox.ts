/**
 * A streaming mbox splitter over Buffers (never strings: 8-bit bodies must reach the MIME
 * decoder untouched). Postmarks follow git mailsplit's `is_from_line`; a candidate postmark
 * only splits when it starts the file or follows a blank line, and the next line is a header,
 * so a "From ..." sentence in a commit message does not cut a patch in two. And when the
 * first postmark is one that machines write (git format-patch's, lore's `mboxrd@z`), only
 * such postmarks split: a pasted `From user@host Mon Sep 18 10:20:30 2023` line in an
 * unescaped format-patch file stays in its commit message (git mailsplit would cut there).
 *
 * Each message says where it lies in the stream (byte offset of its postmark, end of its
 * separating blank line), so a reader that follows a growing mbox can keep a cursor; with
 * `growing`, a last message that may still be being written is held back.
 */

/** One message cut out of an mbox, postmark removed and `>From ` unescaped. */
export interface RawMessage {
  raw: Buffer;
  /** 1-based position in the mbox. */
  index: number;
  /** 1-based line of the postmark (or first line) in the mbox. */
  line: number;
  /** The postmark line, without its line end. */
  postmark?: string;
  /** Byte offset of the postmark (or first line) in the stream. */
  offset: number;
  /** Byte offset just past the message and its separating blank line: where the next postmark starts. */
  end: number;
}

/** A message that could not be cut out whole (too big). */
export interface SplitProblem {
  index: number;
  line: number;
  problem: string;
}

export interface SplitOptions {
  /** Bytes above which a message is dropped and reported instead. */
  maxMessageBytes: number;
  /**
   * The mbox may be being appended to: the last message is yielded only once it is known to be
   * whole (a blank line ends the stream, or a machine postmark follows it), never half of one.
   */
  growing?: boolean;
}

const NL = 0x0a;

/** 10485760 -> "10.0 MiB", 20000 -> "20000 bytes". */
export function formatBytes(n: number): string {
  return n >= 1048576 ? `${(n / 1048576).toFixed(1)} MiB` : `${n} bytes`;
}
const GT = 0x3e;
const FROM = Buffer.from('From ');

/** git mailsplit's is_from_line: `From ` ... `hh:mm:ss` ... a year after 1990. */
export function isFromLine(line: string): boolean {
  const text = line.replace(/\r?\n$/, '');
  if (text.length < 20 || !text.startsWith('From ')) return false;
  const colon = text.lastIndexOf(':');
  if (colon < 9) return false;
  const digit = (i: number) => i >= 0 && i < text.length && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39;
  if (!digit(colon - 4) || !digit(colon - 2) || !digit(colon - 1) || !digit(colon + 1) || !digit(colon + 2)) return false;
  const year = parseInt(text.slice(colon + 3).trimStart(), 10);
  return year > 90;
}

/** Postmarks machines write (git format-patch, lore/lei mboxrd): always a message start. */
export function isMagicPostmark(line: string): boolean {
  return /^From ([0-9a-f]{40}|[0-9a-f]{64}) Mon Sep 17 00:00:00 2001\r?$/.test(line) || /^From mboxrd@z Thu Jan  1 00:00:00 1970\r?$/.test(line);
}

/** A header field line (`Name: value`), as the line after a postmark must be. */
export function isHeaderLine(line: Buffer | string): boolean {
  const text = typeof line === 'string' ? line : line.subarray(0, 200).toString('latin1');
  return /^[\x21-\x39\x3b-\x7e]+[ \t]*:/.test(text);
}

function isBlank(line: Buffer): boolean {
  return line.length === 0 || (line.length === 1 && line[0] === NL) || (line.length === 2 && line[0] === 0x0d && line[1] === NL);
}

function startsWithFrom(line: Buffer, at = 0): boolean {
  return line.length >= at + 5 && line.compare(FROM, 0, 5, at, at + 5) === 0;
}

/**
 * Undo mbox `From ` quoting. mboxrd (lore, `git format-patch --pretty=mboxrd`) quoted every
 * `>*From ` line with one more `>`; mboxo only quoted `From `, so only `>From ` is undone.
 */
function unescape(line: Buffer, mboxrd: boolean): Buffer {
  if (line[0] !== GT) return line;
  let i = 0;
  while (i < line.length && line[i] === GT) i++;
  if (!startsWithFrom(line, i)) return line;
  return mboxrd || i === 1 ? line.subarray(1) : line;
}

/** Builds one message, dropping its bytes once it passes the cap (and only counting). */
class Collector {
  parts: Buffer[] = [];
  bytes = 0;
  oversize = false;
  constructor(
    readonly index: number,
    readonly line: number,
    readonly offset: number,
    readonly postmark: string | undefined,
    readonly mboxrd: boolean,
    private readonly max: number,
  ) {}

  add(line: Buffer): void {
    this.bytes += line.length;
    if (this.oversize) return;
    if (this.bytes > this.max) {
      this.oversize = true;
      this.parts = [];
      return;
    }
    // A view into the read chunk: concat() at the end copies once, and a chunk stays pinned
    // only while a message that shares it is being built.
    this.parts.push(unescape(line, this.mboxrd));
  }

  /** The message, `end` being the stream offset where it (and its blank line) stops. */
  finish(max: number, end: number): RawMessage | SplitProblem {
    if (this.oversize) {
      return { index: this.index, line: this.line, problem: `message is ${formatBytes(this.bytes)}, over the ${formatBytes(max)} limit` };
    }
    // The blank line before the next postmark separates messages; it is not part of the body.
    const last = this.parts[this.parts.length - 1];
    if (last && isBlank(last)) this.parts.pop();
    return { raw: Buffer.concat(this.parts), index: this.index, line: this.line, postmark: this.postmark, offset: this.offset, end };
  }
}

/** Split a stream of Buffers into lines (each with its `\n`), counting from 1. */
export async function* lines(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let carry: Buffer | undefined;
  for await (const chunk of chunks) {
    const buf = carry ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(NL, start); nl !== -1; nl = buf.indexOf(NL, start)) {
      yield buf.subarray(start, nl + 1);
      start = nl + 1;
    }
    carry = start < buf.length ? buf.subarray(start) : undefined;
  }
  if (carry && carry.length) yield carry;
}

/**
 * Split an mbox. Yields messages in order, and a SplitProblem in place of a message that
 * was too big. Text before the first postmark is reported as a problem (not an mbox there).
 */
export async function* splitMbox(chunks: AsyncIterable<Buffer>, opts: SplitOptions): AsyncGenerator<RawMessage | SplitProblem> {
  let current: Collector | undefined;
  let lineNo = 0;
  let offset = 0; // stream offset of the line being read
  let prevBlank = true;
  let pending: { line: Buffer; lineNo: number; offset: number; text: string } | undefined;
  let preamble = 0;
  let count = 0;
  let magicOnly = false;

  for await (const line of lines(chunks)) {
    lineNo++;
    const at = offset;
    offset += line.length;
    if (pending) {
      const p = pending;
      pending = undefined;
      const postmark = p.text.replace(/\r?\n$/, '');
      const magic = isMagicPostmark(postmark);
      if (count === 0) magicOnly = magic;
      if (magic || (!magicOnly && isHeaderLine(line))) {
        if (current) yield current.finish(opts.maxMessageBytes, p.offset);
        current = new Collector(++count, p.lineNo, p.offset, postmark, postmark.startsWith('From mboxrd@z '), opts.maxMessageBytes);
      } else if (current) {
        current.add(p.line);
      } else {
        preamble++;
      }
    }
    if (prevBlank && line[0] === 0x46 && startsWithFrom(line)) {
      const text = line.subarray(0, 300).toString('latin1');
      if (isFromLine(text)) {
        pending = { line: Buffer.from(line), lineNo, offset: at, text };
        prevBlank = false;
        continue;
      }
    }
    prevBlank = isBlank(line);
    if (current) current.add(line);
    else if (!prevBlank) preamble++;
    if (preamble === 1 && !current) {
      yield { index: 0, line: lineNo, problem: 'not an mbox: text before the first "From " postmark line' };
      preamble++;
    }
  }
  if (pending) {
    // A postmark on the last line: an empty message, or (growing) the next one being written,
    // which ends the message before it only when it is surely a postmark.
    if (opts.growing) {
      if (current && isMagicPostmark(pending.text.replace(/\r?\n$/, ''))) yield current.finish(opts.maxMessageBytes, pending.offset);
      return;
    }
    if (current) yield current.finish(opts.maxMessageBytes, pending.offset);
    yield { index: ++count, line: pending.lineNo, problem: 'empty message after the postmark' };
    return;
  }
  // Growing: the last message is whole only once a blank line (with its line end) closes it.
  if (current && (prevBlank || !opts.growing)) yield current.finish(opts.maxMessageBytes, offset);
}

export function isSplitProblem(x: RawMessage | SplitProblem): x is SplitProblem {
  return (x as SplitProblem).problem !== undefined;
}
