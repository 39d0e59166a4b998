/**
 * One raw RFC 822 message -> Message, through mailparser with untrusted-input settings.
 */
import type { AddressObject, Attachment, ParsedMail } from 'mailparser';
import type { Message } from '../model.js';
import { LimitError, UserError } from '../errors.js';
import { formatBytes, isHeaderLine } from './mbox.js';
import { checkMimeShape, flowedTextParts, headerFields } from './mime.js';
import { LIMITS, limitsOf, type Limits } from './limits.js';
import { readPlainMail } from './plainmail.js';

export const DEFAULT_MAX_MESSAGE_BYTES = LIMITS.messageBytes;

export interface MailOptions {
  maxMessageBytes?: number;
  /** Header, MIME and size limits (src/ingest/limits.ts); maxMessageBytes wins over messageBytes. */
  limits?: Partial<Limits>;
}

/** One message could not be read; the input as a whole may still be fine. */
export class MessageError extends UserError {
  constructor(message: string, source: string) {
    super(message, source);
    this.name = 'MessageError';
  }
}

// Mail is untrusted: no HTML conversion, no linkify (its regexes are the ReDoS surface),
// no attachment hashing, and tight structural limits.
const PARSER_OPTIONS = {
  skipHtmlToText: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  skipImageLinks: true,
  maxHtmlLengthToParse: 64 * 1024,
  keepCidLinks: true,
  checksumAlgo: false as const,
  maxHeadSize: 256 * 1024,
  maxChildNodes: 200,
};

/** Headers that make a block of `Name: value` lines a mail rather than, say, a diff's `Index:`. */
const MAIL_HEADERS = ['from', 'subject', 'message-id', 'date', 'in-reply-to'];

/** Check the message starts with a mail header block, before handing it to the parser. */
function checkShape(raw: Buffer, source: string, limits: Limits): void {
  const max = limits.messageBytes;
  if (raw.length > max) {
    throw new LimitError(`message is ${formatBytes(raw.length)}, over the ${formatBytes(max)} limit`, source);
  }
  const start = raw.subarray(0, 64 * 1024).toString('latin1');
  if (start.trim() === '') throw new MessageError('empty message', source);
  if (!isHeaderLine(start)) throw new MessageError(`no mail headers (starts with ${describeStart(start)})`, source);
  const block = headerBlock(raw, limits);
  const fields = headerFields(block);
  if (!MAIL_HEADERS.some((h) => fields.has(h))) {
    throw new MessageError(`no From, Subject, Message-ID or Date header`, source);
  }
  checkMimeShape(raw, limits);
}

/** The header block (up to the first blank line), within the header size and line limits. */
function headerBlock(raw: Buffer, limits: Limits): string {
  const head = raw.subarray(0, limits.headerBytes + 4).toString('latin1');
  const end = /\r?\n\r?\n/.exec(head);
  if (!end && raw.length > limits.headerBytes) {
    throw new LimitError(`too large: the header block is over the limit of ${formatBytes(limits.headerBytes)}`);
  }
  const block = end ? head.slice(0, end.index) : head;
  let from = 0;
  for (let nl = block.indexOf('\n'); from < block.length; nl = block.indexOf('\n', from)) {
    const to = nl < 0 ? block.length : nl;
    if (to - from > limits.headerLine) {
      throw new LimitError(`too large: a header line of ${to - from} bytes, over the limit of ${limits.headerLine} bytes`);
    }
    from = to + 1;
  }
  return block;
}

/** The first line, quoted, for an error message; binary bytes are not printed. */
function describeStart(text: string): string {
  if (/[\x00-\x08\x0e-\x1f\x7f-\xff]/.test(text.slice(0, 80))) return 'binary data';
  const line = text.split(/\r?\n/, 1)[0];
  return JSON.stringify(line.length > 60 ? line.slice(0, 57) + '...' : line);
}

/** `<a@b>` -> `a@b`; the first id when a header holds several. */
function bareId(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const m = /<([^<>\s]+)>/.exec(value);
  return m ? m[1] : value.trim().split(/\s+/)[0] || undefined;
}

function allIds(value: string | string[] | undefined): string[] {
  const text = Array.isArray(value) ? value.join(' ') : (value ?? '');
  const ids = [...text.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]);
  return ids.length ? ids : text.split(/\s+/).filter(Boolean);
}

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  const out: string[] = [];
  for (const obj of value === undefined ? [] : Array.isArray(value) ? value : [value]) {
    const walk = (list: typeof obj.value): void => {
      for (const a of list) {
        if (a.group) walk(a.group);
        else if (a.address) out.push(a.name ? `${a.name} <${a.address}>` : a.address);
      }
    };
    walk(obj.value);
  }
  return out;
}

