/**
 * The intake's writer thread, seen from the intake: `commit(batch)` hands a batch to a worker
 * that owns a connection of its own and runs commitBatch (src/jobs/intake-commit.ts) there.
 * A transaction of 16,384 rows holds a thread for a few hundred milliseconds; on the intake's
 * thread that also stalled git, whose pipes were not read meanwhile. The intake keeps at most
 * one batch in flight and treats its keys and Message-IDs as recorded until it is committed.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CommitMeta, Committed, Deletion, Row } from './intake-commit.js';

export interface WriterData {
  file: string;
  /** WAL pages before SQLite copies them back (see intake.ts). */
  checkpointPages: number;
}

type Reply = { id: number; ok: Committed } | { id: number; error: string };

export class IntakeWriter {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve(c: Committed): void; reject(e: Error): void }>();
  private lastId = 0;
  private failed?: Error;

  constructor(data: WriterData) {
    const { script, eval: evaluated } = writerScript();
    this.worker = new Worker(script, { workerData: data, eval: evaluated });
    this.worker.on('message', (m: Reply) => {
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if ('ok' in m) w?.resolve(m.ok);
      else w?.reject(new Error(m.error));
    });
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => this.fail(new Error(`the intake's writer thread exited (${code})`)));
  }

  /** Rows and deletions of the next commit (the thread holds them until then). */
  add(rows: Row[], deletions: Deletion[]): void {
    if (this.failed || (!rows.length && !deletions.length)) return;
    // The bytes kept for review move to the thread instead of being copied (each owns its memory).
    const transfer = rows.flatMap((r) => (r.raw ? [r.raw.buffer as ArrayBuffer] : []));
    this.worker.postMessage({ add: { rows, deletions } }, transfer);
  }

  /** Commit what was added since the last commit, in one transaction. */
  commit(meta: CommitMeta): Promise<Committed> {
    if (this.failed) return Promise.reject(this.failed);
    const id = ++this.lastId;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, commit: meta });
    });
  }

  /** Let the thread close its connection and end (after the commits asked for). */
  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    const exited = new Promise((done) => this.worker.once('exit', done));
    this.worker.postMessage({ close: true });
    await exited;
  }

  private fail(e: Error): void {
    this.failed ??= e;
    for (const w of this.waiting.values()) w.reject(this.failed);
    this.waiting.clear();
  }
}

/**
 * From the CLI bundle: its file in build/. From the sources (tsx: the tests): the TypeScript
 * entry, loaded after registering tsx in the thread (tsx's `--import` hook does not reach a
 * worker on node 20; its API does).
 */
function writerScript(): { script: string | URL; eval?: true } {
  if (!import.meta.url.endsWith('.ts')) return { script: new URL('../../build/intake-writer.cjs', import.meta.url) };
  const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const api = pathToFileURL(join(tsxDir, 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./intake-writer-thread.ts', import.meta.url).href;
  return { script: `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`, eval: true };
}
