/**
 * public-inbox archives, read through git (simple-git for the history, cat-file for blobs).
 *
 * v2: `git/N.git` epochs; each commit's tree holds one file, `m` (a message) or `d` (a message
 *     removed, e.g. by public-inbox-learn spam). v1: one bare repo, a message per fan-out path
 *     (`ab/cdef...`), a removal deletes the path.
 * The cursor is the last commit recorded per epoch. When it is no longer an ancestor of HEAD
 * (public-inbox-purge/-edit rewrote the epoch), the whole epoch is walked again and the job
 * skips every blob it already recorded: nothing is lost, nothing is reviewed twice.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { basename, join } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { CatFile } from './catfile.js';
import type { RawItem, ReadContext, Source, SourceKind, Unit } from './types.js';

interface Commit {
  oid: string;
  entries: { status: string; oldOid: string; newOid: string; path: string }[];
}

const V1_PATH = /^[0-9a-f]{2}\/[0-9a-f]{38}$/;

export function isBareRepo(dir: string): boolean {
  return existsSync(join(dir, 'HEAD')) && existsSync(join(dir, 'objects')) && existsSync(join(dir, 'refs'));
}

export function isV2Inbox(dir: string): boolean {
  return existsSync(join(dir, 'git')) && listEpochs(dir).length > 0;
}

/** Epoch repos in numeric order: a new epoch (N+1) is picked up on the next pass. */
export function listEpochs(dir: string): { epoch: string; gitDir: string }[] {
  const gitRoot = join(dir, 'git');
  if (!existsSync(gitRoot) || !statSync(gitRoot).isDirectory()) return [];
  return readdirSync(gitRoot)
    .map((name) => /^(\d+)\.git$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ epoch: m[1], gitDir: join(gitRoot, m[0]) }))
    .sort((a, b) => Number(a.epoch) - Number(b.epoch));
}

export class PublicInboxSource implements Source {
  readonly kind: SourceKind;
  private readers = new Map<string, CatFile>();

  constructor(readonly id: string) {
    this.kind = isV2Inbox(id) ? 'public-inbox-v2' : 'public-inbox-v1';
  }

  private epochs(): { epoch: string; gitDir: string }[] {
    return this.kind === 'public-inbox-v2' ? listEpochs(this.id) : [{ epoch: '0', gitDir: this.id }];
  }

  async fetch(): Promise<void> {
    for (const { gitDir } of this.epochs()) {
      const git = simpleGit({ baseDir: gitDir });
      const remotes = (await git.raw(['remote'])).trim();
      if (remotes) await git.fetch();
    }
  }

  async *units(ctx: ReadContext): AsyncGenerator<Unit> {
    for (const { epoch, gitDir } of this.epochs()) yield* this.epochUnits(ctx, epoch, gitDir);
  }

  close(): void {
    for (const r of this.readers.values()) r.close();
    this.readers.clear();
  }

  private async *epochUnits(ctx: ReadContext, epoch: string, gitDir: string): AsyncGenerator<Unit> {
    const git = simpleGit({ baseDir: gitDir });
    const head = (await git.raw(['rev-parse', '--verify', '-q', 'HEAD^{commit}']).catch(() => '')).trim();
    if (!head) return; // an epoch with no commit yet (just created by public-inbox-init)
    const cursor = ctx.getCursor(epoch);
    if (cursor === head) return;
    let range = head;
    if (cursor) {
      if (await isAncestor(git, cursor, head)) range = `${cursor}..${head}`;
      else ctx.warn(`${this.label(epoch)}: cursor ${cursor.slice(0, 12)} is no longer in the history (archive rewritten); re-reading the epoch, skipping messages already recorded`);
    }
    // The count is only for the progress bar: it walks the history once more (1.7 CPU-s of a
    // 200,000-mail epoch without a commit-graph), so it is taken when a bar is drawn or when
    // git has a commit-graph to count from, and beside the log (whose --reverse walks the
    // history before printing anything), not before it.
    const counting = ctx.wantsCount || hasCommitGraph(gitDir)
      ? git.raw(['rev-list', '--count', range, '--']).then(
          (n) => ctx.planned(Number(n.trim())),
          () => undefined,
        )
      : Promise.resolve();
    // The log is streamed, a commit at a time: memory stays flat however long the epoch is.
    const reader = this.reader(gitDir);
    try {
      for await (const c of streamLog(gitDir, range)) {
        yield { epoch, position: c.oid, items: this.items(c, epoch, reader) };
      }
    } finally {
      await counting;
    }
  }

