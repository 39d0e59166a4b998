/**
 * The read side of the fake GitHub server: pull requests, commits, diffs and contents answered
 * from a real git repository, in GitHub's REST shapes.
 */
import { execFileSync } from 'node:child_process';
import type { PullState } from './fake-github.js';

export type Json = Record<string, unknown>;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Json = {},
  ) {
    super(message);
  }
}

export class GitData {
  constructor(
    readonly repoDir: string,
    readonly owner: string,
    readonly repo: string,
  ) {}

  git(...args: string[]): string {
    return execFileSync('git', ['-C', this.repoDir, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  gitBuf(...args: string[]): Buffer {
    return execFileSync('git', ['-C', this.repoDir, ...args], { maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  diff(base: string, head: string): string {
    return this.git('diff', '--no-color', '--no-ext-diff', `${base}...${head}`);
  }

  repoJson(fullName: string): Json {
    const [owner, name] = fullName.split('/');
    return { name, full_name: fullName, owner: { login: owner, type: 'Organization' }, fork: fullName !== `${this.owner}/${this.repo}` };
  }

  pullJson(pr: PullState): Json {
    return {
      number: pr.number,
      state: 'open',
      title: pr.title,
      html_url: `https://github.test/${this.owner}/${this.repo}/pull/${pr.number}`,
      head: { sha: pr.headSha, ref: pr.headRef, repo: this.repoJson(pr.headRepo) },
      base: { sha: pr.baseSha, ref: pr.baseRef, repo: this.repoJson(`${this.owner}/${this.repo}`) },
    };
  }

  files(pr: PullState): Json[] {
    const stat = this.git('diff', '--name-status', `${pr.baseSha}...${pr.headSha}`);
    return stat
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [st, filename] = line.split('\t');
        const patch = this.git('diff', '--no-color', `${pr.baseSha}...${pr.headSha}`, '--', filename);
        const hunks = patch.slice(Math.max(0, patch.indexOf('\n@@') + 1));
        const status = { A: 'added', D: 'removed', M: 'modified' }[st[0]] ?? 'modified';
        return { filename, status, patch: hunks, sha: this.git('rev-parse', `${pr.headSha}:${filename}`).trim() };
      });
  }

  commits(pr: PullState): Json[] {
    const shas = this.git('rev-list', '--reverse', `${pr.baseSha}..${pr.headSha}`).trim().split('\n').filter(Boolean);
    return shas.map((sha) => this.commitJson(sha));
  }

  commitJson(sha: string): Json {
    const parents = this.git('rev-list', '--parents', '-n', '1', sha).trim().split(' ').slice(1);
    return { sha, commit: { message: this.git('log', '-1', '--format=%B', sha).trimEnd() }, parents: parents.map((p) => ({ sha: p })) };
  }

  commit(ref: string, wantsDiff: boolean): unknown {
    const sha = this.resolve(ref);
    if (!wantsDiff) return this.commitJson(sha);
    return this.git('diff', '--no-color', `${sha}^`, sha);
  }

  resolve(ref: string): string {
    try {
      return this.git('rev-parse', '--verify', `${ref}^{commit}`).trim();
    } catch {
      throw new HttpError(422, `No commit found for SHA: ${ref}`);
    }
  }

  contents(path: string, ref: string): unknown {
    const sha = this.resolve(ref);
    const spec = `${sha}:${path.replace(/\/+$/, '')}`;
    let type: string;
    try {
      type = this.git('cat-file', '-t', spec).trim();
    } catch {
      throw new HttpError(404, 'Not Found');
    }
    if (type === 'tree') {
      return this.git('ls-tree', '-l', spec)
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const [meta, name] = l.split('\t');
          const [, t, objSha, size] = meta.split(/\s+/);
          const full = path ? `${path.replace(/\/+$/, '')}/${name}` : name;
          return { type: t === 'tree' ? 'dir' : 'file', name, path: full, sha: objSha, size: Number(size) || 0 };
        });
    }
    const content = this.gitBuf('show', spec);
    return {
      type: 'file',
      encoding: 'base64',
      name: path.slice(path.lastIndexOf('/') + 1),
      path,
      sha: this.git('rev-parse', spec).trim(),
      size: content.length,
      content: content.toString('base64').replace(/.{60}/g, '$&\n'),
    };
  }

  blob(sha: string): Json {
    const content = this.gitBuf('cat-file', 'blob', sha);
    return { sha, size: content.length, encoding: 'base64', content: content.toString('base64') };
  }
}

/** Lines each file shows in a diff, per side (independent of the Action's own parser). */
export function diffLines(diff: string): Map<string, { left: Set<number>; right: Set<number> }> {
  const out = new Map<string, { left: Set<number>; right: Set<number> }>();
  let cur: { left: Set<number>; right: Set<number> } | undefined;
  let o = 0;
  let n = 0;
  for (const line of diff.split('\n')) {
    const file = /^\+\+\+ b\/(.*)$/.exec(line);
    if (file) {
      cur = { left: new Set(), right: new Set() };
      out.set(file[1], cur);
      continue;
    }
    const h = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
    if (h) {
      o = Number(h[1]);
      n = Number(h[2]);
      continue;
    }
    if (!cur || line.startsWith('---') || line.startsWith('diff ') || line.startsWith('index ')) continue;
    if (line.startsWith('+')) cur.right.add(n++);
    else if (line.startsWith('-')) cur.left.add(o++);
    else if (line.startsWith(' ')) {
      cur.left.add(o++);
      cur.right.add(n++);
    }
  }
  return out;
}
