/**
 * A commit range of a local repository (`--repo DIR --git A..B`, or one revision), like
 * checkpatch's -g: `git format-patch --stdout` of the range, which the mbox splitter cuts.
 */
// fs.promises is loaded on first use; importing node:fs/promises costs every cold start ~3 ms.
import { promises as fsp } from 'node:fs';
import { UserError } from '../errors.js';

/** One revision means that one commit (as checkpatch -g does), not "since". */
function formatPatchArgs(rev: string): string[] {
  const range = rev.includes('..') ? [rev] : ['-1', rev];
  // -M: renames as renames; --no-signature: the "-- \n2.x" footer adds nothing here.
  return ['format-patch', '--stdout', '-M', '--no-signature', ...range];
}

/**
 * The range as an mbox. format-patch numbers the parts ([PATCH n/m]) when there are
 * several, so they thread as one series. Held in memory: a local range is small.
 */
export async function gitRangeMbox(repo: string, rev: string | undefined): Promise<Buffer> {
  if (!rev) throw new UserError('--git needs a revision or a range (A..B)', repo);
  if (rev.startsWith('-')) throw new UserError(`not a revision: ${rev}`, '--git');
  const info = await fsp.stat(repo).catch(() => undefined);
  if (!info?.isDirectory()) throw new UserError('no such repository folder', repo);
  const { simpleGit } = await import('simple-git'); // loaded on first use: start-up time
  const git = simpleGit({ baseDir: repo });
  if (!(await git.checkIsRepo().catch(() => false))) throw new UserError('not a git repository', repo);
  const commits = await git.raw(['rev-list', rev.includes('..') ? rev : `${rev}^!`, '--']).catch((err: Error) => {
    throw new UserError(`unknown revision or range ${rev}: ${firstLine(err.message)}`, repo);
  });
  if (!commits.trim()) throw new UserError(`the range ${rev} holds no commits`, repo);
  const out = await git.raw(formatPatchArgs(rev)).catch((err: Error) => {
    throw new UserError(`git format-patch ${rev} failed: ${firstLine(err.message)}`, repo);
  });
  return Buffer.from(out, 'utf8');
}

function firstLine(text: string): string {
  return text.trim().split('\n', 1)[0];
}
