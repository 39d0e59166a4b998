/**
 * Re-derive a step's source from its body: a read of pci_find_saved_cap(),
 * pci_find_saved_ext_cap(), saved_config_space or saved_cap_space, in the function or in helpers it calls
 * (followed a few levels through the files kb verify reads), means "snapshot".
 */
import { codeOnly, TreeCode } from './treecode.js';

const SNAPSHOT_RE = /\b(pci_find_saved_cap|pci_find_saved_ext_cap|saved_config_space|saved_cap_space)\b/;

/**
 * The snapshot read in a piece of code (a save-buffer lookup or saved_config_space), or
 * undefined: the one test of "takes its values from the snapshot", for kb verify and for the
 * review notes that guess it from a patch's helper.
 */
export function snapshotRead(code: string): string | undefined {
  return SNAPSHOT_RE.exec(code)?.[1];
}
/** Enough for pci_restore_config_space -> _range -> _dword; deeper helpers are generic. */
const MAX_DEPTH = 3;

export interface Derived {
  snapshot: boolean;
  /** Where the snapshot read was seen: "pci_restore_config_space -> pci_restore_config_space_range: saved_config_space". */
  evidence?: string;
  file?: string;
}

export async function deriveSource(code: TreeCode, fn: string, prefer?: string): Promise<Derived | undefined> {
  const top = await code.find(fn, prefer);
  if (!top) return undefined;
  const seen = new Set<string>();
  const queue: { name: string; path: string[]; depth: number }[] = [{ name: fn, path: [fn], depth: 0 }];
  while (queue.length) {
    const { name, path, depth } = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const found = name === fn ? top : await code.find(name, top.file);
    if (!found) continue;
    const read = snapshotRead(codeOnly(bodyOf(found.fn.text)));
    if (read) return { snapshot: true, evidence: `${path.join(' -> ')}: ${read}`, file: top.file };
    if (depth < MAX_DEPTH) {
      for (const c of new Set(found.fn.calls)) queue.push({ name: c, path: [...path, c], depth: depth + 1 });
    }
  }
  return { snapshot: false, file: top.file };
}

/** The text after the signature, so a parameter named like a field does not count. */
function bodyOf(text: string): string {
  const i = text.indexOf('{');
  return i < 0 ? text : text.slice(i);
}

/** Does the step's own function test the live flag (`->tph_enabled`)? */
export async function testsLiveFlag(code: TreeCode, fn: string, flag: string): Promise<boolean | undefined> {
  const found = await code.find(fn);
  if (!found) return undefined;
  return new RegExp(`(->|\\.)\\s*${flag}\\b`).test(codeOnly(found.fn.text));
}
