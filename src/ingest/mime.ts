/**
 * A minimal walk over the raw MIME structure, for what mailparser does not tell us: the
 * parameters of each text part (format=flowed is decoded away before we see the text).
 */
import { LimitError } from '../errors.js';
import type { Limits } from './limits.js';

export interface MimeLeaf {
  contentType: string; // lower case, e.g. "text/plain"
  params: Record<string, string>; // lower-case names
  disposition?: string;
}

const MAX_DEPTH = 8;
const MAX_PARTS = 200;

/** The multipart structure's depth and part count, walked no further than the limits allow. */
export function checkMimeShape(raw: Buffer, limits: Pick<Limits, 'mimeDepth' | 'mimeParts'>): void {
  let parts = 0;
  const walk = (text: string, depth: number): void => {
    const { head, body } = splitHead(text);
    const { type, params } = parseContentType(headerFields(head).get('content-type'));
    if (!type.startsWith('multipart/') || !params.boundary) return;
    if (depth + 1 > limits.mimeDepth) throw new LimitError(`too deep: MIME parts nested more than ${limits.mimeDepth} levels (the limit)`);
    for (const part of multipartBodies(body, params.boundary)) {
      if (++parts > limits.mimeParts) throw new LimitError(`too large: more than ${limits.mimeParts} MIME parts (the limit)`);
      walk(part, depth + 1);
    }
  };
  walk(raw.toString('latin1'), 0);
}

const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

/**
 * Unfolded header fields of a header block, names lower-cased (first occurrence wins).
 * Cut at the first colon by hand: the regex it replaces backtracked quadratically on a long
 * value with a stray CR in it.
 */
export function headerFields(block: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const field of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = field.indexOf(':');
    if (colon <= 0) continue;
    const name = field.slice(0, colon).replace(/[ \t]+$/, '').toLowerCase();
    if (FIELD_NAME.test(name) && !fields.has(name)) fields.set(name, field.slice(colon + 1).trim());
  }
  return fields;
}

/** `text/plain; charset="utf-8"; format=flowed` -> type and parameters. */
export function parseContentType(value: string | undefined): { type: string; params: Record<string, string> } {
  const [type = '', ...rest] = (value ?? '').split(';');
  const params: Record<string, string> = {};
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    const name = p.slice(0, eq).trim().toLowerCase();
    let v = p.slice(eq + 1).trim();
    if (v.startsWith('"')) v = v.slice(1);
    if (v.endsWith('"')) v = v.slice(0, -1);
    if (name && !/[\s=]/.test(name) && !v.includes('"')) params[name] = v;
  }
  return { type: type.trim().toLowerCase() || 'text/plain', params };
}

/** Split a message (or part) into its header block and body, both latin1 strings. */
function splitHead(text: string): { head: string; body: string } {
  const m = /\r?\n\r?\n/.exec(text);
  if (!m) return { head: text, body: '' };
  return { head: text.slice(0, m.index), body: text.slice(m.index + m[0].length) };
}

/** The leaf parts of a raw message, in order. Bounded in depth and count (untrusted input). */
export function mimeLeaves(raw: Buffer): MimeLeaf[] {
  const leaves: MimeLeaf[] = [];
  const walk = (text: string, depth: number): void => {
    if (leaves.length >= MAX_PARTS) return;
    const { head, body } = splitHead(text);
    const fields = headerFields(head);
    const { type, params } = parseContentType(fields.get('content-type'));
    if (type.startsWith('multipart/') && params.boundary && depth < MAX_DEPTH) {
      for (const part of multipartBodies(body, params.boundary)) walk(part, depth + 1);
      return;
    }
    const disposition = fields.get('content-disposition')?.split(';')[0].trim().toLowerCase();
    leaves.push({ contentType: type, params, disposition });
  };
  walk(raw.toString('latin1'), 0);
  return leaves;
}

function multipartBodies(body: string, boundary: string): string[] {
  const delimiter = '--' + boundary;
  const parts: string[] = [];
  let current: string[] | undefined;
  for (const line of body.split('\n')) {
    const bare = line.replace(/\r$/, '').trimEnd();
    if (bare === delimiter || bare === delimiter + '--') {
      if (current) parts.push(current.join('\n'));
      current = bare === delimiter ? [] : undefined;
      if (!current) break;
    } else if (current) {
      current.push(line);
    }
  }
  return parts;
}

/** The inline text/plain parts that a reader decodes as format=flowed. */
export function flowedTextParts(raw: Buffer): MimeLeaf[] {
  return mimeLeaves(raw).filter(
    (l) => l.contentType === 'text/plain' && l.disposition !== 'attachment' && l.params.format?.toLowerCase() === 'flowed',
  );
}
