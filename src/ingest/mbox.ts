/**
 * A streaming mbox splitter over Buffers (never strings: 8-bit bodies must reach the MIME
 * decoder untouched), equal to `git mailsplit`: a message starts at every line that passes
 * git's `is_from_line` (a `From ` line with a `hh:mm:ss` time and a year after 1990), blank
 * line before it or not, whatever postmark the file began with: `git am` splits there too, so
 * a patch read any other way would not be the patch that gets applied. Leading white space of
 * the file is skipped as git does. An mbox whose first postmark is lore's `From mboxrd@z`
 * (or with `mboxrd: true`) is read as `git mailsplit --mboxrd` (one `>` off every `>+From `);
 * any other as plain `git mailsplit`, which leaves `>From ` quoting as written (mboxo cannot
 * be undone safely). Line ends are kept (`--keep-cr`); the one blank line that separates a
 * message from the next postmark is not part of it. test/ingest/mailsplit.test.ts checks all
 * of this against git's own output.
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
  /** Read as mboxrd (`git mailsplit --mboxrd`); default: when the first postmark is `From mboxrd@z`. */
  mboxrd?: boolean;
}

const NL = 0x0a;

/** 10485760 -> "10.0 MiB", 20000 -> "20000 bytes". */
export function formatBytes(n: number): string {
  return n >= 1048576 ? `${(n / 1048576).toFixed(1)} MiB` : `${n} bytes`;
}
const GT = 0x3e;
const FROM = Buffer.from('From ');

const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;
/** C's isspace(): space, \t, \n, \v, \f, \r. */
const isSpace = (c: number | undefined) => c === 0x20 || (c !== undefined && c >= 0x09 && c <= 0x0d);

/**
 * git mailsplit's is_from_line, byte for byte: at least 20 bytes with the line end, `From `,
 * the last `:` (not counting the byte before the line end) has digits at -4, -2, -1, +1, +2,
 * and strtol() of what follows `:ss` is a year above 90.
 */
export function isFromLineBytes(line: Buffer): boolean {
  const len = line.length;
  if (len < 20 || line.compare(FROM, 0, 5, 0, 5) !== 0) return false;
  let colon = len - 2;
  for (;;) {
    if (colon < 5) return false;
    if (line[--colon] === 0x3a) break;
  }
  if (!isDigit(line[colon - 4]) || !isDigit(line[colon - 2]) || !isDigit(line[colon - 1])) return false;
  if (!isDigit(line[colon + 1]) || !isDigit(line[colon + 2])) return false;
  return strtolAt(line, colon + 3) > 90;
}

/** strtol(s, NULL, 10) at `i`, saturating: leading white space, a sign, digits. */
function strtolAt(line: Buffer, i: number): number {
  while (isSpace(line[i])) i++;
  const sign = line[i] === 0x2d ? -1 : 1;
  if (line[i] === 0x2d || line[i] === 0x2b) i++;
  let n = 0;
  for (; isDigit(line[i]) && n < 1e9; i++) n = n * 10 + (line[i]! - 0x30);
  return sign * n;
}

