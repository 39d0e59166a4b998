/**
 * `kb verify`: check the knowledge base against a real tree (issue #3, item 6). Every step of
 * pci_restore_state() and pci_save_state() must be known and in the order of the closest line,
 * nested steps must be called where the line says, and each step's snapshot/live source must
 * match what its body reads.
 */
import type { SourceTree } from '../ingest/tree.js';
import { deriveSource, testsLiveFlag } from './classify.js';
import { describeFixes, fixesInTree } from './fixes.js';
import { stepByFunction } from './load.js';
import { closestLine, readShape, type StepCall } from './shape.js';
import { TreeCode } from './treecode.js';
import { checkVfioPaths, VFIO_CORE } from './vfiocheck.js';
import { checkEffects } from './effectscheck.js';
import type { KernelLine, KnowledgeBase, RestoreStep } from './types.js';

export interface Drift {
  kind: 'unknown-step' | 'missing-step' | 'extra-step' | 'order' | 'nested' | 'classification' | 'gate' | 'not-found' | 'vfio-path' | 'effect';
  message: string;
}

export interface StepFinding {
  id: string;
  function: string;
  file?: string;
  kbSource: string;
  snapshot?: boolean;
  evidence?: string;
}

export interface VerifyResult {
  tree: string;
  line: KernelLine;
  gate: boolean;
  fixes: Record<string, boolean | undefined>;
  /** Lines describing what was checked, for the report. */
  info: string[];
  /** Each step checked: where it was found and what its body reads (for --verbose). */
  steps: StepFinding[];
  drifts: Drift[];
}

export async function verifyTree(kb: KnowledgeBase, tree: SourceTree): Promise<VerifyResult> {
  const code = new TreeCode(tree);
  const shape = await readShape(kb, code);
  const { line } = closestLine(kb, shape);
  const drifts: Drift[] = [];
  const info: string[] = [];
  info.push(
    `line: ${line.id} (closest to the tree's code); state_saved gate ${shape.gate ? 'present' : 'absent'}`,
  );
  info.push(compareSequence('pci_restore_state', shape.restore, line.restore, line.id, drifts, 'restore'));
  info.push(compareSequence('pci_save_state', shape.save, line.save, line.id, drifts, 'save'));
  info.push(await checkNested(kb, code, line, shape.restore, drifts));
  const steps: StepFinding[] = [];
  info.push(await checkSources(kb, code, line, shape.restore, drifts, steps));
  info.push(await vfioInfo(kb, code, drifts));
  // Cited line numbers were read in one release of a line: a tree that has the line's code but
  // says it is another release (a backport, an edited copy) keeps its own layout.
  const released = tree.kernelVersion ? kb.lineForVersion(tree.kernelVersion) : undefined;
  const skipLines = !released || released.id === line.id ? undefined : `${tree.kernelVersion} is a ${released.id} release`;
  info.push(await effectsInfo(kb, code, line.id, drifts, skipLines));
  const fixes = await fixesInTree(kb, code);
  info.push(`fixes: ${describeFixes(kb, fixes)}`);
  return { tree: tree.describe(), line, gate: shape.gate, fixes, info, drifts, steps };
}

function compareSequence(
  fn: string,
  calls: StepCall[],
  expected: string[],
  lineId: string,
  drifts: Drift[],
  which: 'restore' | 'save',
): string {
  const before = drifts.length;
  calls.forEach((c, i) => {
    if (!c.step) {
      drifts.push({
        kind: 'unknown-step',
        message: `${fn}(): unknown ${which} step ${c.function}() at position ${i + 1}: does it ${which} from the snapshot or from live state?`,
      });
    }
  });
  const ids = calls.filter((c) => c.step).map((c) => c.step!);
  for (const id of ids.filter((id) => !expected.includes(id))) {
    drifts.push({ kind: 'extra-step', message: `${fn}(): calls step '${id}', which line ${lineId} does not have` });
  }
  for (const id of expected.filter((id) => !ids.includes(id))) {
    drifts.push({ kind: 'missing-step', message: `${fn}(): line ${lineId} has step '${id}', which the tree does not call` });
  }
  const common = ids.filter((id) => expected.includes(id));
  const want = expected.filter((id) => ids.includes(id));
  const at = common.findIndex((id, i) => id !== want[i]);
  if (at >= 0) {
    drifts.push({
      kind: 'order',
      message: `${fn}(): order differs from line ${lineId} at step ${at + 1}: tree calls '${common[at]}' where the line has '${want[at]}' (tree: ${common.join(' ')})`,
    });
  }
  return drifts.length === before
    ? `${fn}(): ${calls.length} steps, in the order of line ${lineId}: ${ids.join(' ')}`
    : `${fn}(): ${calls.length} steps, differences below`;
}

