/**
 * Load rules/kb/*.yaml into a KnowledgeBase: read, validate against the schemas, cross-check
 * references between files, then build the lookup helpers.
 */
import { join, relative, isAbsolute } from 'node:path';
import { UserError } from '../errors.js';
import { validateKbFile, type KbFileName } from './schema.js';
import { readYaml } from '../rules/datafile.js';
import { crossCheck } from './crosscheck.js';
import { lineForVersion } from './lines.js';
import type { KbFiles, KernelFunction, KernelLine, KnowledgeBase, KnownFix, RestoreStep, VfioPath } from './types.js';
import type { RuleDefinition } from '../rules/types.js';

export type { KbFiles } from './types.js';
import { buildEffects } from './effects.js';

/** A path for messages: relative to the working folder when inside it. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

async function readValid(kbDir: string, name: KbFileName): Promise<{ data: Record<string, unknown>; label: string }> {
  const path = join(kbDir, `${name}.yaml`);
  const label = displayPath(path);
  const data = await readYaml(path, label, 'file missing from the knowledge base');
  await validateKbFile(name, data, label);
  return { data: data as Record<string, unknown>, label };
}

/** Read and validate every facts file under `<rulesDir>/kb`. */
export async function loadKbFiles(rulesDir: string): Promise<KbFiles> {
  const kbDir = join(rulesDir, 'kb');
  const steps = await readValid(kbDir, 'restore-steps');
  const kernels = await readValid(kbDir, 'kernels');
  const functions = await readValid(kbDir, 'functions');
  const paths = await readValid(kbDir, 'vfio-paths');
  const fixes = await readValid(kbDir, 'fixes');
  const effects = await readValid(kbDir, 'effects');
  const lines = (kernels.data.lines as KernelLine[]).map((l) => ({
    ...l,
    nested: l.nested ?? {},
    // A YAML alias can only insert a list as one item: flatten shared ordering facts.
    orderingFacts: (l.orderingFacts as unknown as (string | string[])[]).flat(),
  }));
  const files: KbFiles = {
    steps: steps.data.steps as RestoreStep[],
    lines,
    nonStepCalls: (kernels.data.nonStepCalls as string[] | undefined) ?? [],
    functions: functions.data.functions as KernelFunction[],
    paths: paths.data.paths as VfioPath[],
    fixes: fixes.data.fixes as KnownFix[],
    effects: buildEffects(effects.data),
  };
  crossCheck(files, {
    steps: steps.label,
    kernels: kernels.label,
    functions: functions.label,
    paths: paths.label,
    fixes: fixes.label,
  });
  return files;
}

/** Functions of the steps join functions.yaml with roles restore-step / save-step. */
function functionMap(files: KbFiles): Map<string, KernelFunction> {
  const map = new Map<string, KernelFunction>();
  for (const f of files.functions) map.set(f.name, { ...f, roles: [...f.roles] });
  const add = (name: string, role: 'restore-step' | 'save-step', step: RestoreStep) => {
    const f = map.get(name);
    if (f) {
      if (!f.roles.includes(role)) f.roles.push(role);
      return;
    }
    map.set(name, { name, roles: [role], description: step.summary, citations: step.citations });
  };
  for (const s of files.steps) {
    add(s.function, 'restore-step', s);
    if (s.saveFunction) add(s.saveFunction, 'save-step', s);
  }
  return map;
}

/** Assemble the KnowledgeBase object from validated files. */
export function buildKnowledgeBase(dir: string, files: KbFiles, rules: RuleDefinition[]): KnowledgeBase {
  const steps = new Map(files.steps.map((s) => [s.id, s]));
  const lines = files.lines;
  const kb: KnowledgeBase = {
    dir,
    steps,
    nonStepCalls: files.nonStepCalls,
    lines,
    functions: functionMap(files),
    vfioPaths: files.paths,
    fixes: files.fixes,
    effects: files.effects,
    rules,
    newestLine: () => lines[lines.length - 1],
    line: (id) => lines.find((l) => l.id === id),
    lineForVersion: (v) => lineForVersion(lines, v),
    restoreSteps: (id) => {
      const line = lines.find((l) => l.id === id);
      if (!line) throw new UserError(`unknown kernel line '${id}' (known: ${lines.map((l) => l.id).join(', ')})`);
      return line.restore.map((s) => steps.get(s)!);
    },
  };
  return kb;
}

/** The step whose restore function (or, with 'save', save function) `name` is. */
export function stepByFunction(kb: KnowledgeBase, name: string, which: 'restore' | 'save' = 'restore'): RestoreStep | undefined {
  for (const s of kb.steps.values()) if ((which === 'save' ? s.saveFunction : s.function) === name) return s;
  return undefined;
}
