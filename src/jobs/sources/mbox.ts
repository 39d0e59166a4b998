/**
 * An mbox file followed by byte offset. The cursor is the offset after the last message
 * recorded; a file shorter than the cursor was replaced or truncated, so it is read again
 * from the start and the job skips the messages it already has (keys are sha1 of the bytes).
 *
 * Split by src/ingest/mbox.ts's splitter (its postmark rules and `>From ` unquoting), in its
 * `growing` mode: the last message is read only once it is complete.
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { isSplitProblem, splitMbox } from '../../ingest/mbox.js';
import type { ReadContext, Source, Unit } from './types.js';

export class MboxSource implements Source {
  readonly kind = 'mbox' as const;
  constructor(readonly id: string) {}

  async fetch(): Promise<void> {}
  close(): void {}

  async *units(ctx: ReadContext): AsyncGenerator<Unit> {
    const size = statSync(this.id).size;
    let start = Number(ctx.getCursor('mbox') ?? 0);
    if (start > size) {
      ctx.warn(`${this.id}: shorter than the recorded offset (${start} > ${size}): file replaced; re-reading it, skipping messages already recorded`);
      start = 0;
    }
    if (start === size) return;
    ctx.planned(Math.max(1, Math.round((size - start) / 4096))); // a guess; the bar is by bytes/4 KiB
    // No size cap here: the job records every message and judges it later.
    const bytes = createReadStream(this.id, { start }) as AsyncIterable<Buffer>;
    for await (const m of splitMbox(bytes, { maxMessageBytes: Infinity, growing: true })) {
      if (isSplitProblem(m)) continue; // text before the first postmark: not a message
      const key = 'sha1:' + createHash('sha1').update(m.raw).digest('hex');
      const origin = `${basename(this.id)}@${start + m.offset}`;
      yield { epoch: 'mbox', position: String(start + m.end), items: [{ key, origin, read: async () => m.raw }] };
    }
  }
}
