/**
 * A minimal walk over the raw MIME structure, for what mailparser does not tell us: the
 * parameters of each text part (format=flowed is decoded away before we see the text).
 */

export interface MimeLeaf {
  contentType: string; // lower case, e.g. "text/plain"
  params: Record<string, string>; // lower-case names
  disposition?: string;
}

const MAX_DEPTH = 8;
const MAX_PARTS = 200;

/** Unfolded header fields of a header block, names lower-cased (first occurrence wins). */
export function headerFields(block: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const field of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const m = /^([\x21-\x39\x3b-\x7e]+)[ \t]*:[ \t]*(.*)$/.exec(field);
    if (m && !fields.has(m[1].toLowerCase())) fields.set(m[1].toLowerCase(), m[2].trim());
  }
  return fields;
}

/** `text/plain; charset="utf-8"; format=flowed` -> type and parameters. */
export function parseContentType(value: string | undefined): { type: string; params: Record<string, string> } {
  const [type = '', ...rest] = (value ?? '').split(';');
  const params: Record<string, string> = {};
  for (const p of rest) {
    const m = /^\s*([^=\s]+)\s*=\s*"?([^"]*)"?\s*$/.exec(p);
    if (m) params[m[1].toLowerCase()] = m[2];
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
