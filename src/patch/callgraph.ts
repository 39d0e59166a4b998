/**
 * The post-patch call graph of the C files a patch touches, from a --tree: every function of
 * those files as the tree has it (the patch's own functions replace theirs in the analyzer's
 * scope), and the roles their struct initialisers give them. Built here, in the patch stage,
 * so that the analyzer never reads a tree.
 */
import type { CallGraph, GraphFunction, PatchModel } from '../model.js';
import type { SourceTree } from '../ingest/tree.js';
import { parseFunctions } from './cparse.js';

/** `.field = function` struct initialisers in a source text: function -> roles. */
export function initialiserRoles(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of text.matchAll(/\.\s*([A-Za-z_]\w*)\s*=\s*&?\s*([A-Za-z_]\w*)\s*(?=[,}\n])/g)) {
    const list = out.get(m[2]) ?? [];
    if (!list.includes(m[1])) list.push(m[1]);
    out.set(m[2], list);
  }
  return out;
}

/** The call graph of the patch's C files in `tree`; throws when the tree cannot be read or parsed. */
export async function buildCallGraph(patch: PatchModel, tree: SourceTree): Promise<CallGraph> {
  const functions: GraphFunction[] = [];
  const roles = new Map<string, string[]>();
  for (const f of patch.files) {
    if (f.binary || f.status === 'deleted' || !/\.[ch]$/.test(f.path)) continue;
    const text = await tree.read(f.oldPath ?? f.path);
    if (text === undefined) continue;
    for (const fn of await parseFunctions(text)) functions.push({ name: fn.name, file: f.path, calls: fn.calls, text: fn.text, startLine: fn.startLine });
    for (const [fn, r] of initialiserRoles(text)) roles.set(fn, [...new Set([...(roles.get(fn) ?? []), ...r])]);
  }
  return { functions, roles };
}

/**
 * The graph, or why there is none: the graph only adds reach through unchanged helpers, so a
 * failure is a note on the patch model (the pipeline attaches it), not an error.
 */
export async function callGraphOrNote(patch: PatchModel, tree: SourceTree): Promise<{ graph?: CallGraph; note?: string }> {
  try {
    return { graph: await buildCallGraph(patch, tree) };
  } catch (err) {
    return { note: `call graph of the tree unavailable: ${(err as Error).message}` };
  }
}
