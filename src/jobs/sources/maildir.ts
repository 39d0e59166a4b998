/**
 * A Maildir (new/ and cur/). No cursor: a Maildir file name is unique for the life of the
 * message (only the `:2,FLAGS` suffix changes when it is read or moved to cur/), so the job
 * records `maildir:<name>` and never opens a file it has already recorded.
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ReadContext, Source, Unit } from './types.js';

export function isMaildir(dir: string): boolean {
  return existsSync(join(dir, 'cur')) && existsSync(join(dir, 'new'));
}

export class MaildirSource implements Source {
  readonly kind = 'maildir' as const;
  constructor(readonly id: string) {}

  async fetch(): Promise<void> {}
  close(): void {}

  async *units(ctx: ReadContext): AsyncGenerator<Unit> {
    const files: { name: string; path: string }[] = [];
    for (const sub of ['new', 'cur']) {
      for (const f of readdirSync(join(this.id, sub))) {
        if (f.startsWith('.')) continue;
        files.push({ name: f.replace(/:2,[A-Za-z]*$/, ''), path: join(this.id, sub, f) });
      }
    }
    // Delivery order: Maildir names start with the delivery time in seconds.
    files.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
    const fresh = files.filter((f) => !ctx.seen(`maildir:${basename(this.id)}:${f.name}`));
    ctx.planned(fresh.length);
    for (const f of fresh) {
      const key = `maildir:${basename(this.id)}:${f.name}`;
      yield { epoch: 'maildir', items: [{ key, origin: `${basename(this.id)}/${f.name}`, read: () => readFile(f.path) }] };
    }
  }
}
