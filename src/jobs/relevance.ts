/**
 * Which mails the job looks at. Cheap first: most list traffic is discussion or patches for
 * other subsystems, and a backfill of a busy list must not MIME-decode every message. The
 * header block is read by hand; only mails that may carry a patch go to the full parser.
 */
import { filesInText } from '../patch/followed.js';
import type { Message } from '../model.js';
import { headerFields } from '../ingest/mime.js';
import { parseSubject } from '../ingest/series.js';

export interface Headers {
  messageId?: string;
  subject: string;
  from?: string;
  fromAddress?: string;
  date?: string;
  inReplyTo?: string;
  references: string[];
  encoded: boolean; // base64 / quoted-printable somewhere: the body must be decoded to see a diff
  multipart: boolean; // attachments possible: only the MIME parser can say what is in it
}

export interface Tags {
  version: number;
  index: number;
  total: number;
  title: string;
  isPatch: boolean;
  isReply: boolean;
}

/** Unfolded header fields of a raw message; undefined when there is no header block at all. */
export function quickHeaders(raw: Buffer): Headers | undefined {
  let end = raw.indexOf('\n\n');
  const crlf = raw.indexOf('\r\n\r\n');
  if (crlf >= 0 && (end < 0 || crlf < end)) end = crlf;
  const fields = headerFields(raw.subarray(0, end < 0 ? Math.min(raw.length, 65536) : end).toString('utf8'));
  if (fields.size === 0) return undefined;
  const ids = (v?: string) => [...(v ?? '').matchAll(/<([^<>\s]+)>/g)].map((x) => x[1]);
  const from = fields.get('from');
  const multipart = /^multipart\//i.test(fields.get('content-type') ?? '');
  return {
    messageId: own(ids(fields.get('message-id'))[0]),
    subject: own(decodeWords(fields.get('subject') ?? '')),
    from: own(from),
    fromAddress: own(from ? (/<([^<>\s]+@[^<>\s]+)>/.exec(from)?.[1] ?? /(\S+@\S+)/.exec(from)?.[1])?.toLowerCase() : undefined),
    date: own(fields.get('date')),
    inReplyTo: own(ids(fields.get('in-reply-to'))[0]),
    references: ids(fields.get('references')).map((r) => own(r)),
    encoded: encodedAnywhere(raw, fields, multipart),
    multipart,
  };
}

const ENCODED = /content-transfer-encoding:\s*(base64|quoted-printable)/i;

/**
 * A single-part mail is encoded when its own header says so; a multipart one when any part's
 * header does, which only a scan of the body finds (rare: most list mail is one text part,
 * whose bytes are not turned into a string here).
 */
function encodedAnywhere(raw: Buffer, fields: Map<string, string>, multipart: boolean): boolean {
  if (/^\s*(base64|quoted-printable)/i.test(fields.get('content-transfer-encoding') ?? '')) return true;
  return multipart && ENCODED.test(raw.toString('latin1'));
}

/**
 * A copy of a header value that keeps only itself alive. V8 makes a substring of 13 or more
 * characters a slice of its parent: a subject kept in a row would keep the mail's whole header
 * block (a few KB of Received and DKIM lines) until the batch commits, 16,384 of them at a time.
 */
function own<T extends string | undefined>(s: T): T {
  return (s === undefined ? s : (' ' + s).slice(1)) as T;
}

/** RFC 2047 words (only for the subject's tags; the full parser decodes the rest properly). */
function decodeWords(s: string): string {
  return s.replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=\s*/g, (_, _cs: string, enc: string, text: string) => {
    if (enc.toUpperCase() === 'B') return Buffer.from(text, 'base64').toString('utf8');
    return Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
  });
}

/** `[RFC PATCH v2 3/7] subsys: title` -> version 2, index 3, total 7 (ingest's one tag parser). */
export function subjectTags(subject: string): Tags {
  const info = parseSubject(subject);
  const s = info.series;
  return {
    version: s?.version ?? 1,
    index: s?.index ?? 1,
    total: s?.total ?? 1,
    title: info.title,
    isPatch: s !== undefined && s.prefixes.some((p) => /PATCH/i.test(p)),
    isReply: info.reply || /^\s*fwd?\s*:/i.test(subject),
  };
}

/** A subject tagged as a patch ([PATCH], [RFC PATCH v2 3/7], ...): a cover letter or a patch may follow. */
export const PATCH_SUBJECT = /\[[^\]]*PATCH/i;

/** Might the body carry a diff? (Decided on bytes; encoded mails are always decoded.) */
export function mayCarryPatch(raw: Buffer, h: Headers): boolean {
  return h.encoded || raw.includes('\ndiff --git ') || raw.includes('\n+++ ') || PATCH_SUBJECT.test(h.subject);
}

/** Paths a patch mail touches: `diff --git a/X b/Y` and `+++ b/Y` in the body and attachments. */
export function patchFiles(msg: Message): string[] {
  return filesInText([msg.body, ...msg.attachments.map((a) => a.text)]);
}


/** A single-part mail without transfer encoding: its bytes are its text, no MIME parser needed. */
export function isPlain(h: Headers): boolean {
  return !h.encoded && !h.multipart;
}

