/**
 * A bare unified diff (git diff, diff -u, or `git show` output) as one Message: there is no
 * mail around it, so the subject comes from the file name (or from `git show`'s header).
 */
import { basename } from 'node:path';
import type { Message } from '../model.js';

/** `fix-reset.diff` -> `fix-reset`; stdin -> `stdin`. */
export function subjectFromName(path: string): string {
  if (path === '-') return 'stdin';
  return basename(path).replace(/(\.gz)?$/, '').replace(/\.(diff|patch|txt)$/, '') || basename(path);
}

/** `git show` / `git log -p` prints "commit <sha>", "Author: ...", "Date: ...", then the indented message. */
function gitShowHeader(text: string): { subject?: string; from?: string; date?: string; commit?: string } {
  const m = /^commit ([0-9a-f]{7,64})\b[^\n]*\n((?:[A-Za-z]+:[^\n]*\n)*)\n((?: {4}[^\n]*\n|\n)*)/.exec(text);
  if (!m) return {};
  const author = /^Author:\s*(.+)$/m.exec(m[2])?.[1].trim();
  const dateText = /^(?:Author)?Date:\s*(.+)$/m.exec(m[2])?.[1].trim();
  const date = dateText && !Number.isNaN(Date.parse(dateText)) ? new Date(dateText).toISOString() : undefined;
  const subject = m[3].split('\n').find((l) => l.trim())?.trim();
  return { subject, from: author, date, commit: m[1] };
}

export function diffMessage(bytes: Buffer, source: string, name: string): Message {
  const body = bytes.toString('utf8').replace(/\r\n/g, '\n');
  const show = gitShowHeader(body);
  const msg: Message = {
    source,
    subject: show.subject ?? subjectFromName(name),
    references: [],
    to: [],
    cc: [],
    body,
    attachments: [],
  };
  if (show.from) {
    msg.from = show.from;
    const addr = /<([^<>\s]+@[^<>\s]+)>/.exec(show.from)?.[1];
    if (addr) msg.fromAddress = addr.toLowerCase();
  }
  if (show.date) msg.date = show.date;
  return msg;
}
