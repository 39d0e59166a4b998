/**
 * Maildir (`new/`, `cur/`) and folders of `git format-patch` files: which files to read, in
 * which order.
 */
// fs.promises is loaded on first use; importing node:fs/promises costs every cold start ~3 ms.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';

async function isDir(path: string): Promise<boolean> {
  return (await fsp.stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

export async function isMaildir(dir: string): Promise<boolean> {
  return (await isDir(join(dir, 'cur'))) || (await isDir(join(dir, 'new')));
}

/** One message file of a Maildir. */
export interface MaildirEntry {
  /** The file name without its `:2,FLAGS` info, which changes when the mail is read or moved to cur/. */
  name: string;
  path: string;
}

/**
 * The messages of a Maildir. Names start with the delivery time, so sorting new/ and cur/
 * together by name (numbers compared as numbers) reads the mail in the order it arrived;
 * tmp/ is mail still being written.
 */
export async function maildirEntries(dir: string): Promise<MaildirEntry[]> {
  const files: MaildirEntry[] = [];
  for (const sub of ['new', 'cur']) {
    const names = await fsp.readdir(join(dir, sub)).catch(() => [] as string[]);
    for (const file of names) {
      if (file.startsWith('.')) continue;
      const path = join(dir, sub, file);
      // A file gone since readdir was moved (new/ to cur/) or deleted by a mail client.
      if ((await fsp.stat(path).catch(() => undefined))?.isFile()) files.push({ name: file.replace(/:2,[A-Za-z]*$/, ''), path });
    }
  }
  return files.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
}

export async function maildirFiles(dir: string): Promise<string[]> {
  return (await maildirEntries(dir)).map((f) => f.path);
}

/** Patch files in a folder, by name: format-patch numbers them 0000-, 0001-, ... */
export const PATCH_FILE = /\.(patch|diff|eml|mbox)(\.gz)?$/;

export async function patchFiles(dir: string): Promise<string[]> {
  const names = (await fsp.readdir(dir)).filter((n) => PATCH_FILE.test(n) && !n.startsWith('.')).sort();
  const files: string[] = [];
  for (const name of names) if ((await fsp.stat(join(dir, name))).isFile()) files.push(join(dir, name));
  return files;
}
