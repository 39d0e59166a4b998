/**
 * The knowledge base compiled once: what the YAML loaders return for the package's own rules/
 * (the facts of loadKbFiles, the rules of loadRules: plain data), stored as one JSON file at
 * build time (scripts/build-cli.mjs, after validating everything), so that a start parses
 * neither YAML nor compiles a JSON schema. The snapshot carries a digest of the files it was
 * built from; when rules/ no longer matches it is ignored and the YAML is loaded as before.
 * A start checks sizes and times first (as make does) and hashes only when those differ: the
 * digest, node:crypto included, was the largest part of reading the snapshot.
 */
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the build puts the snapshot of <package>/rules. */
export const SNAPSHOT_FILE = fileURLToPath(new URL('../../build/kb-snapshot.json', import.meta.url));

const FORMAT = 3;
/** The files the loaders read (rules, facts, schemas, docs); not the test patches. */
const READ_BY_LOADERS = /\.(ya?ml|json|md)$/;

interface Stored<T> {
  format: number;
  digest: string;
  /** Relative path and size of each file the digest covers, in digest order. */
  sizes: [string, number][];
  /** The folders under the rules folder ('' is itself): a file added or removed changes one's time. */
  folders: string[];
  sources: T;
}

/** The files the loaders read under `dir`, sorted. Synchronous: some forty small files. */
function loaderFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && READ_BY_LOADERS.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

const rel = (dir: string, f: string) => relative(dir, f).split('\\').join('/');

/** sha256 over the relative path and content of every file the loaders read under `dir`. */
export async function rulesDigest(dir: string): Promise<string> {
  const files = loaderFiles(dir);
  // Loaded here: a start whose sizes and times match (unchangedSince) never needs node:crypto.
  const { createHash } = await import('node:crypto');
  const hash = createHash('sha256');
  for (const f of files) {
    hash.update(rel(dir, f) + '\0');
    hash.update(readFileSync(f));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Maps, Sets and RegExps the loaders build survive the JSON as tagged objects. */
function replacer(this: unknown, _key: string, value: unknown): unknown {
  if (value instanceof Map) return { $snapshot: 'Map', entries: [...value.entries()] };
  if (value instanceof Set) return { $snapshot: 'Set', values: [...value.values()] };
  if (value instanceof RegExp) return { $snapshot: 'RegExp', source: value.source, flags: value.flags };
  return value;
}

/**
 * The tagged objects back to Maps, Sets and RegExps, in place. A walk after a plain JSON.parse,
 * not a reviver: JSON.parse calls a reviver for every value, several times slower on this file.
 */
function revive(value: unknown): unknown {
  if (!value || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = revive(value[i]);
    return value;
  }
  const v = value as { $snapshot?: string; entries?: [unknown, unknown][]; values?: unknown[]; source?: string; flags?: string } & Record<string, unknown>;
  if (v.$snapshot === 'Map') return new Map((v.entries ?? []).map(([k, x]) => [revive(k), revive(x)]));
  if (v.$snapshot === 'Set') return new Set((v.values ?? []).map(revive));
  if (v.$snapshot === 'RegExp') return new RegExp(v.source ?? '', v.flags);
  for (const k in v) v[k] = revive(v[k]);
  return v;
}

/** A value as it reads back from a snapshot (what the JSON keeps of it). */
export function throughSnapshot<T>(value: T): T {
  return revive(JSON.parse(JSON.stringify(value, replacer))) as T;
}

/** Write the loaders' output for `dir` (already validated by them) with the digest of `dir`. */
export async function writeSnapshot<T>(dir: string, sources: T, file = SNAPSHOT_FILE): Promise<void> {
  const sizes = loaderFiles(dir).map((f): [string, number] => [rel(dir, f), statSync(f).size]);
  const folders = ['', ...readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => rel(dir, join(e.parentPath, e.name)))];
  const stored: Stored<T> = { format: FORMAT, digest: await rulesDigest(dir), sizes, folders, sources };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(stored, replacer));
}

/** The stored sources when `file` exists and was built from exactly what `dir` holds now. */
export async function readSnapshot<T>(dir: string, file = SNAPSHOT_FILE): Promise<T | undefined> {
  let stored: Stored<T>;
  let builtAt: number;
  try {
    builtAt = statSync(file).mtimeMs;
    stored = revive(JSON.parse(readFileSync(file, 'utf8'))) as Stored<T>;
  } catch {
    return undefined; // no snapshot (a source checkout before its first build): load the YAML
  }
  if (stored.format !== FORMAT) return undefined;
  if (unchangedSince(dir, builtAt, stored)) return stored.sources;
  return stored.digest === (await rulesDigest(dir)) ? stored.sources : undefined;
}

/**
 * No folder and no file written after the snapshot, every file of the size the build hashed:
 * what it hashed is still there (a file added or removed writes its folder). No listing of the
 * tree, which costs more than the stats. (npm pack gives every file one time, so an installed
 * package passes; a checkout, a pull or an edit writes something newer and sends the start to
 * the digest.)
 */
function unchangedSince(dir: string, builtAt: number, stored: Stored<unknown>): boolean {
  const older = (p: string) => statSync(join(dir, p), { throwIfNoEntry: false });
  for (const f of stored.folders ?? []) {
    const st = older(f);
    if (!st?.isDirectory() || st.mtimeMs > builtAt) return false;
  }
  for (const [f, size] of stored.sizes ?? []) {
    const st = older(f);
    if (!st || st.size !== size || st.mtimeMs > builtAt) return false;
  }
  return stored.folders !== undefined;
}
