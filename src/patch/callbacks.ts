/**
 * Struct initialisers that wire functions to roles: `.reset_done = vfio_pci_core_aer_reset_done,`
 * inside `const struct pci_error_handlers vfio_pci_core_err_handlers = { ... }`.
 */
import type { CallbackAssignment, FunctionChange } from '../model.js';
import type { InitPair } from './cparse.js';
import type { Side } from './sides.js';

const PAIR_LINE = /^\s*\.(\w+)\s*=\s*(\w+)\s*,?\s*(?:\/[*/].*)?$/;
const DECL_LINE = /\bstruct\s+(\w+)\s+(\w+)\s*(?:\[[^\]]*\])?\s*=\s*\{/;

/** Assignments seen on the Sides: added/removed on changed lines, unchanged on the post side. */
export function collectCallbacks(
  sides: Side[],
  isFunction: (name: string, field: string, structType?: string) => boolean,
): CallbackAssignment[] {
  const out: CallbackAssignment[] = [];
  const keys = new Set<string>();
  for (const side of sides) {
    for (const p of pairsOf(side)) {
      if (!isFunction(p.value, p.field, p.structType)) continue;
      const changed = side.changed.has(p.line);
      if (!side.post && !changed) continue; // unchanged ones are taken from the post side
      const cb = toAssignment(side, p, changed);
      const key = `${cb.file}|${cb.field}|${cb.value}|${cb.change}|${cb.newLine ?? cb.oldLine}`;
      if (!keys.has(key)) out.push(cb);
      keys.add(key);
    }
  }
  return out;
}

function toAssignment(side: Side, p: InitPair, changed: boolean): CallbackAssignment {
  const cb: CallbackAssignment = {
    file: side.file,
    field: p.field,
    value: p.value,
    change: changed ? (side.post ? 'added' : 'removed') : 'unchanged',
  };
  if (p.structType) cb.structType = p.structType;
  if (p.variable) cb.variable = p.variable;
  if (side.post) cb.newLine = p.line;
  else cb.oldLine = p.line;
  return cb;
}

/**
 * The parser's pairs, plus `.field = name,` lines it could not place (a fragment that starts
 * inside the initialiser), owned by the nearest `struct T v = {` line above them.
 */
function pairsOf(side: Side): InitPair[] {
  const parsed = side.facts.initializers;
  const lines = new Set(parsed.map((p) => p.line));
  const extra: InitPair[] = [];
  if (side.whole) return parsed;
  let owner = ownerOf(side.header ?? '');
  for (const [line, text] of [...side.text].sort((a, b) => a[0] - b[0])) {
    const decl = DECL_LINE.exec(text);
    if (decl) owner = { structType: decl[1], variable: decl[2] };
    else if (/^\S/.test(text) && !text.startsWith('}')) owner = {};
    const m = PAIR_LINE.exec(text);
    if (m && !lines.has(line)) extra.push({ field: m[1], value: m[2], line, ...owner });
  }
  return [...parsed, ...extra].sort((a, b) => a.line - b.line);
}

function ownerOf(section: string): { structType?: string; variable?: string } {
  const m = DECL_LINE.exec(section);
  return m ? { structType: m[1], variable: m[2] } : {};
}

/**
 * Ops structs of this domain whose members are callbacks except the data fields listed:
 * there any lowercase identifier value is a function, even one defined in another file.
 */
const OPS_STRUCTS: Record<string, string[]> = {
  pci_error_handlers: [],
  pci_driver: ['name', 'id_table', 'driver', 'err_handler', 'groups', 'dev_groups', 'dynids', 'driver_managed_dma'],
  vfio_device_ops: ['name'],
  vfio_migration_ops: [],
  vfio_log_ops: [],
  vm_operations_struct: ['name'],
  file_operations: ['owner'],
  dev_pm_ops: [],
  pci_ops: [],
};

/**
 * Is `value` a function? Known definitions and prototypes say so; a member of a known ops
 * struct (above) is one; otherwise a lowercase name that carries the role as a word
 * (`foo_reset_done` for `.reset_done`) is taken as one, which keeps `.id_table =
 * vfio_pci_table` and a local `.fn = fn` out.
 */
export function functionTest(known: Set<string>): (name: string, field: string, structType?: string) => boolean {
  return (name, field, structType) => {
    if (known.has(name)) return true;
    if (!/^[a-z_][a-z0-9_]*$/.test(name) || name === 'true' || name === 'false') return false;
    const data = structType ? OPS_STRUCTS[structType] : undefined;
    if (data && !data.includes(field)) return true;
    return name.endsWith(`_${field}`) || name.includes(`_${field}_`);
  };
}

/** Fill `assignedTo` of each function from the assignments that are not removed. */
export function wireRoles(functions: FunctionChange[], callbacks: CallbackAssignment[]): void {
  for (const fn of functions) {
    const roles = callbacks.filter((c) => c.value === fn.name && c.change !== 'removed').map((c) => c.field);
    fn.assignedTo = [...new Set(roles)];
  }
}
