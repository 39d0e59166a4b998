/**
 * Subject tags: `[RFC PATCH net-next v2 3/7]` -> SeriesInfo. The patch model needs them for
 * `kind` (index 0 is a cover letter) even when the Message comes from a bare file.
 */
import type { SeriesInfo } from '../model.js';

const REPLY = /^\s*(?:(?:re|aw|sv|fwd?)\s*:\s*)+/i;

/** True for `Re: ...`, `Fwd: ...` subjects. */
export function isReplySubject(subject: string): boolean {
  return REPLY.test(subject);
}

/** Parse the leading `[...]` groups; undefined when the subject has none. */
export function parseSubjectTags(subject: string): SeriesInfo | undefined {
  let rest = subject.replace(REPLY, '').trim();
  const tokens: string[] = [];
  for (let m = /^\[([^\]]*)\]\s*/.exec(rest); m; m = /^\[([^\]]*)\]\s*/.exec(rest)) {
    tokens.push(...m[1].split(/[\s,]+/).filter(Boolean));
    rest = rest.slice(m[0].length);
  }
  if (tokens.length === 0) return undefined;
  const info: SeriesInfo = { version: 1, index: 1, total: 1, prefixes: [], title: rest.trim() };
  for (const t of tokens) readToken(info, t);
  return info;
}

function readToken(info: SeriesInfo, t: string): void {
  const n = /^(\d+)\/(\d+)$/.exec(t);
  const v = /^v(\d+)$/i.exec(t);
  if (n) {
    info.index = Number(n[1]);
    info.total = Number(n[2]);
  } else if (v) info.version = Number(v[1]);
  else {
    if (/^resend$/i.test(t)) info.resend = true;
    info.prefixes.push(t);
  }
}
