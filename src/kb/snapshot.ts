/**
 * The knowledge base compiled once: what the YAML loaders return for the package's own rules/
 * (the facts of loadKbFiles, the rules of loadRules: plain data), stored as one JSON file at
 * build time (scripts/build-cli.mjs, after validating everything), so that a start parses
 * neither YAML nor compiles a JSON schema. The snapshot carries a digest of the files it was
 * built from; when rules/ no longer matches it is ignored and the YAML is loaded as before.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the build puts the snapshot of <package>/rules. */
export const SNAPSHOT_FILE = fileURLToPath(new URL('../../build/kb-snapshot.json', import.meta.url));

const FORMAT = 2;
/** The files the loaders read (rules, facts, schemas, docs); not the test patches. */
const READ_BY_LOADERS = /\.(ya?ml|json|md)$/;

interface Stored<T> {
  format: number;
  digest: string;
  sources: T;
}

/**
 * sha256 over the relative path and content of every file the loaders read under `dir`.
 * Synchronous: some forty small files, read faster without a promise per file.
 */
export async function rulesDigest(dir: string): Promise<string> {
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && READ_BY_LOADERS.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
  const hash = createHash('sha256');
  for (const f of files) {
    hash.update(relative(dir, f).split('\\').join('/') + '\0');
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

function reviver(_key: string, value: unknown): unknown {
  const v = value as { $snapshot?: string; entries?: [unknown, unknown][]; values?: unknown[]; source?: string; flags?: string } | null;
  if (!v || typeof v !== 'object' || typeof v.$snapshot !== 'string') return value;
  if (v.$snapshot === 'Map') return new Map(v.entries);
  if (v.$snapshot === 'Set') return new Set(v.values);
  if (v.$snapshot === 'RegExp') return new RegExp(v.source ?? '', v.flags);
  return value;
}

/** A value as it reads back from a snapshot (what the JSON keeps of it). */
export function throughSnapshot<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, replacer), reviver) as T;
}

/** Write the loaders' output for `dir` (already validated by them) with the digest of `dir`. */
export async function writeSnapshot<T>(dir: string, sources: T, file = SNAPSHOT_FILE): Promise<void> {
  const stored: Stored<T> = { format: FORMAT, digest: await rulesDigest(dir), sources };
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(stored, replacer));
}

/** The stored sources when `file` exists and was built from exactly what `dir` holds now. */
export async function readSnapshot<T>(dir: string, file = SNAPSHOT_FILE): Promise<T | undefined> {
  let stored: Stored<T>;
  try {
    stored = JSON.parse(await readFile(file, 'utf8'), reviver) as Stored<T>;
  } catch {
    return undefined; // no snapshot (a source checkout before its first build): load the YAML
  }
  if (stored.format !== FORMAT || stored.digest !== (await rulesDigest(dir))) return undefined;
  return stored.sources;
}
