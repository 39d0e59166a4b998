/**
 * A SourceTree read through the contents API at one commit: the files the pull request
 * applies to, without checking anything out (under pull_request_target nothing from the pull
 * request may run or even land on disk). Reads are cached and capped so a deep call-graph
 * walk cannot spend the job's rate limit.
 */
import picomatch from 'picomatch';
import type { SourceTree } from '../ingest/tree.js';
import { statusOf, type GitHubClient } from '../post/octokit.js';

export interface ApiTreeOptions {
  /** At most this many API reads (files and folders); past it, reads answer "absent". */
  maxRequests?: number;
  log?: (line: string) => void;
}

interface Entry {
  type: string;
  path: string;
  content?: string;
  encoding?: string;
  sha?: string;
  size?: number;
}

/** The tree, with its kernel version read from the top Makefile when there is one. */
export async function openApiTree(gh: GitHubClient, owner: string, repo: string, ref: string, opts: ApiTreeOptions = {}): Promise<SourceTree> {
  const tree = apiTree(gh, owner, repo, ref, opts);
  const mk = await tree.read('Makefile');
  const get = (k: string) => (mk ? new RegExp(`^${k}\\s*=\\s*(\\d+)`, 'm').exec(mk)?.[1] : undefined);
  const [v, p, sub] = [get('VERSION'), get('PATCHLEVEL'), get('SUBLEVEL')];
  return v && p ? { ...tree, kernelVersion: `${v}.${p}${sub && sub !== '0' ? '.' + sub : ''}` } : tree;
}

export function apiTree(gh: GitHubClient, owner: string, repo: string, ref: string, opts: ApiTreeOptions = {}): SourceTree {
  const cache = new Map<string, Promise<Entry | Entry[] | undefined>>();
  let budget = opts.maxRequests ?? 300;
  let warned = false;
  const get = (path: string): Promise<Entry | Entry[] | undefined> => {
    const key = path.replace(/^\/+|\/+$/g, '');
    let hit = cache.get(key);
    if (!hit) {
      if (budget-- <= 0) {
        if (!warned) opts.log?.(`contents API read budget spent; ${key} and later reads treated as absent`);
        warned = true;
        return Promise.resolve(undefined);
      }
      hit = fetchEntry(gh, owner, repo, ref, key);
      cache.set(key, hit);
    }
    return hit;
  };
  return {
    root: `github:${owner}/${repo}@${ref}`,
    describe: () => `${owner}/${repo} at ${ref.slice(0, 12)} (read through the GitHub API)`,
    async read(path) {
      const e = await get(path);
      if (!e || Array.isArray(e) || e.type !== 'file') return undefined;
      return decode(gh, owner, repo, e);
    },
    // Like the local tree: recursive, paths relative to the root, the glob matched against
    // the path relative to the root or to `dir`.
    async list(dir, glob) {
      const match = glob ? picomatch(glob) : () => true;
      const base = dir.replace(/^\/+|\/+$/g, '');
      const out: string[] = [];
      await walk(get, base, (rel) => {
        const full = base ? `${base}/${rel}` : rel;
        if (match(full) || match(rel)) out.push(full);
      });
      return out.sort();
    },
  };
}

async function fetchEntry(gh: GitHubClient, owner: string, repo: string, ref: string, path: string): Promise<Entry | Entry[] | undefined> {
  try {
    const r = await gh.rest.repos.getContent({ owner, repo, path, ref });
    return r.data as Entry | Entry[];
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw err;
  }
}

/** Files over 1 MB come back without content; the blobs API has them. */
async function decode(gh: GitHubClient, owner: string, repo: string, e: Entry): Promise<string> {
  if (e.encoding === 'base64' && e.content !== undefined) return Buffer.from(e.content, 'base64').toString('utf8');
  const blob = await gh.rest.git.getBlob({ owner, repo, file_sha: e.sha ?? '' });
  return Buffer.from(blob.data.content, 'base64').toString('utf8');
}

/** Relative paths (to `dir`) of the files under it, sub-folders included. */
async function walk(
  get: (p: string) => Promise<Entry | Entry[] | undefined>,
  dir: string,
  emit: (rel: string) => void,
  prefix = '',
): Promise<void> {
  const entries = await get([dir, prefix].filter(Boolean).join('/'));
  if (!Array.isArray(entries)) return;
  for (const e of entries) {
    const rel = prefix ? `${prefix}/${nameOf(e.path)}` : nameOf(e.path);
    if (e.type === 'file') emit(rel);
    else if (e.type === 'dir') await walk(get, dir, emit, rel);
  }
}

function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
