/** Known fixes: recognised in a tree by code, or looked up for a kernel line/version. */
import { codeOnly, TreeCode } from './treecode.js';
import { compareMinor, inStableFrom, parseVersion, type KernelVersion } from './versions.js';
import type { KnowledgeBase, KnownFix } from './types.js';

/** true/false when the function was found; undefined when it is not in the tree at all. */
export async function fixInTree(fix: KnownFix, code: TreeCode): Promise<boolean | undefined> {
  const found = await code.find(fix.recognise.function, fix.recognise.file);
  if (!found) return undefined;
  const text = codeOnly(found.fn.text);
  const all = (fix.recognise.patterns ?? []).every((re) => new RegExp(re).test(text));
  const none = (fix.recognise.absent ?? []).every((re) => !new RegExp(re).test(text));
  return all && none;
}

export async function fixesInTree(kb: KnowledgeBase, code: TreeCode): Promise<Record<string, boolean | undefined>> {
  const out: Record<string, boolean | undefined> = {};
  for (const fix of kb.fixes) out[fix.id] = await fixInTree(fix, code);
  return out;
}

/**
 * Without a tree: inLines/notInLines decide; else a stable entry decides when the version
 * names a sublevel of its branch; else unknown.
 */
export function fixForLine(fix: KnownFix, lineId: string, version?: string): boolean | undefined {
  if (fix.inLines?.includes(lineId)) return true;
  if (fix.notInLines?.includes(lineId)) return false;
  const v = version ? parseVersion(version) : undefined;
  if (!v) return undefined;
  const branch = (fix.stable ?? []).find((s) => sameBranch(v, s.branch));
  return branch ? inStableFrom(v, branch.branch, branch.since) : undefined;
}

export function fixesForLine(kb: KnowledgeBase, lineId: string, version?: string): Record<string, boolean | undefined> {
  return Object.fromEntries(kb.fixes.map((f) => [f.id, fixForLine(f, lineId, version)]));
}

/** "a2f1e22390ac present, MSI-X decoding fix absent, TPH unknown". */
export function describeFixes(kb: KnowledgeBase, state: Record<string, boolean | undefined>): string {
  return kb.fixes
    .map((f) => `${f.short} ${state[f.id] === true ? 'present' : state[f.id] === false ? 'absent' : 'unknown'}`)
    .join(', ');
}

function sameBranch(v: KernelVersion, branch: string): boolean {
  const b = parseVersion(branch);
  return !!b && compareMinor(v, b) === 0;
}
