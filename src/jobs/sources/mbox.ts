/**
 * An mbox file followed by byte offset. The cursor is the offset after the last message
 * recorded; a file shorter than the cursor was replaced or truncated, so it is read again
 * from the start and the job skips the messages it already has (keys are sha1 of the bytes).
 *
 * Split on Buffers, not strings (8-bit bodies must reach the MIME decoder intact): a message
 * starts at a postmark line (`From <sender> <date>`) at the start of the file or after a blank
 * line; `>From ` quoting (mboxrd) loses one `>`. The last message is read only once it ends
 * with a blank line (complete).
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { ReadContext, Source, Unit } from './types.js';

const POSTMARK = /^From \S+ +(?:\S+ +){0,1}(Mon|Tue|Wed|Thu|Fri|Sat|Sun) +\w{3} +\d{1,2} +\d{1,2}:\d\d(:\d\d)? +\d{4}/;

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
    for await (const m of splitMbox(this.id, start)) {
      const key = 'sha1:' + createHash('sha1').update(m.raw).digest('hex');
      const origin = `${basename(this.id)}@${m.start}`;
      yield { epoch: 'mbox', position: String(m.end), items: [{ key, origin, read: async () => m.raw }] };
    }
  }
}

/** Yields each message with its byte span; the postmark line is not part of `raw`. */
export async function* splitMbox(file: string, from = 0): AsyncGenerator<{ raw: Buffer; start: number; end: number }> {
  let pending: Buffer = Buffer.alloc(0);
  let offset = from; // file offset of pending[0]
  let lines: Buffer[] = [];
  let msgStart = -1;
  let prevBlank = true;
  const flush = (end: number) => {
    if (msgStart < 0) return undefined;
    // The blank line before the next postmark belongs to the separator, not the message.
    while (lines.length && lines[lines.length - 1].length <= 2 && /^\r?\n?$/.test(lines[lines.length - 1].toString('latin1'))) lines.pop();
    const out = { raw: Buffer.concat(lines), start: msgStart, end };
    lines = [];
    return out;
  };
  for await (const chunk of createReadStream(file, { start: from })) {
    pending = pending.length ? Buffer.concat([pending, chunk as Buffer]) : (chunk as Buffer);
    let pos = 0;
    for (;;) {
      const nl = pending.indexOf(0x0a, pos);
      if (nl < 0) break;
      const line = pending.subarray(pos, nl + 1);
      const lineStart = offset + pos;
      pos = nl + 1;
      if (prevBlank && line.length >= 20 && line[0] === 0x46 && POSTMARK.test(line.toString('latin1'))) {
        const done = flush(lineStart);
        if (done) yield done;
        msgStart = lineStart;
        prevBlank = false;
        continue;
      }
      prevBlank = line.length <= 2 && (line.length === 1 || line[0] === 0x0d);
      if (msgStart >= 0) lines.push(unquote(line));
    }
    offset += pos;
    pending = Buffer.from(pending.subarray(pos));
  }
  // The last message counts only once it is terminated by a blank line: a writer may be in
  // the middle of appending it, and the cursor must not move past half a message.
  if (pending.length === 0 && prevBlank) {
    const last = flush(offset);
    if (last) yield last;
  }
}

/** mboxrd: `>From ` -> `From `, `>>From ` -> `>From `. */
function unquote(line: Buffer): Buffer {
  if (line[0] !== 0x3e) return line;
  let i = 0;
  while (line[i] === 0x3e) i++;
  return line.subarray(i, i + 5).toString('latin1') === 'From ' ? line.subarray(1) : line;
}