/** is_from_line on a string line (latin1), which counts as ending in `\n` when it has no line end. */
export function isFromLine(line: string): boolean {
  return isFromLineBytes(Buffer.from(line.endsWith('\n') ? line : line + '\n', 'latin1'));
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
 * Undo mboxrd `From ` quoting (lore, `git format-patch --pretty=mboxrd` quoted every
 * `>*From ` line with one more `>`), as git's is_gtfrom. mboxo quoting is left as written, as
 * git leaves it: `>From ` there may have been `From ` or `>From `, and git am keeps it.
 */
function unescape(line: Buffer, mboxrd: boolean): Buffer {
  if (!mboxrd || line[0] !== GT) return line;
  let i = 0;
  while (i < line.length && line[i] === GT) i++;
  return startsWithFrom(line, i) ? line.subarray(1) : line;
}

/** Builds one message, dropping its bytes once it passes the cap (and only counting). */
class Collector {
  parts: Buffer[] = [];
  bytes = 0;
  oversize = false;
  /** Lines after the postmark, and whether they were all blank. */
  lines = 0;
  onlyBlank = true;
  constructor(
    readonly index: number,
    readonly line: number,
    readonly offset: number,
    readonly postmark: string | undefined,
    readonly mboxrd: boolean,
    private readonly max: number,
  ) {}

  add(line: Buffer): void {
    this.lines++;
    if (!isBlank(line)) this.onlyBlank = false;
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

/**
 * Split a stream of Buffers into lines (each with its `\n`). A line that spans chunks is kept
 * as a list of pieces and joined once: joining at every chunk was quadratic in the length of
 * one very long line (a mail with CR-only line ends is one line).
 */
export async function* lines(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let pieces: Buffer[] = [];
  for await (const chunk of chunks) {
    let start = 0;
    for (let nl = chunk.indexOf(NL, start); nl !== -1; nl = chunk.indexOf(NL, start)) {
      const tail = chunk.subarray(start, nl + 1);
      yield pieces.length ? Buffer.concat([...pieces, tail]) : tail;
      pieces = [];
      start = nl + 1;
    }
    if (start < chunk.length) pieces.push(chunk.subarray(start));
  }
  if (pieces.length) yield Buffer.concat(pieces);
}

/** A white-space-only line (git skips such bytes before the first postmark). */
function isAllSpace(line: Buffer): boolean {
  for (const c of line) if (!isSpace(c)) return false;
  return true;
}

/** The line less its leading white space (git's skip at the start of the file). */
function trimLeadingSpace(line: Buffer): Buffer {
  let i = 0;
  while (i < line.length && isSpace(line[i])) i++;
  return line.subarray(i);
}

const MBOXRD_POSTMARK = Buffer.from('From mboxrd@z ');

/**
 * Split an mbox the way `git mailsplit` does. Yields messages in order, a SplitProblem in
 * place of a message that was too big or empty (a postmark straight after a postmark), and
 * one for text before the first postmark (git refuses such a file as "corrupt mailbox").
 */
export async function* splitMbox(chunks: AsyncIterable<Buffer>, opts: SplitOptions): AsyncGenerator<RawMessage | SplitProblem> {
  let current: Collector | undefined;
  let lineNo = 0;
  let offset = 0; // stream offset of the line being read
  let count = 0;
  let started = false; // past git's leading white space
  let preamble = false;
  let mboxrd = opts.mboxrd;
  let lastBlank = true;

  for await (const raw of lines(chunks)) {
    lineNo++;
    const at = offset;
    offset += raw.length;
    let line = raw;
    if (!started) {
      if (isAllSpace(raw)) continue;
      started = true;
      line = trimLeadingSpace(raw);
    }
    if (line[0] === 0x46 && isFromLineBytes(line)) {
      if (current) yield* finished(current, opts.maxMessageBytes, at);
      mboxrd ??= line.compare(MBOXRD_POSTMARK, 0, MBOXRD_POSTMARK.length, 0, MBOXRD_POSTMARK.length) === 0;
      const postmark = line.subarray(0, 1000).toString('latin1').replace(/\r?\n$/, '');
      current = new Collector(++count, lineNo, at, postmark, mboxrd!, opts.maxMessageBytes);
      lastBlank = false;
      continue;
    }
    lastBlank = isBlank(line);
    if (current) current.add(line);
    else if (!preamble) {
      preamble = true;
      yield { index: 0, line: lineNo, problem: 'not an mbox: text before the first "From " postmark line' };
    }
  }
  // Growing: the last message is whole only once a blank line (with its line end) closes it.
  if (current && (!opts.growing || (lastBlank && current.lines > 0))) yield* finished(current, opts.maxMessageBytes, offset);
}

/** A finished message, or the problem it is (too big, nothing after its postmark). */
function* finished(c: Collector, max: number, end: number): Generator<RawMessage | SplitProblem> {
  if (!c.oversize && c.onlyBlank) {
    yield { index: c.index, line: c.line, problem: 'empty message after the postmark' };
    return;
  }
  yield c.finish(max, end);
}

export function isSplitProblem(x: RawMessage | SplitProblem): x is SplitProblem {
  return (x as SplitProblem).problem !== undefined;
}
