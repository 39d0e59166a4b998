/**
 * Fetch a thread from a public-inbox (lore) HTTP server by Message-ID, like `b4 am`:
 * `/<msgid>/t.mbox.gz`, falling back to `/<msgid>/raw`. Returns the path of a local mbox.
 *
 * The Message-ID goes into the URL without <>, with `/` escaped as %2F (public-inbox needs it)
 * and other unsafe characters percent-encoded; `@` stays readable. We send a descriptive
 * User-Agent: lore sits behind a bot wall and its admins ask tools to say who they are.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ServiceError, UserError } from '../errors.js';
import { VERSION } from '../version.js';

export const USER_AGENT = `vfio-review/${VERSION} (vfio/pci patch review bot; fetches one thread like b4 am)`;

export function loreMsgidPath(msgid: string): string {
  const bare = msgid.trim().replace(/^<|>$/g, '');
  // `.` and `..` (even as %2E) are dot segments: the URL would climb out of the inbox. No
  // Message-ID is only dots: refused as empty.
  if (/^\.{1,2}$/.test(bare)) return '';
  return encodeURIComponent(bare).replace(/%40/g, '@');
}

export async function fetchLoreThread(baseUrl: string, msgid: string): Promise<string> {
  const id = loreMsgidPath(msgid);
  if (!id) throw new UserError('empty Message-ID (or only dots)', '--msgid');
  let base: URL;
  try {
    base = new URL(baseUrl.replace(/\/+$/, '') + '/');
  } catch {
    throw new UserError(`not a URL: ${baseUrl}`, '--lore');
  }
  const tries = [`${id}/t.mbox.gz`, `${id}/raw`];
  const failures: string[] = [];
  for (const path of tries) {
    const url = new URL(path, base).toString();
    const got = await get(url);
    if (got.status === 200) {
      const mbox = asMbox(got.body, url);
      const dir = mkdtempSync(join(tmpdir(), 'vfio-review-lore-'));
      const file = join(dir, 'thread.mbox');
      writeFileSync(file, mbox);
      return file;
    }
    failures.push(`${path.slice(id.length + 1)}: HTTP ${got.status}`);
  }
  if (failures.every((f) => f.endsWith('HTTP 404'))) {
    throw new UserError(`message <${msgid.replace(/^<|>$/g, '')}> not found at ${base.toString()}`, '--msgid');
  }
  throw new ServiceError(`cannot fetch the thread (${failures.join(', ')})`, base.toString());
}

async function get(url: string): Promise<{ status: number; body: Buffer }> {
  try {
    const res = await fetch(url, {
      headers: { 'User-Agent': USER_AGENT, Accept: 'application/mbox, application/gzip, text/plain' },
      redirect: 'follow',
      signal: AbortSignal.timeout(30_000),
    });
    return { status: res.status, body: res.ok ? Buffer.from(await res.arrayBuffer()) : Buffer.alloc(0) };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new ServiceError(`cannot reach the server: ${cause?.code ?? cause?.message ?? (err as Error).message}`, url);
  }
}

/** Gunzip when gzipped; refuse an HTML page (a bot wall answers 200 with HTML). */
function asMbox(body: Buffer, url: string): Buffer {
  let data = body;
  if (data[0] === 0x1f && data[1] === 0x8b) {
    try {
      data = gunzipSync(data);
    } catch (err) {
      throw new ServiceError(`corrupt gzip: ${(err as Error).message}`, url);
    }
  }
  const head = data.subarray(0, 512).toString('latin1').trimStart();
  if (/^<(!doctype|html)/i.test(head)) throw new ServiceError('got an HTML page instead of an mbox (a bot wall?)', url);
  if (data.length === 0) throw new ServiceError('empty answer', url);
  // /raw of a single message has no postmark on some servers: give it one so it reads as an mbox.
  if (!head.startsWith('From ')) data = Buffer.concat([Buffer.from('From mboxrd@z Thu Jan  1 00:00:00 1970\n'), data]);
  return data;
}
