/**
 * Which kind of input is this? Decided from the first bytes (after gunzip), the way a
 * person would: a `From ` postmark is an mbox, a mail header block is one message, diff
 * markers are a bare diff.
 */
import { isFromLine, isHeaderLine } from './mbox.js';
import { headerFields } from './mime.js';

export type StreamFormat = 'mbox' | 'eml' | 'diff';

/** How many bytes detection looks at. */
export const SNIFF_BYTES = 64 * 1024;

const MAIL_HEADERS = ['from', 'subject', 'message-id', 'date', 'in-reply-to', 'received', 'return-path', 'mime-version'];

/** A diff starts somewhere in here: git's header, `diff -u`'s `---`/`+++` pair, or svn/quilt's `Index:`. */
export function looksLikeDiff(text: string): boolean {
  return /^diff --git /m.test(text) || /^--- \S.*\r?\n\+\+\+ \S/m.test(text) || /^Index: \S+\r?\n={20,}/m.test(text);
}

function looksLikeMailHead(text: string): boolean {
  if (!isHeaderLine(text)) return false;
  const block = text.split(/\r?\n\r?\n/, 1)[0];
  const fields = headerFields(block);
  return MAIL_HEADERS.some((h) => fields.has(h));
}

/** The format of a byte stream from its head, or undefined when it is none of ours. */
export function sniffFormat(head: Buffer): StreamFormat | undefined {
  const text = head.toString('latin1').replace(/^(\r?\n)+/, '');
  const first = text.split('\n', 1)[0];
  if (isFromLine(first)) return 'mbox';
  if (looksLikeMailHead(text)) return 'eml';
  if (looksLikeDiff(text)) return 'diff';
  return undefined;
}

/** For error messages: the first line of what we could not make sense of. */
export function firstLine(head: Buffer): string {
  const line = head.toString('latin1').replace(/^\s+/, '').split(/\r?\n/, 1)[0];
  return JSON.stringify(line.length > 60 ? line.slice(0, 57) + '...' : line);
}
