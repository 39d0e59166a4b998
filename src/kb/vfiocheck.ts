/**
 * The vfio-pci paths of vfio-paths.yaml against a tree: each function exists in
 * drivers/vfio/pci/vfio_pci_core.c and makes the listed calls in that order.
 */
import type { TreeCode } from './treecode.js';
import type { KnowledgeBase } from './types.js';

export const VFIO_CORE = 'drivers/vfio/pci/vfio_pci_core.c';

/** Messages for paths that do not match; [] when all do. undefined when the file is absent. */
export async function checkVfioPaths(kb: KnowledgeBase, code: TreeCode): Promise<string[] | undefined> {
  const fns = await code.functionsOf(VFIO_CORE);
  if (!fns.length) return undefined;
  const out: string[] = [];
  for (const path of kb.vfioPaths) {
    const fn = fns.find((f) => f.name === path.function);
    if (!fn) {
      out.push(`vfio path '${path.id}': ${path.function}() is not in ${VFIO_CORE}`);
      continue;
    }
    const missing = firstMissing(path.calls, fn.calls);
    if (missing) out.push(`vfio path '${path.id}': ${path.function}() does not call ${missing}() where the knowledge base says (calls: ${path.calls.join(', ')})`);
  }
  return out;
}

/** The first of `want` not found, in order, in `calls`. */
function firstMissing(want: string[], calls: string[]): string | undefined {
  let at = 0;
  for (const w of want) {
    const i = calls.indexOf(w, at);
    if (i < 0) return w;
    at = i + 1;
  }
  return undefined;
}
