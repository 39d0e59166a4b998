/**
 * The writer thread's body (src/jobs/intake-writer.ts): one connection; the rows handed over
 * are held until the intake asks for their commit (messages on a port arrive in order, so a
 * commit covers exactly what was added before it).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { collectGarbage } from './gc.js';
import { commitBatch, type CommitMeta, type Deletion, type Row } from './intake-commit.js';
import type { WriterData } from './intake-writer.js';
import { openState } from './state.js';

type Message = { add: { rows: Row[]; deletions: Deletion[] } } | { id: number; commit: CommitMeta } | { close: true };

const data = workerData as WriterData;
const db = openState(data.file);
db.pragma(`wal_autocheckpoint = ${data.checkpointPages}`);
let rows: Row[] = [];
let deletions: Deletion[] = [];

parentPort!.on('message', (m: Message) => {
  if ('add' in m) {
    for (const r of m.add.rows) rows.push(r);
    for (const d of m.add.deletions) deletions.push(d);
  } else if ('commit' in m) {
    const batch = { ...m.commit, rows, deletions };
    rows = [];
    deletions = [];
    try {
      // a transferred Buffer arrives as a plain Uint8Array: bound as a blob all the same
      parentPort!.postMessage({ id: m.id, ok: commitBatch(db, batch) });
      // the batch's rows were promoted while they waited: collected now, not when the heap is large
      batch.rows = [];
      collectGarbage();
    } catch (err) {
      parentPort!.postMessage({ id: m.id, error: (err as Error).message });
    }
  } else {
    db.close();
    parentPort!.close();
  }
});
