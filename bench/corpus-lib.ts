/**
 * The real-patch corpus (bench/corpus/): one sidecar YAML per patch with its provenance and the
 * rule ids a careful maintainer would raise on it. Read by bench/corpus-eval.ts (precision and
 * recall) and by test/corpus.test.ts (the corpus is well-formed), so both see one shape.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

export const CORPUS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), 'corpus');

/** Where the patch text was read: enough for someone else to find the same bytes again. */
export interface Provenance {
  /** list-mail (a mail in an archive), distro-patch (a packaging repository's patch file), commit. */
  kind: 'list-mail' | 'distro-patch' | 'commit';
  /** The repository (owner/name) or archive the text was read from. */
  repository: string;
  /** How it was read: the search tool's verb and the stored file's id, or a path and commit. */
  read_via: string;
  message_id?: string;
  path?: string;
  commit?: string;
}

export interface CorpusEntry {
  /** The sidecar's base name: the patch's name in reports. */
  name: string;
  /** Absolute path of the patch file. */
  patchPath: string;
  subject: string;
  author: string;
  date: string;
  source: Provenance;
  /** The upstream commit, when the patch (or a later version of it) was merged. */
  upstream?: { commit?: string; status: string; note?: string };
  /** The kernel line to review against (`--kernel`), when the patch is for an older line. */
  kernel?: string;
  /** What was cut from the original text, if anything (transport headers, files not followed). */
  trimmed?: string;
  /** Rule ids a careful maintainer would raise. */
  expected: string[];
  /** One line per expected rule id, or `benign` for an empty list. */
  reasons: Record<string, string>;
  /** When the labels were changed after the fact: the date, the labels before, and why (kept visible). */
  relabelled?: { date: string; was: string[]; reason: string };
}

const REQUIRED = ['subject', 'author', 'date', 'source', 'expected', 'reasons'] as const;
const SOURCE_REQUIRED = ['kind', 'repository', 'read_via'] as const;

/** One line saying what is wrong with a sidecar, or nothing. */
export function problemsOf(e: Record<string, unknown>, file: string): string[] {
  const out: string[] = [];
  for (const k of REQUIRED) if (e[k] === undefined) out.push(`${file}: missing field ${k}`);
  const src = e.source as Record<string, unknown> | undefined;
  if (src && typeof src === 'object') {
    for (const k of SOURCE_REQUIRED) if (typeof src[k] !== 'string' || !src[k]) out.push(`${file}: source.${k} missing`);
    if (!['list-mail', 'distro-patch', 'commit'].includes(String(src.kind))) out.push(`${file}: source.kind ${String(src.kind)}`);
    if (!src.message_id && !src.commit) out.push(`${file}: source needs message_id or commit`);
  }
  if (e.expected !== undefined && !Array.isArray(e.expected)) out.push(`${file}: expected is not a list`);
  const reasons = (e.reasons ?? {}) as Record<string, unknown>;
  const expected = Array.isArray(e.expected) ? (e.expected as string[]) : [];
  for (const id of expected) if (typeof reasons[id] !== 'string') out.push(`${file}: no reason for ${id}`);
  if (expected.length === 0 && typeof reasons.benign !== 'string') out.push(`${file}: no reason (benign) for an empty label`);
  return out;
}

/** Every sidecar in the corpus, sorted by name; throws on a malformed one (see problemsOf). */
export async function readCorpus(dir = CORPUS_DIR): Promise<CorpusEntry[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.yaml')).sort();
  const entries: CorpusEntry[] = [];
  for (const n of names) {
    const file = join(dir, n);
    const raw = parseYaml(await readFile(file, 'utf8')) as Record<string, unknown>;
    const problems = problemsOf(raw, n);
    if (problems.length) throw new Error(problems.join('\n'));
    const name = basename(n, '.yaml');
    const patch = typeof raw.patch === 'string' ? raw.patch : `${name}.patch`;
    entries.push({ ...(raw as unknown as CorpusEntry), name, patchPath: resolve(dir, patch), kernel: raw.kernel ? String(raw.kernel) : undefined });
  }
  return entries;
}
