/**
 * Patchwork checks (optional, --patchwork URL --patchwork-token-env VAR): one check per
 * reviewed patch, context `vfio-review`. Patchwork has no update, the newest check of a context
 * wins; so, like kernel-patches-daemon, we read the latest check first and post only when the
 * state or description changed: a re-run posts nothing.
 */
import type { Finding } from '../model.js';
import { ServiceError } from '../errors.js';
import { VERSION } from '../version.js';
import type { JobEnv } from './env.js';
import { logEvent, now, stmt } from './state.js';

export const CHECK_CONTEXT = 'vfio-review';

export interface CheckDraft {
  patchMessageId: string;
  state: 'success' | 'warning' | 'fail';
  description: string;
  targetUrl: string;
}

export function checkFor(messageId: string, notes: Finding[], lore: string): CheckDraft {
  const state = notes.some((n) => n.severity === 'error') ? 'fail' : notes.length ? 'warning' : 'success';
  const rules = [...new Set(notes.map((n) => n.rule))];
  const description = notes.length
    ? `${notes.length} note(s): ${rules.join(', ')}`.slice(0, 250)
    : 'no vfio/pci save-restore risk found';
  return { patchMessageId: messageId, state, description, targetUrl: `${lore}/r/${encodeURIComponent(messageId).replace(/%40/g, '@')}` };
}

export class Patchwork {
  private readonly api: string;
  constructor(url: string, private readonly token?: string) {
    const base = url.replace(/\/+$/, '');
    this.api = /\/api\/\d+\.\d+$/.test(base) ? base : `${base}/api/1.2`;
  }

  private async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': `vfio-review/${VERSION}` };
    if (this.token) headers.Authorization = `Token ${this.token}`;
    if (body) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${this.api}${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined, signal: AbortSignal.timeout(20_000) });
    } catch (err) {
      throw new ServiceError(`cannot reach Patchwork: ${(err as Error).message}`, this.api);
    }
    if (!res.ok) throw new ServiceError(`Patchwork ${method} ${path}: HTTP ${res.status}`, this.api);
    return res.json();
  }

  async patchId(messageId: string): Promise<number | undefined> {
    const list = (await this.call('GET', `/patches/?msgid=${encodeURIComponent(messageId)}`)) as { id: number }[];
    return Array.isArray(list) && list.length ? list[0].id : undefined;
  }

  async latestCheck(patchId: number): Promise<{ state: string; description?: string; target_url?: string } | undefined> {
    const list = (await this.call('GET', `/patches/${patchId}/checks/?context=${CHECK_CONTEXT}&order=-date&per_page=1`)) as {
      state: string;
      description?: string;
      target_url?: string;
    }[];
    return Array.isArray(list) && list.length ? list[0] : undefined;
  }

  async postCheck(patchId: number, c: CheckDraft): Promise<void> {
    await this.call('POST', `/patches/${patchId}/checks/`, {
      state: c.state,
      context: CHECK_CONTEXT,
      description: c.description,
      target_url: c.targetUrl,
    });
  }
}

/** Post queued checks; a patch Patchwork does not know (yet) stays queued for the next run. */
export async function postChecks(env: JobEnv): Promise<{ posted: number; unchanged: number; waiting: number }> {
  const counts = { posted: 0, unchanged: 0, waiting: 0 };
  if (!env.patchwork) return counts;
  const pw = new Patchwork(env.patchwork.url, env.patchwork.token);
  const queued = stmt(env.db, `SELECT * FROM checks WHERE status = 'queued' ORDER BY rowid`).all() as {
    patch_message_id: string;
    state: CheckDraft['state'];
    description: string;
    target_url: string;
  }[];
  const done = stmt(env.db, `UPDATE checks SET status = 'posted', posted_at = ?, attempts = attempts + 1 WHERE patch_message_id = ?`);
  for (const q of queued) {
    const draft: CheckDraft = { patchMessageId: q.patch_message_id, state: q.state, description: q.description, targetUrl: q.target_url };
    try {
      const id = await pw.patchId(q.patch_message_id);
      if (id === undefined) {
        counts.waiting++;
        continue;
      }
      const latest = await pw.latestCheck(id);
      if (latest && latest.state === draft.state && latest.description === draft.description) counts.unchanged++;
      else {
        await pw.postCheck(id, draft);
        counts.posted++;
      }
      done.run(now(), q.patch_message_id);
    } catch (err) {
      const text = `patchwork: ${(err as Error).message}; check stays queued`;
      env.log.error(text);
      logEvent(env.db, 'error', text);
      stmt(env.db, `UPDATE checks SET attempts = attempts + 1, last_error = ? WHERE patch_message_id = ?`).run(String((err as Error).message), q.patch_message_id);
      break; // the server is down or refuses us: try again next run
    }
  }
  return counts;
}
