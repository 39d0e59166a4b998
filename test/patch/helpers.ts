/** Test helpers for the patch stage: Messages built directly from files (no ingest). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { Message } from '../../src/model.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SAMPLE_DIR = join(ROOT, 'samples', 'vfio-pci-reset-done-v18');

/** A Message from a git format-patch file: headers parsed crudely, body after the blank line. */
export function messageFromPatchFile(path: string, extra: Partial<Message> = {}): Message {
  return messageFromText(readFileSync(path, 'utf8'), path, extra);
}

export function messageFromText(text: string, source: string, extra: Partial<Message> = {}): Message {
  const norm = text.replace(/\r\n/g, '\n');
  const cut = norm.indexOf('\n\n');
  const head = cut < 0 ? '' : norm.slice(0, cut);
  const hasHeaders = /^(From |[A-Za-z-]+: )/.test(head);
  const headers = hasHeaders ? head.replace(/\n[ \t]+/g, ' ') : '';
  const get = (k: string) => new RegExp(`^${k}: (.*)$`, 'mi').exec(headers)?.[1]?.trim();
  const body = hasHeaders ? text.slice(text.indexOf(text.includes('\r\n\r\n') ? '\r\n\r\n' : '\n\n') + (text.includes('\r\n\r\n') ? 4 : 2)) : text;
  return {
    source,
    subject: get('Subject') ?? '',
    from: get('From'),
    messageId: get('Message-Id')?.replace(/[<>]/g, ''),
    inReplyTo: get('In-Reply-To')?.replace(/[<>]/g, ''),
    references: [],
    to: [],
    cc: [],
    body,
    attachments: [],
    ...extra,
  };
}

/** A bare diff as a Message (what ingest makes of a .diff file). */
export function messageFromDiff(text: string, source = 'test.diff'): Message {
  return { source, subject: '', references: [], to: [], cc: [], body: text, attachments: [] };
}
