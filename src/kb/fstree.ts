/**
 * A SourceTree over a plain folder, used when src/ingest/tree.ts's openTree() is not available
 * (it is written in parallel). Knows Debian's extracted trees by their .debian-version file.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import picomatch from 'picomatch';
import { UserError } from '../errors.js';
import type { SourceTree } from '../ingest/tree.js';

export async function openPlainTree(dir: string): Promise<SourceTree> {
  const root = resolve(dir);
  const st = await stat(root).catch(() => undefined);
  if (!st?.isDirectory()) throw new UserError('no such folder', dir);
  if (!existsSync(join(root, 'drivers/pci/pci.c'))) throw new UserError('not a kernel tree (no drivers/pci/pci.c)', dir);
  const debVersion = debianVersion(root);
  return {
    root,
    describe: () => (debVersion ? `${root} (Debian ${debVersion})` : root),
    read: async (path) => readFile(join(root, path), 'utf8').catch(() => undefined),
    list: async (sub, glob) => {
      const names = await readdir(join(root, sub)).catch(() => [] as string[]);
      const match = glob ? picomatch(glob) : () => true;
      return names.filter((n) => match(n)).map((n) => join(sub, n));
    },
  };
}

/** "6.12.117-1~deb12u1" in .debian-version -> "6.12.117". */
function debianVersion(root: string): string | undefined {
  const file = join(root, '.debian-version');
  if (!existsSync(file)) return undefined;
  return readFileSync(file, 'utf8').trim().replace(/-[^-]*$/, '') || undefined;
}

/** Use the shared openTree when it is implemented, else the plain reader above. */
export async function openAnyTree(dir: string): Promise<SourceTree> {
  const { openTree } = await import('../ingest/tree.js');
  try {
    return await openTree(dir);
  } catch (err) {
    if (err instanceof Error && /not implemented/.test(err.message)) return openPlainTree(dir);
    throw err;
  }
}