/** Attachments that carry a patch; a signature, an image or a vCard do not. */
function isPatchAttachment(a: Attachment): boolean {
  const type = contentTypeOf(a);
  const named = /\.(patch|diff)$/i.test(a.filename ?? '');
  if (type === 'text/x-patch' || type === 'text/x-diff' || type === 'text/x-diff-file') return true;
  if (named && (type === 'application/octet-stream' || type.startsWith('text/'))) return true;
  return false;
}

/** mailparser gives `false` for an empty `Content-Type:` header: such a part is untyped bytes. */
function contentTypeOf(a: Attachment): string {
  return typeof a.contentType === 'string' && a.contentType.trim() ? a.contentType.trim().toLowerCase() : 'application/octet-stream';
}

/** A text/plain part marked format=flowed, and a diff in it: the code was re-flowed in transit. */
function flowedReason(raw: Buffer, body: string): string | undefined {
  if (!/flowed/i.test(raw.subarray(0, Math.min(raw.length, 4 * 1024 * 1024)).toString('latin1'))) return undefined;
  if (flowedTextParts(raw).length === 0) return undefined;
  if (!/^(diff --git |--- |\+\+\+ |@@ )/m.test(body)) return undefined;
  return 'sent as format=flowed: lines ending in a space were joined and leading spaces removed, so the diff is corrupted; resend with git send-email';
}

/** Attachment bytes are transfer-decoded but still in their charset. */
function decodeText(a: Attachment): string {
  const type = a.headers.get('content-type') as { params?: Record<string, string> } | undefined;
  const charset = type?.params?.charset ?? 'utf-8';
  try {
    return new TextDecoder(charset).decode(a.content);
  } catch {
    return a.content.toString('utf8');
  }
}

/**
 * A subject folded onto one line: white space around line breaks becomes one space. Split by
 * hand: the regex it replaces (spaces, line breaks, spaces) backtracked quadratically on a
 * long run of spaces.
 */
function oneLineSubject(subject: unknown): string {
  const text = typeof subject === 'string' ? subject : '';
  return text
    .split(/[\r\n]+/)
    .map((part) => part.trim())
    .filter(Boolean)
    .join(' ');
}

function toMessage(mail: ParsedMail, raw: Buffer, source: string): Message {
  const from = addresses(mail.from)[0];
  // Mail lines end in CRLF on the wire; that is transport, not content.
  const body = (mail.text ?? '').replace(/\r\n/g, '\n');
  const date = mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date.toISOString() : undefined;
  const msg: Message = {
    source,
    messageId: bareId(mail.messageId),
    subject: oneLineSubject(mail.subject),
    from,
    fromAddress: mail.from?.value.find((a) => a.address)?.address?.toLowerCase(),
    date,
    inReplyTo: bareId(mail.inReplyTo),
    references: allIds(mail.references),
    to: addresses(mail.to),
    cc: addresses(mail.cc),
    body,
    attachments: mail.attachments.filter(isPatchAttachment).map((a) => ({
      filename: a.filename,
      contentType: contentTypeOf(a),
      text: decodeText(a),
    })),
    raw,
  };
  const mangled = flowedReason(raw, body);
  if (mangled) msg.mangled = mangled;
  for (const key of ['messageId', 'from', 'fromAddress', 'date', 'inReplyTo'] as const) {
    if (msg[key] === undefined) delete msg[key];
  }
  return msg;
}

/** Parse one raw RFC 822 message. Throws MessageError (a UserError) for a message that is not mail. */
export async function parseMail(raw: Buffer, source: string, opts: MailOptions = {}): Promise<Message> {
  const limits = limitsOf({ ...opts.limits, ...(opts.maxMessageBytes === undefined ? {} : { messageBytes: opts.maxMessageBytes }) });
  try {
    checkShape(raw, source, limits);
  } catch (err) {
    if (err instanceof LimitError && !err.source) throw new LimitError(err.message, source);
    throw err;
  }
  // Plain mail (most patches) is read directly; mailparser, loaded only when needed (its
  // import alone costs more than a review), reads everything else.
  const plain = readPlainMail(raw);
  if (plain) return toMessage(plain as unknown as ParsedMail, raw, source);
  return toMessage(await mailparser(raw, source), raw, source);
}

/** Through mailparser always (the plain reader's agreement test compares the two). */
export async function parseMailWithMailparser(raw: Buffer, source: string): Promise<Message> {
  return toMessage(await mailparser(raw, source), raw, source);
}

async function mailparser(raw: Buffer, source: string): Promise<ParsedMail> {
  try {
    const { simpleParser } = await import('mailparser');
    return await simpleParser(raw, PARSER_OPTIONS);
  } catch (err) {
    throw new MessageError(`cannot parse the message: ${(err as Error).message}`, source);
  }
}
