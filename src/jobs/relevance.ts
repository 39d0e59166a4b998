/**
 * Which mails the job looks at. Cheap first: most list traffic is discussion or patches for
 * other subsystems, and a backfill of a busy list must not MIME-decode every message. The
 * header block is read by hand; only mails that may carry a patch go to the full parser.
 */
import { filesInText } from '../patch/followed.js';
import type { Message } from '../model.js';
import { parseSubject } from '../ingest/series.js';

export interface Headers {
  messageId?: string;
  subject: string;
  from?: string;
  fromAddress?: string;
  date?: string;
  inReplyTo?: string;
  /** The first of References: the thread's root. */
  references?: string;
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
  const fields = wantedFields(raw.toString('utf8', 0, headerEnd(raw)));
  if (!fields) return undefined;
  const from = fields.get('from');
  const multipart = /^multipart\//i.test(fields.get('content-type') ?? '');
  return {
    messageId: own(firstId(fields.get('message-id'))),
    subject: own(decodeWords(fields.get('subject') ?? '')),
    from: own(from),
    fromAddress: own(from ? (/<([^<>\s]+@[^<>\s]+)>/.exec(from)?.[1] ?? /(\S+@\S+)/.exec(from)?.[1])?.toLowerCase() : undefined),
    date: own(fields.get('date')),
    inReplyTo: own(firstId(fields.get('in-reply-to'))),
    references: own(firstId(fields.get('references'))),
    encoded: encodedAnywhere(raw, fields, multipart),
    multipart,
  };
}

/** Where the header block ends (its blank line), or where to stop looking for one. */
function headerEnd(raw: Buffer): number {
  const lf = raw.indexOf('\n\n');
  // a CRLF blank line can only come first if it is before the LF one: search no further
  const crlf = (lf < 0 ? raw : raw.subarray(0, lf + 2)).indexOf('\r\n\r\n');
  const end = crlf >= 0 ? crlf : lf;
  return end < 0 ? Math.min(raw.length, 65536) : end;
}

/** The fields the intake reads. Others (Received, DKIM, ...) are a mail's bulk and are passed over. */
const WANTED = new Set(['message-id', 'subject', 'from', 'date', 'in-reply-to', 'references', 'content-type', 'content-transfer-encoding']);
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

/**
 * The WANTED fields of a header block, unfolded as headerFields (src/ingest/mime.ts) unfolds
 * them, the first of each name; undefined when the block has no field at all (not a mail).
 * One pass over the lines, and only a wanted field's lines become strings of their own.
 */
function wantedFields(block: string): Map<string, string> | undefined {
  const out = new Map<string, string>();
  let any = false;
  let current: string | undefined; // the wanted field being read (continuation lines join it)
  let value = '';
  const close = () => {
    if (current !== undefined && !out.has(current)) out.set(current, value.trim());
    current = undefined;
  };
  for (let at = 0; at <= block.length; ) {
    let nl = block.indexOf('\n', at);
    if (nl < 0) nl = block.length;
    const stop = nl > at && block.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    const c = block.charCodeAt(at);
    if (c === 32 || c === 9) {
      if (current !== undefined) value += ' ' + block.slice(at, stop).replace(/^[ \t]+/, '');
    } else {
      close();
      const colon = block.indexOf(':', at);
      if (colon > at && colon < stop) {
        const name = block.slice(at, colon).replace(/[ \t]+$/, '').toLowerCase();
        if (FIELD_NAME.test(name)) {
          any = true;
          if (WANTED.has(name)) {
            current = name;
            value = block.slice(colon + 1, stop);
          }
        }
      }
    }
    at = nl + 1;
  }
  close();
  return any ? out : undefined;
}

/** The first `<id>` of a Message-ID, In-Reply-To or References field. */
function firstId(v: string | undefined): string | undefined {
  return v === undefined ? undefined : /<([^<>\s]+)>/.exec(v)?.[1];
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

