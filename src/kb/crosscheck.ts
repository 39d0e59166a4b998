/** References between the facts files: every id a file names must exist. */
import { UserError } from '../errors.js';
import type { KbFiles } from './types.js';

type Labels = { steps: string; kernels: string; functions: string; paths: string; fixes: string };

function unique(items: string[], what: string, label: string): void {
  const seen = new Set<string>();
  for (const id of items) {
    if (seen.has(id)) throw new UserError(`${what} '${id}' is defined twice`, label);
    seen.add(id);
  }
}

export function crossCheck(files: KbFiles, labels: Labels): void {
  unique(files.steps.map((s) => s.id), 'step', labels.steps);
  unique(files.steps.map((s) => s.function), 'step function', labels.steps);
  unique(files.lines.map((l) => l.id), 'line', labels.kernels);
  unique(files.functions.map((f) => f.name), 'function', labels.functions);
  unique(files.paths.map((p) => p.id), 'path', labels.paths);
  unique(files.fixes.map((f) => f.id), 'fix', labels.fixes);
  checkLines(files, labels.kernels);
  checkFixes(files, labels.fixes);
}

function checkLines(files: KbFiles, label: string): void {
  const steps = new Map(files.steps.map((s) => [s.id, s]));
  for (const line of files.lines) {
    const where = `line '${line.id}'`;
    for (const field of ['restore', 'save'] as const) {
      line[field].forEach((id, i) => {
        if (!steps.has(id)) throw new UserError(`${where}: field '${field}.${i}' names unknown step '${id}'`, label);
      });
    }
    for (const id of line.save) {
      if (!steps.get(id)!.saveFunction) {
        throw new UserError(`${where}: field 'save' names step '${id}', which has no saveFunction`, label);
      }
    }
    for (const [parent, children] of Object.entries(line.nested ?? {})) {
      for (const id of [parent, ...children]) {
        if (!steps.has(id)) throw new UserError(`${where}: field 'nested.${parent}' names unknown step '${id}'`, label);
      }
      if (!line.restore.includes(parent)) {
        throw new UserError(`${where}: field 'nested.${parent}': step '${parent}' is not in its restore list`, label);
      }
    }
  }
}

function checkFixes(files: KbFiles, label: string): void {
  const lines = new Set(files.lines.map((l) => l.id));
  for (const fix of files.fixes) {
    for (const field of ['inLines', 'notInLines'] as const) {
      for (const id of fix[field] ?? []) {
        if (!lines.has(id)) throw new UserError(`fix '${fix.id}': field '${field}' names unknown line '${id}'`, label);
      }
    }
    for (const re of [...(fix.recognise.patterns ?? []), ...(fix.recognise.absent ?? [])]) {
      try {
        new RegExp(re);
      } catch {
        throw new UserError(`fix '${fix.id}': field 'recognise' has an invalid regular expression: ${re}`, label);
      }
    }
  }
}