async function checkNested(kb: KnowledgeBase, code: TreeCode, line: KernelLine, calls: StepCall[], drifts: Drift[]): Promise<string> {
  const parts: string[] = [];
  for (const [parentId, children] of Object.entries(line.nested ?? {})) {
    if (!calls.some((c) => c.step === parentId)) continue;
    const parent = kb.steps.get(parentId)!;
    const found = await code.find(parent.function);
    if (!found) continue; // reported by checkSources
    const seen = found.fn.calls.map((c) => stepByFunction(kb, c)?.id).filter((id): id is string => !!id && children.includes(id));
    const missing = children.filter((c) => !seen.includes(c));
    if (missing.length) {
      drifts.push({ kind: 'nested', message: `${parent.function}(): does not call step(s) ${missing.join(', ')} as line ${line.id} says` });
    } else if (seen.join() !== children.join()) {
      drifts.push({ kind: 'nested', message: `${parent.function}(): calls ${seen.join(', ')}; line ${line.id} says ${children.join(', ')}` });
    }
    parts.push(`${parentId} -> ${children.join(', ')}`);
  }
  return `nested steps: ${parts.length ? parts.join('; ') : 'none'}`;
}

async function vfioInfo(kb: KnowledgeBase, code: TreeCode, drifts: Drift[]): Promise<string> {
  const problems = await checkVfioPaths(kb, code);
  if (!problems) return `vfio paths: not checked (${VFIO_CORE} not in the tree)`;
  for (const message of problems) drifts.push({ kind: 'vfio-path', message });
  return `vfio paths: ${kb.vfioPaths.length} checked in ${VFIO_CORE}${problems.length ? '' : ', all agree'}`;
}

/** `skipLines`: why the line's cited numbers are not compared with this tree. */
async function effectsInfo(kb: KnowledgeBase, code: TreeCode, lineId: string, drifts: Drift[], skipLines?: string): Promise<string> {
  const r = await checkEffects(kb, code, lineId, { lines: !skipLines });
  for (const message of r.problems) drifts.push({ kind: 'effect', message });
  const absent = r.absent.length ? `; not in the tree's files read: ${r.absent.join(', ')}` : '';
  const lines = skipLines ? `cited lines of ${lineId} not compared (${skipLines})` : `${r.lines} cited lines compared`;
  return `effects: ${r.checked} functions' calls and order checked, ${lines}${r.problems.length ? '' : ', all agree'}${absent}`;
}

async function checkSources(
  kb: KnowledgeBase,
  code: TreeCode,
  line: KernelLine,
  calls: StepCall[],
  drifts: Drift[],
  found: StepFinding[],
): Promise<string> {
  const ids = calls.filter((c) => c.step).map((c) => c.step!);
  const all = [...ids, ...ids.flatMap((id) => line.nested?.[id] ?? [])];
  let snapshot = 0;
  for (const id of all) {
    const step = kb.steps.get(id)!;
    const derived = await deriveSource(code, step.function);
    found.push({ id, function: step.function, file: derived?.file, kbSource: step.source, snapshot: derived?.snapshot, evidence: derived?.evidence });
    if (!derived) {
      drifts.push({ kind: 'not-found', message: `step '${id}': ${step.function}() is not defined in the files read` });
      continue;
    }
    if (derived.snapshot) snapshot++;
    const mismatch = derived.snapshot !== (step.source === 'snapshot');
    if (mismatch) drifts.push({ kind: 'classification', message: classificationMessage(step, derived.snapshot, derived.evidence, derived.file) });
    await checkGate(code, step, drifts);
  }
  const bad = drifts.filter((d) => d.kind === 'classification' || d.kind === 'not-found').length;
  return `sources: ${all.length} steps re-derived from their bodies (${snapshot} read the snapshot)${bad ? '' : ', all agree'}`;
}

function classificationMessage(step: RestoreStep, snapshot: boolean, evidence: string | undefined, file: string | undefined): string {
  return snapshot
    ? `step '${step.id}': ${step.function}() (${file}) reads the snapshot (${evidence}) but the knowledge base says '${step.source}'`
    : `step '${step.id}': ${step.function}() (${file}) reads no snapshot (no pci_find_saved_cap/pci_find_saved_ext_cap/saved_config_space) but the knowledge base says 'snapshot'`;
}

async function checkGate(code: TreeCode, step: RestoreStep, drifts: Drift[]): Promise<void> {
  if (!step.liveGate) return;
  const ok = await testsLiveFlag(code, step.function, step.liveGate);
  if (ok === false) {
    drifts.push({ kind: 'gate', message: `step '${step.id}': ${step.function}() no longer tests the live flag ${step.liveGate}` });
  }
}

/** The report `kb verify` prints. */
export function formatVerify(r: VerifyResult, elapsedMs?: number, verbose = false): string {
  const out = [`kb verify: ${r.tree}`, ...r.info.map((l) => `  ${l}`)];
  if (verbose) out.push(...r.steps.map(stepLine));
  for (const d of r.drifts) out.push(`DRIFT [${d.kind}] ${d.message}`);
  const time = elapsedMs === undefined ? '' : ` (${(elapsedMs / 1000).toFixed(1)} s)`;
  out.push(
    r.drifts.length
      ? `FAIL: ${r.drifts.length} difference(s) between rules/kb and the tree${time}`
      : `OK: the knowledge base matches the tree${time}`,
  );
  return out.join('\n') + '\n';
}

function stepLine(s: StepFinding): string {
  const derived = s.snapshot === undefined ? 'not found' : s.snapshot ? `snapshot (${s.evidence})` : 'no snapshot read';
  return `    ${s.id.padEnd(12)} ${s.function}() in ${s.file ?? '?'}: kb ${s.kbSource}; body: ${derived}`;
}
