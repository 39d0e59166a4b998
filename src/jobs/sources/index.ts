/** SOURCE auto-detection: public-inbox v2 or v1, Maildir, mbox; a clear error otherwise. */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError } from '../../errors.js';
import { MaildirSource, isMaildir } from './maildir.js';
import { MboxSource } from './mbox.js';
import { PublicInboxSource, isBareRepo, isV2Inbox } from './public-inbox.js';
import type { Source } from './types.js';

export function openSource(path: string): Source {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new UserError('no such inbox, Maildir or mbox', path);
  if (statSync(abs).isFile()) return new MboxSource(abs);
  if (isV2Inbox(abs) || isBareRepo(abs)) return new PublicInboxSource(abs);
  if (isMaildir(abs)) return new MaildirSource(abs);
  throw new UserError('not a public-inbox inbox (git/N.git or a bare repository), a Maildir or an mbox file', path);
}

export type { Source, Unit, RawItem } from './types.js';
