/**
 * Byte sources: a file or stdin as a stream of Buffers whose first bytes can be looked at
 * before deciding how to read it (gzip magic, mbox postmark, mail headers, diff).
 */
import { createReadStream, readFileSync, readSync, statSync } from 'node:fs';
import { pipeline, Readable } from 'node:stream';

const CHUNK = 64 * 1024;

/** A stream of Buffers with a look-ahead buffer in front. */
export class Peekable implements AsyncIterable<Buffer> {
  private head: Buffer[] = [];
  private headBytes = 0;
  private done = false;
  /** A read error met while peeking: raised once the bytes before it have been consumed. */
  private error: unknown;
  private readonly it: AsyncIterator<Buffer>;

  constructor(source: AsyncIterable<Buffer>) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** At least `n` bytes from the start (fewer at end of input), without consuming them. */
  async peek(n: number): Promise<Buffer> {
    while (this.headBytes < n && !this.done) {
      let r: IteratorResult<Buffer>;
      try {
        r = await this.it.next();
      } catch (err) {
        if (this.headBytes === 0) throw err;
        this.error = err;
        this.done = true;
        break;
      }
      if (r.done) this.done = true;
      else {
        const chunk = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
        this.head.push(chunk);
        this.headBytes += chunk.length;
      }
    }
    if (this.head.length > 1) this.head = [Buffer.concat(this.head)];
    return (this.head[0] ?? Buffer.alloc(0)).subarray(0, n);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    const head = this.head;
    this.head = [];
    yield* head;
    if (this.error) throw this.error;
    if (this.done) return;
    for (let r = await this.it.next(); !r.done; r = await this.it.next()) {
      yield Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
    }
  }

  /** Everything that is left, as one Buffer, refusing more than `max` bytes. */
  async readAll(max: number): Promise<Buffer | undefined> {
    const parts: Buffer[] = [];
    let n = 0;
    for await (const chunk of this) {
      n += chunk.length;
      if (n > max) return undefined;
      parts.push(chunk);
    }
    return Buffer.concat(parts);
  }
}

export function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** Files up to this size are read in one call; larger ones (a list archive) are streamed. */
const READ_WHOLE = 4 * 1024 * 1024;

/**
 * A file's bytes. A patch or a series is read in one call: fs read streams are a few ms of a
 * cold start (node loads them on first use) that one small file does not need.
 */
function fileChunks(path: string): AsyncIterable<Buffer> {
  const size = statSync(path, { throwIfNoEntry: false })?.size;
  if (size === undefined || size > READ_WHOLE) return createReadStream(path, { highWaterMark: CHUNK });
  const whole = readFileSync(path);
  return (async function* () {
    for (let at = 0; at < whole.length; at += CHUNK) yield whole.subarray(at, at + CHUNK);
  })();
}

/**
 * Standard input read with readSync: b4 pipes each patch to a check of its own, and
 * process.stdin would build a stream (and for a file, load fs streams) to read a few KB. A
 * non-blocking pipe says EAGAIN before it has given anything away: the rest then comes
 * through process.stdin, after the bytes read so far.
 */
async function* stdinChunks(): AsyncGenerator<Buffer> {
  const buf = Buffer.allocUnsafe(CHUNK);
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buf, 0, CHUNK, null);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EOF') return; // Windows: the writer closed the pipe
      if (code !== 'EAGAIN') throw err;
      yield* process.stdin;
      return;
    }
    if (n === 0) return;
    yield Buffer.from(buf.subarray(0, n));
  }
}

/** Open a file (or `-` for stdin), transparently gunzipping when the magic bytes say gzip. */
export async function openBytes(path: string): Promise<Peekable> {
  const raw = new Peekable(path === '-' ? stdinChunks() : fileChunks(path));
  if (!isGzip(await raw.peek(2))) return raw;
  // Loaded only for gzip: node:zlib is a few ms of a cold start that reads a plain patch.
  const { createGunzip } = await import('node:zlib');
  // pipeline() (not pipe()) so that a read error or a corrupt gzip reaches the consumer.
  const gunzip = pipeline(Readable.from(raw), createGunzip({ chunkSize: CHUNK }), () => {});
  return new Peekable(gunzip);
}
