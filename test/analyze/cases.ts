/**
 * The rule test cases (rules/<area>/<name>.test.yaml): valid and invalid patches with the
 * findings each invalid one must produce. Shared by test/rules.test.ts and test/meta.test.ts.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { Severity } from '../../src/model.js';

export const PROJECT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export interface ExpectedFinding {
  function: string;
  line?: number;
  severity?: Severity;
  file?: string;
}

export interface RuleCase {
  /** One patch, or a series (in order) whose findings are pooled. */
  patches: string[];
  kernel?: string;
  why?: string;
  findings: ExpectedFinding[];
}

export interface RuleCases {
  id: string;
  file: string;
  valid: RuleCase[];
  invalid: RuleCase[];
}

/** Read a test file; patch paths are relative to the test file's folder/<name>/ or to the file. */
export async function readCases(testFile: string): Promise<RuleCases> {
  const abs = resolve(PROJECT, testFile);
  const data = parse(await readFile(abs, 'utf8')) as Record<string, unknown>;
  const dir = dirname(abs);
  const toCase = (raw: unknown, kind: string, i: number): RuleCase => {
    const c = raw as { patch?: string; series?: string[]; kernel?: string | number; why?: string; findings?: ExpectedFinding[] };
    const list = c.series ?? (c.patch ? [c.patch] : []);
    if (!list.length) throw new Error(`${testFile}: ${kind}[${i}] has neither patch nor series`);
    if (kind === 'invalid' && !(c.findings ?? []).length) throw new Error(`${testFile}: invalid[${i}] lists no findings`);
    if (kind === 'valid' && (c.findings ?? []).length) throw new Error(`${testFile}: valid[${i}] must not list findings`);
    return {
      patches: list.map((p) => join(dir, p)),
      kernel: c.kernel === undefined ? undefined : String(c.kernel),
      why: c.why,
      findings: c.findings ?? [],
    };
  };
  return {
    id: String(data.id),
    file: testFile,
    valid: ((data.valid as unknown[]) ?? []).map((c, i) => toCase(c, 'valid', i)),
    invalid: ((data.invalid as unknown[]) ?? []).map((c, i) => toCase(c, 'invalid', i)),
  };
}
