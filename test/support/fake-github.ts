/**
 * A small GitHub REST server on 127.0.0.1 for the Action's tests: the shapes of the endpoints
 * the Action uses, backed by a real git repository (diffs, commits and contents come from
 * git), keeping the state of what was posted, validating review anchors the way GitHub does
 * (a line outside the diff fails the whole review with 422), and injecting faults.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GitData, HttpError, diffLines, type Json } from './fake-github-repo.js';

export interface User {
  login: string;
  id: number;
  type: 'Bot' | 'User';
}

export const ACTIONS_BOT: User = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' };

export interface PullState {
  number: number;
  title: string;
  baseSha: string;
  headSha: string;
  baseRef: string;
  headRef: string;
  /** owner/name of the head repository (a fork when it differs from the base). */
  headRepo: string;
}

export interface Fault {
  method?: string;
  /** Matched against the path (no query). */
  path: RegExp;
  /** Matched against the Accept header (e.g. /diff/ for the diff media type). */
  accept?: RegExp;
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Close the connection without answering (a network reset). */
  reset?: boolean;
  /** Answer normally, but only after this many milliseconds (to line up concurrent clients). */
  delayMs?: number;
  /** How many matching requests it hits (default 1). */
  times?: number;
}

export interface ReviewComment {
  id: number;
  pull_request_review_id: number | null;
  path: string;
  line: number;
  side: 'LEFT' | 'RIGHT';
  commit_id: string;
  original_commit_id: string;
  body: string;
  user: User;
  created_at: string;
  updated_at: string;
  deleted?: boolean;
}

export interface Review {
  id: number;
  user: User;
  body: string;
  state: string;
  commit_id: string;
  submitted_at: string;
}

export interface IssueComment {
  id: number;
  body: string;
  user: User;
}

export interface RequestLog {
  method: string;
  path: string;
  /** Path and query. */
  url: string;
  status: number;
  accept?: string;
}


export class FakeGitHub {
  readonly owner: string;
  readonly repo: string;
  readonly repoDir: string;
  /** Pull requests, commits, diffs and contents, from the git repository. */
  readonly data: GitData;
  readonly pulls = new Map<number, PullState>();
  /** token -> account and whether it may write. */
  readonly tokens = new Map<string, { user: User; write: boolean }>();
  readonly reviews: (Review & { pull: number })[] = [];
  readonly comments: (ReviewComment & { pull: number })[] = [];
  readonly issueComments: (IssueComment & { pull: number })[] = [];
  readonly checkRuns: Json[] = [];
  readonly requests: RequestLog[] = [];
  /** Anchors ("path:line") GitHub refuses although they are in the diff (our check disagrees with GitHub's). */
  readonly refusedAnchors = new Set<string>();
  /** Every Authorization header value seen, to check what the client sent. */
  readonly authHeaders: string[] = [];
  private faults: (Fault & { left: number })[] = [];
  private nextId = 1000;
  private server?: Server;
  url = '';

  constructor(opts: { repoDir: string; owner?: string; repo?: string }) {
    this.repoDir = opts.repoDir;
    this.owner = opts.owner ?? 'kernel-org';
    this.repo = opts.repo ?? 'linux';
    this.data = new GitData(this.repoDir, this.owner, this.repo);
  }

  /** Run git in the backing repository (tests push commits with it). */
  git(...args: string[]): string {
    return this.data.git(...args);
  }

  static async start(opts: { repoDir: string; owner?: string; repo?: string }): Promise<FakeGitHub> {
    const gh = new FakeGitHub(opts);
    await gh.listen();
    return gh;
  }

  private listen(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    return new Promise((ok) =>
      this.server!.listen(0, '127.0.0.1', () => {
        this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
        ok();
      }),
    );
  }

  close(): Promise<void> {
    this.server?.closeAllConnections();
    return new Promise((ok) => this.server?.close(() => ok()) ?? ok());
  }

  addToken(token: string, write = true, user: User = ACTIONS_BOT): void {
    this.tokens.set(token, { user, write });
  }

  addPull(p: PullState): void {
    this.pulls.set(p.number, { ...p });
  }

  clearFaults(): void {
    this.faults = [];
  }

  inject(f: Fault): void {
    this.faults.push({ ...f, left: f.times ?? 1 });
  }

  /** Review comments still present, oldest first. */
  liveComments(pull?: number): (ReviewComment & { pull: number })[] {
    return this.comments.filter((c) => !c.deleted && (pull === undefined || c.pull === pull));
  }

  count(method: string, path: RegExp): number {
    return this.requests.filter((r) => r.method === method && path.test(r.path)).length;
  }

  // ---- git ----

