/**
 * One long-lived `git cat-file --batch` per repository. simple-git spawns a process per call
 * (~3 ms each), which would make a 20,000-message backfill spend a minute in fork/exec alone;
 * the batch protocol reads blobs at pipe speed. Requests are answered in order, so a FIFO of
 * promises is all the bookkeeping needed.
 *
 * A backfill reads every blob of the archive through here, so the bytes are touched once:
 * requests made together go out in one write, and a blob that lies within one chunk of git's
 * output is handed over as a view of that chunk, not copied (a caller that keeps it for long
 * copies it, or it keeps the chunk alive).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

interface Pending {
  oid: string;
  resolve(b: Buffer): void;
  reject(e: Error): void;
}

/** A blob whose bytes span chunks: filled as they arrive. */
interface Spanning {
  body: Buffer;
  filled: number;
}

export class CatFile {
  private proc?: ChildProcessWithoutNullStreams;
  private queue: Pending[] = [];
  /** Bytes of a header line not complete yet. */
  private head: Buffer = Buffer.alloc(0);
  private partial?: Spanning;
  /** The LF after a blob's bytes, when the chunk ended before it. */
  private skipLf = false;
  private requests: string[] = [];
  private failed?: Error;

  constructor(private readonly gitDir: string) {}

  read(oid: string): Promise<Buffer> {
    if (this.failed) return Promise.reject(this.failed);
    this.start();
    return new Promise((resolve, reject) => {
      this.queue.push({ oid, resolve, reject });
      // One write for the requests of this turn (a window asks for hundreds at once).
      if (this.requests.push(oid) === 1) queueMicrotask(() => this.flush());
    });
  }

  close(): void {
    this.flush();
    this.proc?.stdin.end();
    this.proc = undefined;
  }

  private flush(): void {
    if (!this.requests.length || !this.proc) return;
    this.proc.stdin.write(this.requests.join('\n') + '\n');
    this.requests = [];
  }

  private start(): ChildProcessWithoutNullStreams {
    if (this.proc) return this.proc;
    const proc = spawn('git', ['--git-dir', this.gitDir, 'cat-file', '--batch'], { stdio: 'pipe' });
    const gather = gathering(proc.stdout);
    proc.stdout.on('data', (chunk: Buffer) => {
      this.onData(chunk);
      gather(chunk.length);
    });
    proc.on('error', (e) => this.fail(e));
    proc.on('exit', (code) => {
      if (this.queue.length) this.fail(new Error(`git cat-file exited (${code}) in ${this.gitDir}`));
    });
    this.proc = proc;
    return proc;
  }

  private fail(e: Error): void {
    this.failed = e;
    for (const p of this.queue.splice(0)) p.reject(e);
  }

  /** Parse `<oid> blob <size>\n<bytes>\n` or `<oid> missing\n`, as many as the chunk completes. */
  private onData(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.skipLf) {
        this.skipLf = false;
        at++;
        continue;
      }
      if (this.partial) {
        at = this.fill(this.partial, chunk, at);
        continue;
      }
      const nl = chunk.indexOf(0x0a, at);
      if (nl < 0) {
        this.head = Buffer.concat([this.head, chunk.subarray(at)]);
        return;
      }
      const line = (this.head.length ? Buffer.concat([this.head, chunk.subarray(at, nl)]) : chunk.subarray(at, nl)).toString('latin1');
      this.head = Buffer.alloc(0);
      at = nl + 1;
      const head = this.queue[0];
      if (!head) return;
      const m = /^(\S+) (\S+) (\d+)$/.exec(line);
      if (!m) {
        this.queue.shift();
        head.reject(new Error(`git object ${head.oid}: ${line}`));
        continue;
      }
      const size = Number(m[3]);
      if (at + size < chunk.length) {
        // the whole blob and its LF are in this chunk: a view, no copy
        this.queue.shift();
        head.resolve(chunk.subarray(at, at + size));
        at += size + 1;
      } else {
        this.partial = { body: Buffer.allocUnsafe(size), filled: 0 };
      }
    }
  }

  /** Copy what the chunk has of a spanning blob; resolve it when complete. The next offset. */
  private fill(p: Spanning, chunk: Buffer, at: number): number {
    const n = Math.min(p.body.length - p.filled, chunk.length - at);
    chunk.copy(p.body, p.filled, at, at + n);
    p.filled += n;
    at += n;
    if (p.filled < p.body.length) return at;
    this.partial = undefined;
    this.queue.shift()?.resolve(p.body);
    if (at < chunk.length) return at + 1; // its LF
    this.skipLf = true;
    return at;
  }
}

/** Pipe handle methods node has on a child's stdout (not in its types: the stream's own pause() buffers on). */
interface PipeHandle {
  readStop(): number;
  readStart(): number;
}

/**
 * git writes each blob with a write of its own, and node reads a pipe as soon as anything is in
 * it: a backfill came in as 280,000 chunks of a few hundred bytes, and the cost of a read in
 * node (~17 us) was most of the intake's reading. After a short chunk the pipe is left alone for
 * a millisecond (git keeps writing into it meanwhile, 64 KiB of room), then read in one go:
 * 4,400 chunks for the same 200,000 blobs (bench/ingest-backfill.ts). Where the handle is not
 * there (another runtime), reads are as they were.
 */
function gathering(stream: NodeJS.ReadableStream): (length: number) => void {
  const handle = (stream as unknown as { _handle?: Partial<PipeHandle> })._handle;
  if (typeof handle?.readStop !== 'function' || typeof handle.readStart !== 'function') return () => undefined;
  const h = handle as PipeHandle;
  let resting = false;
  return (length) => {
    if (resting || length >= GATHERED) return;
    resting = true;
    h.readStop();
    setTimeout(() => {
      resting = false;
      // not on a handle closed meanwhile (git exited, the reader was closed)
      if ((stream as unknown as { _handle?: unknown })._handle === h) h.readStart();
    }, 1);
  };
}

/** A chunk this long is read as it comes: the pipe is busy enough already. */
const GATHERED = 32 << 10;
