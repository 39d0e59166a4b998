/**
 * The C functions of a kernel tree that matter for save/restore, parsed once per file with
 * parseFunctions (tree-sitter-c). Step bodies live in several files depending on the version.
 */
import { parseFunctions, type CFunction } from '../patch/cparse.js';
import type { SourceTree } from '../ingest/tree.js';

/** Files whose functions kb verify follows (msi/*.c is listed from the tree). */
export const STEP_FILES = [
  'drivers/pci/pci.c',
  'drivers/pci/pcie/aer.c',
  'drivers/pci/pcie/dpc.c',
  'drivers/pci/pcie/ptm.c',
  'drivers/pci/pcie/aspm.c',
  'drivers/pci/vc.c',
  'drivers/pci/ats.c',
  'drivers/pci/iov.c',
  'drivers/pci/tph.c',
  'drivers/pci/rebar.c',
];

export interface FoundFunction {
  file: string;
  fn: CFunction;
}

export class TreeCode {
  private parsed = new Map<string, Promise<CFunction[]>>();
  private fileList?: Promise<string[]>;

  constructor(readonly tree: SourceTree) {}

  /** Every file searched, in search order. */
  files(): Promise<string[]> {
    this.fileList ??= this.tree
      .list('drivers/pci/msi', '*.c')
      .then((msi) => [...STEP_FILES, ...msi.map((p) => p.replace(/\\/g, '/')).sort()]);
    return this.fileList;
  }

  /** Functions defined in one file ([] when the file does not exist). */
  functionsOf(file: string): Promise<CFunction[]> {
    let p = this.parsed.get(file);
    if (!p) {
      p = this.tree.read(file).then((text) => (text === undefined ? [] : parseFunctions(text)));
      this.parsed.set(file, p);
    }
    return p;
  }

  /** A function's definition: in `prefer` first, then in the other files. */
  async find(name: string, prefer?: string): Promise<FoundFunction | undefined> {
    const files = await this.files();
    const order = prefer ? [prefer, ...files.filter((f) => f !== prefer)] : files;
    for (const file of order) {
      const fn = (await this.functionsOf(file)).find((f) => f.name === name);
      if (fn) return { file, fn };
    }
    return undefined;
  }
}

/** Function text without comments and string literals, for pattern tests. */
export function codeOnly(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\/\/[^\n]*/g, ' ')
    .replace(/"(?:[^"\\\n]|\\.)*"/g, '""');
}
