/**
 * Maildir (`new/`, `cur/`) and folders of `git format-patch` files: which files to read, in
 * which order.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

async function isDir(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

export async function isMaildir(dir: string): Promise<boolean> {
  return (await isDir(join(dir, 'cur'))) || (await isDir(join(dir, 'new')));
}

/**
 * The messages of a Maildir. Names start with the delivery time, so sorting new/ and cur/
 * together by name reads the mail in the order it arrived; tmp/ is mail still being written.
 */
export async function maildirFiles(dir: string): Promise<string[]> {
  const files: { name: string; path: string }[] = [];
  for (const sub of ['new', 'cur']) {
    const names = await readdir(join(dir, sub)).catch(() => [] as string[]);
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const path = join(dir, sub, name);
      if ((await stat(path)).isFile()) files.push({ name, path });
    }
  }
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((f) => f.path);
}

/** Patch files in a folder, by name: format-patch numbers them 0000-, 0001-, ... */
export const PATCH_FILE = /\.(patch|diff|eml|mbox)(\.gz)?$/;

export async function patchFiles(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => PATCH_FILE.test(n) && !n.startsWith('.')).sort();
  const files: string[] = [];
  for (const name of names) if ((await stat(join(dir, name))).isFile()) files.push(join(dir, name));
  return files;
}
