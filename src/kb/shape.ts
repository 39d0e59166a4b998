/**
 * The shape of a tree's pci_restore_state()/pci_save_state(): which steps it calls in which
 * order, whether it keeps the state_saved gate, and which KB line it is closest to.
 */
import { UserError } from '../errors.js';
import { stepByFunction } from './load.js';
import { codeOnly, TreeCode } from './treecode.js';
import type { KernelLine, KnowledgeBase } from './types.js';

export const GATE_RE = /if\s*\(\s*!\s*\w+\s*->\s*state_saved\s*\)\s*return\s*;/;

/** One call of pci_restore_state() or pci_save_state(): a known step id or an unknown function. */
export interface StepCall {
  function: string;
  step?: string;
}

export interface TreeShape {
  restore: StepCall[];
  save: StepCall[];
  /** pci_restore_state() returns early when !state_saved. */
  gate: boolean;
}

/** Read the two functions from drivers/pci/pci.c and map their calls to step ids. */
export async function readShape(kb: KnowledgeBase, code: TreeCode): Promise<TreeShape> {
  const fns = await code.functionsOf('drivers/pci/pci.c');
  const restore = fns.find((f) => f.name === 'pci_restore_state');
  const save = fns.find((f) => f.name === 'pci_save_state');
  if (!restore || !save) {
    throw new UserError('pci_restore_state() or pci_save_state() not found in drivers/pci/pci.c', code.tree.root);
  }
  const skip = new Set(kb.nonStepCalls ?? []);
  const map = (calls: string[], which: 'restore' | 'save'): StepCall[] =>
    calls.filter((c) => !skip.has(c)).map((c) => ({ function: c, step: stepByFunction(kb, c, which)?.id }));
  return {
    restore: map(restore.calls, 'restore'),
    save: map(save.calls, 'save'),
    gate: GATE_RE.test(codeOnly(restore.text)),
  };
}

/**
 * Insert/delete distance between two sequences of ids (no substitution, so an unknown call
 * never passes for a known step at the same place: a swap costs 2, an added step 1).
 */
export function editDistance(a: string[], b: string[]): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, a[i - 1] === b[j - 1] ? prev[j - 1] : Infinity);
    }
    prev = cur;
  }
  return prev[b.length];
}

/** Ids of a shape's calls; unknown calls keep their function name so they count as different. */
export function shapeIds(calls: StepCall[]): string[] {
  return calls.map((c) => c.step ?? `?${c.function}`);
}

/**
 * The line whose restore sequence is closest to the tree's; the gate only breaks ties, because a
 * stable backport removes it without changing the line's shape. Newer lines win exact ties.
 */
export function closestLine(kb: KnowledgeBase, shape: TreeShape): { line: KernelLine; distance: number } {
  const ids = shapeIds(shape.restore);
  let best: { line: KernelLine; distance: number; score: number } | undefined;
  for (const line of kb.lines) {
    const distance = editDistance(ids, line.restore) + editDistance(shapeIds(shape.save), line.save);
    const score = distance * 10 + (line.stateSavedGate === shape.gate ? 0 : 1);
    if (!best || score <= best.score) best = { line, distance, score };
  }
  return { line: best!.line, distance: best!.distance };
}
