/**
 * The plain mail git send-email writes: ASCII headers without encoded words, one text/plain
 * body in UTF-8 or ASCII, 7bit or 8bit. Read here directly into the fields mail.ts takes from
 * mailparser, because loading mailparser costs a cold review more CPU than the whole review
 * of a patch. Anything else (MIME parts, encodings, charsets, flowed text, groups, quoted or
 * commented addresses, repeated headers) returns undefined and goes through mailparser;
 * test/ingest/plainmail.test.ts checks both readings agree on every mail the tests hold.
 */
import type { AddressObject, ParsedMail } from 'mailparser';

/** Headers that mailparser would decode or combine in ways this reader does not. */
const SINGLE = ['from', 'to', 'cc', 'subject', 'message-id', 'in-reply-to', 'references', 'date', 'content-type', 'content-transfer-encoding'];

type PlainFields = Pick<ParsedMail, 'subject' | 'messageId' | 'inReplyTo' | 'references' | 'date' | 'text' | 'from' | 'to' | 'cc'>;

/** The fields of a plain mail, or undefined when mailparser must read it. */
export function readPlainMail(raw: Buffer): (PlainFields & { attachments: [] }) | undefined {
  const cut = headEnd(raw);
  if (cut < 0) return undefined;
  const head = raw.subarray(0, cut).toString('latin1');
  // 8-bit bytes or encoded words in the header need decoding.
  if (/[^\x09\x0a\x0d\x20-\x7e]/.test(head) || head.includes('=?')) return undefined;
  const fields = fieldsOf(head);
  if (!fields) return undefined;
  if (!plainBody(fields.get('content-type'), fields.get('content-transfer-encoding'))) return undefined;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(raw.subarray(bodyStart(raw, cut)));
  } catch {
    return undefined;
  }
  const from = addressList(fields.get('from'));
  const to = addressList(fields.get('to'));
  const cc = addressList(fields.get('cc'));
  if (from === null || to === null || cc === null) return undefined;
  const date = fields.get('date');
  return {
    subject: fields.get('subject'),
    messageId: fields.get('message-id'),
    inReplyTo: fields.get('in-reply-to'),
    references: fields.get('references'),
    date: date === undefined ? undefined : new Date(date),
    text,
    from,
    to,
    cc,
    attachments: [],
  };
}

/** Offset of the blank line that ends the header block (-1 when there is none). */
function headEnd(raw: Buffer): number {
  const lf = raw.indexOf('\n\n');
  const crlf = raw.indexOf('\r\n\r\n');
  if (lf < 0) return crlf;
  return crlf < 0 ? lf : Math.min(lf, crlf);
}

function bodyStart(raw: Buffer, cut: number): number {
  return raw[cut] === 0x0d ? cut + 4 : cut + 2;
}

/** Unfolded fields, names lower-cased; null when a field this reader handles repeats. */
function fieldsOf(head: string): Map<string, string> | null {
  const fields = new Map<string, string>();
  for (const line of head.replace(/\r?\n(?=[ \t])/g, '').split(/\r?\n/)) {
    const m = /^([\x21-\x39\x3b-\x7e]+)[ \t]*:[ \t]*(.*)$/.exec(line);
    if (!m) return null;
    const name = m[1].toLowerCase();
    if (SINGLE.includes(name) && fields.has(name)) return null;
    if (!fields.has(name)) fields.set(name, m[2].trim());
  }
  return fields;
}

/** text/plain in UTF-8 or ASCII, not flowed, not transfer-encoded. */
function plainBody(type: string | undefined, encoding: string | undefined): boolean {
  if (encoding !== undefined && !/^(7bit|8bit)$/i.test(encoding)) return false;
  if (type === undefined) return true;
  const [mime, ...params] = type.split(';').map((s) => s.trim());
  if (mime.toLowerCase() !== 'text/plain') return false;
  for (const p of params.filter(Boolean)) {
    const m = /^([a-z-]+)=("?)([^"]*)\2$/i.exec(p);
    if (!m) return false;
    const [name, value] = [m[1].toLowerCase(), m[3].toLowerCase()];
    if (name === 'charset' && (value === 'utf-8' || value === 'us-ascii')) continue;
    if (name === 'format' && value === 'fixed') continue;
    return false;
  }
  return true;
}

const ADDR = /^[^\s<>"(),;:@]+@[^\s<>"(),;:@]+$/;

/** `Name <a@b>, c@d` as mailparser's AddressObject; null for any form beyond these two. */
function addressList(value: string | undefined): AddressObject | undefined | null {
  if (value === undefined) return undefined;
  if (/["();:\\]/.test(value)) return null;
  const list: { address: string; name: string }[] = [];
  for (const part of value.split(',')) {
    const item = part.trim();
    if (!item) return null;
    const m = /^([^<>]*?)\s*<([^<>]*)>$/.exec(item);
    if (m) {
      if (!ADDR.test(m[2])) return null;
      list.push({ address: m[2], name: m[1].trim() });
    } else if (ADDR.test(item)) list.push({ address: item, name: '' });
    else return null;
  }
  return { value: list, html: '', text: value };
}
