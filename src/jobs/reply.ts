/**
 * Reply headers, composed like the kernel test robot's (ecosystem notes §2.4): `Re:` + the
 * original subject with its tags, threaded by In-Reply-To/References, plain text UTF-8 8bit,
 * a Message-ID under our domain derived from the patch's Message-ID (so a duplicate reply is
 * recognisable by anyone, and the outbox file name is ours, never the mail's).
 *
 * Everything taken from a received mail is sanitised here: no CR/LF/control characters reach
 * a header, Message-IDs are reduced to msg-id characters, addresses must look like addresses.
 */
import { createHash } from 'node:crypto';
import { VERSION } from '../version.js';

export interface ReplyInput {
  patchMessageId: string;
  patchReferences: string[];
  subject: string;
  authorName?: string;
  authorAddress: string;
  from: string; // "Name <addr>" of the bot
  domain: string;
  to: string[];
  cc: string[];
  date: Date;
  body: string;
}

export interface ComposedReply {
  id: string;
  messageId: string;
  envelopeFrom: string;
  recipients: string[];
  eml: Buffer;
}

/** Stable reply id: 20 hex of sha256(patch Message-ID). Used for the file name and the Message-ID. */
export function replyId(patchMessageId: string): string {
  return createHash('sha256').update(cleanMsgId(patchMessageId)).digest('hex').slice(0, 20);
}

export function replyMessageId(patchMessageId: string, domain: string): string {
  return `vfio-review.${replyId(patchMessageId)}@${cleanDomain(domain)}`;
}

/** Drop anything that could end a header line or smuggle a new one. */
export function sanitizeHeaderValue(v: string): string {
  // eslint-disable-next-line no-control-regex
  return v.replace(/[\r\n\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
}

export function cleanMsgId(id: string): string {
  return id.replace(/^<|>$/g, '').replace(/[^!-;=?-~]/g, ''); // printable ASCII without < > and space
}

function cleanDomain(d: string): string {
  return d.replace(/[^A-Za-z0-9.-]/g, '') || 'vfio-review.invalid';
}

/** A bare address, or undefined when the text is not one (then nobody gets the mail). */
export function cleanAddress(a: string): string | undefined {
  const bare = (/<([^<>]+)>/.exec(a)?.[1] ?? a).trim();
  return /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+\.?[A-Za-z0-9-]*$/.test(bare) ? bare.toLowerCase() : undefined;
}

/** RFC 2047 encode a header value when it is not plain ASCII; fold at 78 columns. */
export function encodeHeader(name: string, value: string): string {
  const v = sanitizeHeaderValue(value);
  // Plain only when a reader will show exactly this: no encoded word of the mail's own (it
  // would be decoded once more), and no word too long to fold under 78 columns.
  if (/^[\x20-\x7e]*$/.test(v) && !v.includes('=?') && !/\S{70}/.test(v)) return fold(`${name}: ${v}`);
  const words: string[] = [];
  let chunk = '';
  for (const ch of v) {
    if (Buffer.byteLength(chunk + ch) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return `${name}: ` + words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join('\r\n ');
}

function fold(line: string): string {
  if (line.length <= 78) return line;
  const parts = line.split(' ');
  const out: string[] = [];
  let cur = '';
  for (const p of parts) {
    if (cur && cur.length + 1 + p.length > 78) {
      out.push(cur);
      cur = ' ' + p;
    } else cur = cur ? `${cur} ${p}` : p;
  }
  out.push(cur);
  return out.join('\r\n');
}

function mailbox(name: string | undefined, address: string): string {
  const n = name ? sanitizeHeaderValue(name).replace(/["\\]/g, '').slice(0, 64) : '';
  if (!n) return address;
  return /^[\x20-\x7e]*$/.test(n) && !n.includes('=?') ? `"${n}" <${address}>` : `=?UTF-8?B?${Buffer.from(n).toString('base64')}?= <${address}>`;
}

export function replySubject(subject: string): string {
  const s = sanitizeHeaderValue(subject);
  return /^re:/i.test(s) ? s : `Re: ${s}`;
}

/** Longest Message-ID written in In-Reply-To/References (RFC 5322 lines stop at 998). */
const MAX_MSGID = 250;

/** The whole .eml: CRLF line ends (SMTP's), body lines as rendered. */
export function composeReply(input: ReplyInput): ComposedReply {
  const id = replyId(input.patchMessageId);
  const messageId = replyMessageId(input.patchMessageId, input.domain);
  const parent = cleanMsgId(input.patchMessageId);
  // Full chain (RFC 5322), capped: lore threads by the last entries anyway.
  // A msg-id longer than a header line could hold is no one's real id: left out.
  const refs = [...input.patchReferences.map(cleanMsgId).filter((r) => r && r.length <= MAX_MSGID).slice(-10), parent.slice(0, MAX_MSGID)];
  const fromAddr = cleanAddress(input.from) ?? 'vfio-review@localhost';
  const fromName = /^\s*"?([^"<]*?)"?\s*</.exec(input.from)?.[1];
  const to = uniq(input.to.map(cleanAddress));
  const cc = uniq(input.cc.map(cleanAddress)).filter((a) => !to.includes(a));
  const headers = [
    `From: ${mailbox(fromName, fromAddr)}`,
    `To: ${to.join(', ')}`,
    ...(cc.length ? [fold(`Cc: ${cc.join(', ')}`)] : []),
    encodeHeader('Subject', replySubject(input.subject)),
    `Date: ${input.date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${messageId}>`,
    `In-Reply-To: <${parent.slice(0, MAX_MSGID)}>`,
    fold(`References: ${refs.map((r) => `<${r}>`).join(' ')}`),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    'Content-Disposition: inline',
    'Auto-Submitted: auto-generated',
    `X-Mailer: vfio-review ${VERSION}`,
  ];
  const body = input.body.replace(/\r\n/g, '\n').replace(/\n/g, '\r\n');
  const eml = Buffer.from(headers.join('\r\n') + '\r\n\r\n' + body + (body.endsWith('\r\n') ? '' : '\r\n'), 'utf8');
  return { id, messageId, envelopeFrom: fromAddr, recipients: [...to, ...cc], eml };
}

function uniq(xs: (string | undefined)[]): string[] {
  return [...new Set(xs.filter((x): x is string => !!x))];
}
