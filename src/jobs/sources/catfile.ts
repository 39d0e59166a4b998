/**
 * One long-lived `git cat-file --batch` per repository. simple-git spawns a process per call
 * (~3 ms each), which would make a 20,000-message backfill spend a minute in fork/exec alone;
 * the batch protocol reads blobs at pipe speed. Requests are answered in order, so a FIFO of
 * promises is all the bookkeeping needed.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

interface Pending {
  oid: string;
  resolve(b: Buffer): void;
  reject(e: Error): void;
}

export class CatFile {
  private proc?: ChildProcessWithoutNullStreams;
  private queue: Pending[] = [];
  private buf: Buffer = Buffer.alloc(0);
  private failed?: Error;

  constructor(private readonly gitDir: string) {}

  read(oid: string): Promise<Buffer> {
    if (this.failed) return Promise.reject(this.failed);
    const proc = this.start();
    return new Promise((resolve, reject) => {
      this.queue.push({ oid, resolve, reject });
      proc.stdin.write(oid + '\n');
    });
  }

  close(): void {
    this.proc?.stdin.end();
    this.proc = undefined;
  }

  private start(): ChildProcessWithoutNullStreams {
    if (this.proc) return this.proc;
    const proc = spawn('git', ['--git-dir', this.gitDir, 'cat-file', '--batch'], { stdio: 'pipe' });
    proc.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
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

  /** Parse `<oid> blob <size>\n<bytes>\n` or `<oid> missing\n`, as many as are complete. */
  private onData(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      const nl = this.buf.indexOf(0x0a);
      if (nl < 0) return;
      const header = this.buf.subarray(0, nl).toString('latin1');
      const head = this.queue[0];
      if (!head) return;
      const m = /^(\S+) (\S+) (\d+)$/.exec(header);
      if (!m) {
        this.queue.shift();
        this.buf = this.buf.subarray(nl + 1);
        head.reject(new Error(`git object ${head.oid}: ${header}`));
        continue;
      }
      const size = Number(m[3]);
      if (this.buf.length < nl + 1 + size + 1) return;
      const body = Buffer.from(this.buf.subarray(nl + 1, nl + 1 + size));
      this.buf = this.buf.subarray(nl + 1 + size + 1);
      this.queue.shift();
      head.resolve(body);
    }
  }
}
