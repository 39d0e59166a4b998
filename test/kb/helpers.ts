/** Shared helpers for the knowledge-base tests: scratch copies of rules/kb and of kernel trees. */
import { cp, mkdtemp, mkdir, readFile, writeFile, copyFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { RULES_DIR } from '../../src/kb/index.js';
import { STEP_FILES } from '../../src/kb/treecode.js';
import { VFIO_CORE } from '../../src/kb/vfiocheck.js';


export async function scratch(prefix = 'vfio-review-kb-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** A rules folder holding only a copy of rules/kb, for the facts loader. */
export async function copyKb(): Promise<string> {
  const dir = await scratch();
  await cp(join(RULES_DIR, 'kb'), join(dir, 'kb'), { recursive: true });
  return dir;
}

/** Replace `from` (must occur) in one file of a copied rules folder. */
export async function edit(rulesDir: string, file: string, from: string | RegExp, to: string): Promise<void> {
  const path = join(rulesDir, 'kb', file);
  const text = await readFile(path, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`edit: ${String(from)} not found in ${file}`);
  await writeFile(path, next);
}

/** Copy the files kb verify reads from a kernel tree into a scratch folder. */
export async function copyTree(src: string): Promise<string> {
  const dir = await scratch('vfio-review-tree-');
  const msi = (await readdir(join(src, 'drivers/pci/msi'))).filter((n) => n.endsWith('.c')).map((n) => `drivers/pci/msi/${n}`);
  for (const file of [...STEP_FILES, ...msi, VFIO_CORE, '.debian-version']) {
    if (!existsSync(join(src, file))) continue;
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await copyFile(join(src, file), join(dir, file));
  }
  return dir;
}

/** Replace `from` (must occur exactly once) in a file of a copied tree. */
export async function editTree(root: string, file: string, from: string, to: string): Promise<void> {
  const path = join(root, file);
  const text = await readFile(path, 'utf8');
  if (text.split(from).length !== 2) throw new Error(`editTree: '${from}' must occur once in ${file}`);
  await writeFile(path, text.replace(from, to));
}