  private items(c: Commit, epoch: string, reader: CatFile): RawItem[] {
    const origin = `${this.label(epoch)}@${c.oid.slice(0, 12)}`;
    const out: RawItem[] = [];
    for (const e of c.entries) {
      const added = e.status === 'A' || e.status === 'M';
      if (this.kind === 'public-inbox-v2') {
        if (added && (e.path === 'm' || e.path === 'd')) {
          out.push({ key: e.newOid, origin, deletion: e.path === 'd', read: () => reader.read(e.newOid) });
        }
      } else if (V1_PATH.test(e.path)) {
        if (added) out.push({ key: e.newOid, origin, read: () => reader.read(e.newOid) });
        else if (e.status === 'D') out.push({ key: e.oldOid, origin, deletion: true, read: () => reader.read(e.oldOid) });
      }
    }
    return out;
  }

  private reader(gitDir: string): CatFile {
    let r = this.readers.get(gitDir);
    if (!r) this.readers.set(gitDir, (r = new CatFile(gitDir)));
    return r;
  }

  private label(epoch: string): string {
    return this.kind === 'public-inbox-v2' ? `${basename(this.id)}/git/${epoch}.git` : basename(this.id);
  }
}

/** git keeps a commit-graph (gc.writeCommitGraph, the default since 2.24): counting is cheap. */
function hasCommitGraph(gitDir: string): boolean {
  return existsSync(join(gitDir, 'objects/info/commit-graph')) || existsSync(join(gitDir, 'objects/info/commit-graphs'));
}

async function isAncestor(git: SimpleGit, cursor: string, head: string): Promise<boolean> {
  try {
    await git.raw(['merge-base', '--is-ancestor', cursor, head]);
    return true;
  } catch {
    return false; // exit 1 (not an ancestor) or 128 (the object is gone after a gc)
  }
}

const LOG_ARGS = ['log', '--reverse', '--raw', '--no-abbrev', '--no-renames', '--format=%x00%H'];

/** `git log --raw` of `range` in `gitDir`, read as it comes (the pipe holds git back). */
async function* streamLog(gitDir: string, range: string): AsyncGenerator<Commit> {
  const child = spawn('git', ['-C', gitDir, ...LOG_ARGS, range, '--'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<number | null>((done) => child.on('close', done));
  const decoder = new StringDecoder('utf8');
  let rest = '';
  try {
    for await (const chunk of child.stdout) {
      const blocks = (rest + decoder.write(chunk as Buffer)).split('\0');
      rest = blocks.pop() ?? '';
      for (const block of blocks) {
        const c = parseCommit(block);
        if (c) yield c;
      }
    }
    const last = parseCommit(rest + decoder.end());
    if (last) yield last;
    const code = await exit;
    if (code !== 0) throw new Error(`git log ${range} in ${gitDir} failed: ${stderr.trim() || `exit ${code}`}`);
  } finally {
    if (child.exitCode === null) child.kill();
  }
}

/** One NUL-separated block of `git log --raw --format=%x00%H`: the commit id, then `:mode mode old new S\tpath` lines. */
function parseCommit(block: string): Commit | undefined {
  const lines = block.split('\n');
  const oid = lines[0]?.trim();
  if (!oid) return undefined;
  const entries: Commit['entries'] = [];
  for (const line of lines.slice(1)) {
    const m = /^:\d+ \d+ ([0-9a-f]+) ([0-9a-f]+) ([A-Z])\d*\t(.*)$/.exec(line);
    if (m) entries.push({ oldOid: m[1], newOid: m[2], status: m[3], path: m[4] });
  }
  return { oid, entries };
}
