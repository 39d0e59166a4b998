/**
 * A Maildir (new/ and cur/). No cursor: a Maildir file name is unique for the life of the
 * message (only the `:2,FLAGS` suffix changes when it is read or moved to cur/), so the job
 * records `maildir:<name>` and never opens a file it has already recorded.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { maildirEntries, type MaildirEntry } from '../../ingest/maildir.js';
import type { ReadContext, Source, Unit } from './types.js';

/** Both new/ and cur/ (stricter than reading one Maildir in src/ingest: a followed Maildir is a real one). */
export function isMaildir(dir: string): boolean {
  return existsSync(join(dir, 'cur')) && existsSync(join(dir, 'new'));
}

export class MaildirSource implements Source {
  readonly kind = 'maildir' as const;
  constructor(readonly id: string) {}

  async fetch(): Promise<void> {}
  close(): void {}

  async *units(ctx: ReadContext): AsyncGenerator<Unit> {
    const key = (f: MaildirEntry) => `maildir:${basename(this.id)}:${f.name}`;
    const fresh = (await maildirEntries(this.id)).filter((f) => !ctx.seen(key(f)));
    ctx.planned(fresh.length);
    for (const f of fresh) {
      yield { epoch: 'maildir', items: [{ key: key(f), origin: `${basename(this.id)}/${f.name}`, read: () => readFile(f.path) }] };
    }
  }
}
