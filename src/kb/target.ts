/**
 * The kernel a review targets (issue #3, item 2): a tree's own shape and fixes with --tree,
 * the named line with --kernel, else the newest line the KB knows.
 */
import { UserError } from '../errors.js';
import type { TargetInfo } from '../model.js';
import type { SourceTree } from '../ingest/tree.js';
import { describeFixes, fixesForLine, fixesInTree } from './fixes.js';
import { closestLine, readShape, type TreeShape } from './shape.js';
import { TreeCode } from './treecode.js';
import type { KnowledgeBase } from './types.js';

export async function resolveTarget(kb: KnowledgeBase, opts: { tree?: SourceTree; kernel?: string }): Promise<TargetInfo> {
  if (opts.tree && (await opts.tree.read('drivers/pci/pci.c')) !== undefined) return fromTree(kb, opts.tree);
  const target = opts.kernel ? fromKernel(kb, opts.kernel) : newest(kb);
  // A tree with only some kernel files (a driver repository, a partial mirror) still gives the
  // patch stage whole files, but cannot say which kernel it is.
  if (opts.tree) target.description += `; ${opts.tree.describe()} has no drivers/pci/pci.c`;
  return target;
}

function newest(kb: KnowledgeBase): TargetInfo {
  const line = kb.newestLine();
  return {
    line: line.id,
    how: 'default',
    description: `assumed ${line.id} (newest known; pass --kernel or --tree)`,
    fixes: fixesForLine(kb, line.id),
  };
}

async function fromTree(kb: KnowledgeBase, tree: SourceTree): Promise<TargetInfo> {
  const code = new TreeCode(tree);
  const shape = await readShape(kb, code);
  const { line, distance } = closestLine(kb, shape);
  const fixes = await fixesInTree(kb, code);
  const shapeNote = distance === 0 ? '' : `; closest line, ${distance} step difference(s): run \`vfio-review kb verify\``;
  return {
    line: line.id,
    how: 'tree',
    description: `${line.id} (from --tree ${tree.describe()}; ${describeFixes(kb, fixes)}${shapeNote})`,
    fixes,
    steps: treeSteps(shape),
  };
}

function fromKernel(kb: KnowledgeBase, version: string): TargetInfo {
  const line = kb.lineForVersion(version);
  if (!line) {
    const known = kb.lines.map((l) => `${l.id} (${l.since}${l.until ? `..${l.until}` : '+'})`).join(', ');
    throw new UserError(`unknown kernel '${version}'; known lines: ${known}`, '--kernel');
  }
  const fixes = fixesForLine(kb, line.id, version);
  return {
    line: line.id,
    how: 'kernel-option',
    description: `${line.id} (from --kernel ${version}; ${describeFixes(kb, fixes)})`,
    fixes,
  };
}

/**
 * Whether pci_restore_state() still returns early on !state_saved in a target: the fix state of
 * a2f1e22390ac when known, else the line's first release. Rules should ask this, not the line.
 */
export function stateSavedGate(kb: KnowledgeBase, target: TargetInfo): boolean | undefined {
  const fixed = target.fixes['a2f1e22390ac'];
  if (fixed !== undefined) return !fixed;
  const line = kb.line(target.line);
  return line?.stateSavedGate ? undefined : false;
}

/** The known step ids of a tree's pci_restore_state(), in call order, each once. */
function treeSteps(shape: TreeShape): string[] {
  const out: string[] = [];
  for (const c of shape.restore) if (c.step && !out.includes(c.step)) out.push(c.step);
  return out;
}

/**
 * The restore step ids a target has, in call order: the tree's own (TargetInfo.steps, with
 * --tree) when known, else its line's (kb.restoreSteps, which throws on an unknown line).
 */
export function targetStepIds(kb: KnowledgeBase, target: Pick<TargetInfo, 'line' | 'steps'>): string[] {
  if (!target.steps) return kb.restoreSteps(target.line).map((st) => st.id);
  return target.steps.filter((id) => kb.steps.has(id));
}

/**
 * A tree's own pci_restore_state()/pci_save_state() calls mapped to step ids (unknown calls keep
 * only their function name), for engines that want the tree's steps rather than its line's.
 */
export async function treeShape(kb: KnowledgeBase, tree: SourceTree): Promise<TreeShape> {
  return readShape(kb, new TreeCode(tree));
}