  // ---- HTTP ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    const accept = req.headers.accept;
    const log: RequestLog = { method, path: url.pathname, url: url.pathname + url.search, status: 0, accept };
    this.requests.push(log);
    const fault = this.faults.find(
      (f) => f.left > 0 && (!f.method || f.method === method) && f.path.test(url.pathname) && (!f.accept || f.accept.test(accept ?? '')),
    );
    if (fault?.delayMs !== undefined) {
      fault.left--;
      await new Promise((ok) => setTimeout(ok, fault.delayMs));
    } else if (fault) {
      fault.left--;
      if (fault.reset) {
        log.status = -1;
        req.socket.destroy();
        return;
      }
      log.status = fault.status ?? 500;
      return this.send(res, log.status, fault.body ?? { message: 'Server Error' }, fault.headers);
    }
    try {
      const body = await readBody(req);
      const user = this.auth(req, method);
      const out = this.route(method, url, body, user, accept ?? '');
      log.status = out.status ?? 200;
      if (typeof out.data === 'string') return this.sendText(res, log.status, out.data);
      this.send(res, log.status, out.data, out.headers);
    } catch (err) {
      const e = err instanceof HttpError ? err : new HttpError(500, String(err));
      log.status = e.status;
      this.send(res, e.status, { message: e.message, documentation_url: 'https://docs.github.com/rest', ...e.extra });
    }
  }

  private send(res: ServerResponse, status: number, data: unknown, headers: Record<string, string> = {}): void {
    const base = { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '4999', 'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 3600) };
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...base, ...headers });
    res.end(status === 204 ? undefined : JSON.stringify(data));
  }

  private sendText(res: ServerResponse, status: number, text: string): void {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(text);
  }

  private auth(req: IncomingMessage, method: string): User {
    const h = req.headers.authorization ?? '';
    this.authHeaders.push(h);
    const token = h.replace(/^(token|bearer)\s+/i, '');
    const t = this.tokens.get(token);
    if (!t) throw new HttpError(401, 'Bad credentials');
    if (method !== 'GET' && !t.write) throw new HttpError(403, 'Resource not accessible by integration');
    return t.user;
  }

  private route(method: string, url: URL, body: Json, user: User, accept: string): { status?: number; data: unknown; headers?: Record<string, string> } {
    const p = url.pathname;
    const prefix = `/repos/${this.owner}/${this.repo}`;
    if (!p.startsWith(prefix + '/')) throw new HttpError(404, 'Not Found');
    const rest = p.slice(prefix.length);
    const wantsDiff = /diff/.test(accept);
    let m: RegExpExecArray | null;
    const page = (items: unknown[]) => this.page(url, items);

    if ((m = /^\/pulls\/(\d+)$/.exec(rest)) && method === 'GET') {
      const pr = this.pull(m[1]);
      return { data: wantsDiff ? this.data.diff(pr.baseSha, pr.headSha) : this.data.pullJson(pr) };
    }
    if ((m = /^\/pulls\/(\d+)\/files$/.exec(rest)) && method === 'GET') return page(this.data.files(this.pull(m[1])));
    if ((m = /^\/pulls\/(\d+)\/commits$/.exec(rest)) && method === 'GET') return page(this.data.commits(this.pull(m[1])));
    if ((m = /^\/commits\/([0-9a-f]{7,40})$/.exec(rest)) && method === 'GET') return { data: this.data.commit(m[1], wantsDiff) };
    if ((m = /^\/contents\/(.*)$/.exec(rest)) && method === 'GET') return { data: this.data.contents(decodeURIComponent(m[1]), url.searchParams.get('ref') ?? 'HEAD') };
    if ((m = /^\/git\/blobs\/([0-9a-f]{40})$/.exec(rest)) && method === 'GET') return { data: this.data.blob(m[1]) };

    if ((m = /^\/pulls\/(\d+)\/reviews$/.exec(rest))) {
      const pr = this.pull(m[1]);
      if (method === 'GET') return page(this.reviews.filter((r) => r.pull === pr.number).map(strip));
      if (method === 'POST') return { data: this.createReview(pr, body, user) };
    }
    if ((m = /^\/pulls\/(\d+)\/reviews\/(\d+)$/.exec(rest)) && method === 'PUT') {
      const r = this.reviews.find((x) => x.id === Number(m![2]) && x.pull === Number(m![1]));
      if (!r) throw new HttpError(404, 'Not Found');
      r.body = String(body.body ?? '');
      return { data: strip(r) };
    }
    if ((m = /^\/pulls\/(\d+)\/comments$/.exec(rest))) {
      const pr = this.pull(m[1]);
      if (method === 'GET') return page(this.liveComments(pr.number).map(strip));
      if (method === 'POST') return { status: 201, data: strip(this.createComment(pr, body, user, null)) };
    }
    if ((m = /^\/pulls\/comments\/(\d+)$/.exec(rest))) {
      const c = this.comments.find((x) => x.id === Number(m![1]) && !x.deleted);
      if (!c) throw new HttpError(404, 'Not Found');
      if (method === 'GET') return { data: strip(c) };
      if (method === 'PATCH') {
        c.body = String(body.body ?? '');
        c.updated_at = new Date().toISOString();
        return { data: strip(c) };
      }
      if (method === 'DELETE') {
        c.deleted = true;
        return { status: 204, data: null };
      }
    }
    if ((m = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const n = Number(m[1]);
      if (method === 'GET') return page(this.issueComments.filter((c) => c.pull === n).map(strip));
      if (method === 'POST') {
        const c = { id: this.nextId++, body: String(body.body ?? ''), user, pull: n };
        this.issueComments.push(c);
        return { status: 201, data: strip(c) };
      }
    }
    if ((m = /^\/issues\/comments\/(\d+)$/.exec(rest)) && method === 'PATCH') {
      const c = this.issueComments.find((x) => x.id === Number(m![1]));
      if (!c) throw new HttpError(404, 'Not Found');
      c.body = String(body.body ?? '');
      return { data: strip(c) };
    }
    if (rest === '/check-runs' && method === 'POST') {
      const run = { id: this.nextId++, ...body };
      this.checkRuns.push(run);
      return { status: 201, data: run };
    }
    if ((m = /^\/check-runs\/(\d+)$/.exec(rest)) && method === 'PATCH') {
      const run = this.checkRuns.find((r) => r.id === Number(m![1]));
      if (!run) throw new HttpError(404, 'Not Found');
      Object.assign(run, body);
      return { data: run };
    }
    throw new HttpError(404, 'Not Found');
  }

  private page(url: URL, items: unknown[]): { data: unknown; headers?: Record<string, string> } {
    const per = Math.min(Number(url.searchParams.get('per_page') ?? 30), 100);
    const n = Number(url.searchParams.get('page') ?? 1);
    const data = items.slice((n - 1) * per, n * per);
    if (n * per >= items.length) return { data };
    const next = new URL(url.toString());
    next.searchParams.set('page', String(n + 1));
    return { data, headers: { link: `<${next.toString()}>; rel="next"` } };
  }

  private pull(n: string): PullState {
    const pr = this.pulls.get(Number(n));
    if (!pr) throw new HttpError(404, 'Not Found');
    return pr;
  }

  // ---- reviews ----

  /** GitHub's rule: a comment's line must be in the diff of the pull request at commit_id. */
  private anchorOk(pr: PullState, commit: string, c: Json): boolean {
    const side = c.side === 'LEFT' ? 'left' : 'right';
    const line = Number(c.line);
    if (this.refusedAnchors.has(`${c.path}:${line}`)) return false;
    const lines = diffLines(this.data.diff(pr.baseSha, commit)).get(String(c.path));
    return !!lines && lines[side].has(line);
  }

  private createReview(pr: PullState, body: Json, user: User): Json {
    const commit = body.commit_id ? this.data.resolve(String(body.commit_id)) : pr.headSha;
    const comments = (body.comments as Json[] | undefined) ?? [];
    if (comments.some((c) => !this.anchorOk(pr, commit, c))) {
      throw new HttpError(422, 'Unprocessable Entity', {
        errors: ['Pull request review thread line must be part of the diff, Pull request review thread diff hunk can\'t be blank'],
      });
    }
    const review = { id: this.nextId++, user, body: String(body.body ?? ''), state: 'COMMENTED', commit_id: commit, submitted_at: new Date().toISOString(), pull: pr.number };
    this.reviews.push(review);
    for (const c of comments) this.createComment(pr, { ...c, commit_id: commit }, user, review.id);
    return strip(review);
  }

  private createComment(pr: PullState, body: Json, user: User, reviewId: number | null): ReviewComment & { pull: number } {
    const commit = body.commit_id ? this.data.resolve(String(body.commit_id)) : pr.headSha;
    if (reviewId === null && !this.anchorOk(pr, commit, body)) {
      throw new HttpError(422, 'Validation Failed', { errors: [{ resource: 'PullRequestReviewComment', code: 'custom', field: 'pull_request_review_thread.line', message: 'could not be resolved' }] });
    }
    if (reviewId === null) {
      // GitHub wraps a single comment in its own review.
      const r = { id: this.nextId++, user, body: '', state: 'COMMENTED', commit_id: commit, submitted_at: new Date().toISOString(), pull: pr.number };
      this.reviews.push(r);
      reviewId = r.id;
    }
    const now = new Date().toISOString();
    const c = {
      id: this.nextId++,
      pull_request_review_id: reviewId,
      path: String(body.path),
      line: Number(body.line),
      side: (body.side === 'LEFT' ? 'LEFT' : 'RIGHT') as 'LEFT' | 'RIGHT',
      commit_id: commit,
      original_commit_id: commit,
      body: String(body.body ?? ''),
      user,
      created_at: now,
      updated_at: now,
      pull: pr.number,
    };
    this.comments.push(c);
    return c;
  }
}

function strip<T extends { pull?: number; deleted?: boolean }>(o: T): Omit<T, 'pull' | 'deleted'> {
  const { pull: _p, deleted: _d, ...rest } = o;
  return rest;
}

function readBody(req: IncomingMessage): Promise<Json> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        ok(text ? (JSON.parse(text) as Json) : {});
      } catch {
        fail(new HttpError(400, 'Problems parsing JSON'));
      }
    });
    req.on('error', fail);
  });
}
