/**
 * A rule's test cases (rules/<area>/<name>.test.yaml), read once for everyone who shows or runs
 * them: test/rules.test.ts runs them through the real pipeline (ESLint's RuleTester), the
 * meta-test checks they cover every message of the rule, `vfio-review explain` lists them as
 * examples. A case is a patch (or a series) with the findings it must produce; an expected
 * finding may name message keys it must use (`messages: [what, resetDone]`).
 */
import { dirname, join, resolve } from 'node:path';
import type { Severity } from '../model.js';
import { UserError } from '../errors.js';
import { readYaml } from './datafile.js';

export interface ExpectedFinding {
  function: string;
  line?: number;
  severity?: Severity;
  file?: string;
  /** Message keys the finding must use (Finding.messageKeys), in any order; it may use others too. */
  messages?: string[];
}

export interface RuleCase {
  /** One patch, or a series (in order) whose findings are pooled; absolute paths. */
  patches: string[];
  /** As written in the test file (relative to it), for listings. */
  written: string[];
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

interface RawCase {
  patch?: string;
  series?: string[];
  kernel?: string | number;
  why?: string;
  findings?: ExpectedFinding[];
}

/**
 * Read a test file (`testFile` relative to `root`, the project folder). Patch paths are
 * relative to the test file's folder. A malformed case is a UserError naming file and case.
 */
export async function readCases(testFile: string, root: string): Promise<RuleCases> {
  const abs = resolve(root, testFile);
  const data = ((await readYaml(abs, testFile)) ?? {}) as Record<string, unknown>;
  const dir = dirname(abs);
  const toCase = (raw: unknown, kind: 'valid' | 'invalid', i: number): RuleCase => {
    const c = (raw ?? {}) as RawCase;
    const list = c.series ?? (c.patch ? [c.patch] : []);
    const where = `${kind}[${i}]`;
    if (!list.length) throw new UserError(`${where} has neither patch nor series`, testFile);
    if (kind === 'invalid' && !(c.findings ?? []).length) throw new UserError(`${where} lists no findings`, testFile);
    if (kind === 'valid' && (c.findings ?? []).length) throw new UserError(`${where} must not list findings`, testFile);
    return {
      patches: list.map((p) => join(dir, p)),
      written: list,
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
