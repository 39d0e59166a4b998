/**
 * A kernel source tree given with --tree: a git checkout (read at HEAD's working files)
 * or plain files (e.g. Debian's linux-source). Read-only.
 */
// fs.promises is loaded on first use; importing node:fs/promises costs every cold start ~3 ms.
import { promises as fsp } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import { UserError } from '../errors.js';

export interface SourceTree {
  /** Absolute path of the tree. */
  root: string;
  /** One line for notes: "/src/linux (git 1a2b3c4d)" or "/tmp/linux-6.12 (Debian 6.12.117)". */
  describe(): string;
  /** Contents of a file relative to the root, undefined when it does not exist. */
  read(path: string): Promise<string | undefined>;
  /** Relative paths of files under a folder that match a picomatch glob. */
  list(dir: string, glob?: string): Promise<string[]>;
  /** Kernel version when the tree says it (Makefile, or Debian's .debian-version): "6.12.117". */
  kernelVersion?: string;
}

/** Folders one of which any kernel tree (even a partial extract) has. */
const KERNEL_MARKERS = ['include/linux', 'drivers', 'kernel', 'arch'];

/** Open a tree; throws UserError when the folder does not exist or holds no kernel source. */
export async function openTree(dir: string): Promise<SourceTree> {
  const root = resolve(dir);
  const st = await fsp.stat(root).catch(() => undefined);
  if (!st?.isDirectory()) throw new UserError('--tree: no such folder', dir);
  const marks = await Promise.all(KERNEL_MARKERS.map((m) => isDir(join(root, m))));
  if (!marks.some(Boolean)) throw new UserError(`--tree: no kernel source here (none of ${KERNEL_MARKERS.join(', ')})`, dir);
  const debian = (await readText(join(root, '.debian-version')))?.trim();
  const kernelVersion = (await makefileVersion(root)) ?? debian?.split('-')[0];
  const label = debian ? `Debian ${debian.split('-')[0]}` : await gitLabel(root);
  const text = label ? `${root} (${label})` : kernelVersion ? `${root} (${kernelVersion})` : root;
  return {
    root,
    kernelVersion,
    describe: () => text,
    read: (path) => readText(inside(root, path)),
    list: (sub, glob) => listFiles(root, sub, glob),
  };
}

async function isDir(p: string): Promise<boolean> {
  return (await fsp.stat(p).catch(() => undefined))?.isDirectory() ?? false;
}

async function readText(p: string): Promise<string | undefined> {
  try {
    return await fsp.readFile(p, 'utf8');
  } catch {
    return undefined;
  }
}

/** A path under the root; `../` escapes from a patch's file names are refused. */
function inside(root: string, path: string): string {
  const p = resolve(root, path);
  if (p !== root && !p.startsWith(root + sep)) return join(root, '\0refused');
  return p;
}

/** "git 1a2b3c4d" for a git checkout, undefined otherwise (or when git is not installed). */
async function gitLabel(root: string): Promise<string | undefined> {
  if (!(await fsp.stat(join(root, '.git')).catch(() => undefined))) return undefined;
  try {
    const { simpleGit } = await import('simple-git'); // loaded on first use: start-up time
    const sha = (await simpleGit(root).revparse(['--short', 'HEAD'])).trim();
    return sha ? `git ${sha}` : 'git';
  } catch {
    return 'git';
  }
}

/** VERSION.PATCHLEVEL.SUBLEVEL from the top Makefile. */
async function makefileVersion(root: string): Promise<string | undefined> {
  const mk = await readText(join(root, 'Makefile'));
  if (!mk) return undefined;
  const get = (k: string) => new RegExp(`^${k}\\s*=\\s*(\\d+)`, 'm').exec(mk)?.[1];
  const [v, p, s] = [get('VERSION'), get('PATCHLEVEL'), get('SUBLEVEL')];
  return v && p ? `${v}.${p}${s && s !== '0' ? '.' + s : ''}` : undefined;
}

async function listFiles(root: string, sub: string, glob?: string): Promise<string[]> {
  const match = glob ? picomatch(glob) : () => true;
  const out: string[] = [];
  const walk = async (abs: string): Promise<void> => {
    const entries = await fsp.readdir(abs, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (e.name === '.git') continue;
      const p = join(abs, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        const rel = relative(root, p).split(sep).join('/');
        if (match(rel) || match(relative(join(root, sub), p).split(sep).join('/'))) out.push(rel);
      }
    }
  };
  await walk(inside(root, sub));
  return out.sort();
}
