/**
 * Load and validate the risk rules (rules/<area>/<name>.yaml, one rule each) and the shared
 * named predicates (rules/common.yaml). Every file is checked against
 * rules/schema/rule.schema.json; an invalid file throws a UserError naming the file, the entry
 * and the field. The result is plain data (src/rules/types.ts): compileRules
 * (src/rules/compile.ts) turns it into matchers, so a snapshot of this data can be compiled
 * without reading YAML or running Ajv again.
 */
// fs.promises is loaded on first use; importing node:fs/promises costs every cold start ~3 ms.
import { promises as fsp } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { UserError } from '../errors.js';
import type { CommonDefinitions, RuleSet, RuleSpec } from './types.js';
import { readYaml, schemaMessage, schemaValidator } from './datafile.js';

const COMMON_FILE = 'common.yaml';

/**
 * The validators of a rule file and of rules/common.yaml: rules/schema/rule.schema.json (one
 * schema file, two entry points), compiled ahead of time (src/rules/generate-validators.ts).
 */
async function validators(): Promise<{ rule: ValidateFunction; common: ValidateFunction }> {
  return { rule: await schemaValidator('rule'), common: await schemaValidator('common') };
}

/** Project root = parent of the rules folder (for relative paths in metadata). */
function rootOf(dir: string): string {
  return dirname(dir.replace(/\/+$/, ''));
}

/** Every rule file under `dir`: rules/<area>/<name>.yaml, not *.test.yaml, not the facts in rules/kb/. */
export async function findRuleFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  let areas: string[];
  try {
    areas = (await fsp.readdir(dir)).sort();
  } catch {
    throw new UserError('cannot read the rules folder', dir);
  }
  for (const area of areas) {
    if (area === 'schema' || area.startsWith('.')) continue;
    const p = join(dir, area);
    if (!(await fsp.stat(p)).isDirectory()) continue;
    for (const name of (await fsp.readdir(p)).sort()) {
      if (!/\.ya?ml$/.test(name) || /\.test\.ya?ml$/.test(name)) continue;
      // rules/kb/ holds the facts (src/kb/load.ts); a rule of area `kb` is told apart by its trigger.
      if (area === 'kb' && !/^trigger\s*:/m.test(await fsp.readFile(join(p, name), 'utf8'))) continue;
      out.push(join(p, name));
    }
  }
  return out;
}

/** Load rules/common.yaml (shared named predicates), if present. */
export async function loadCommon(dir: string): Promise<CommonDefinitions> {
  const file = join(dir, COMMON_FILE);
  try {
    await fsp.stat(file);
  } catch {
    return { predicates: {} };
  }
  const label = relative(rootOf(dir), file);
  const data = await readYaml(file, label);
  const { common } = await validators();
  if (!common(data)) {
    throw new UserError(
      schemaMessage(common.errors ?? [], (parts) => (parts[0] === 'predicates' && parts[1] ? { entry: `predicate '${parts[1]}'`, rest: parts.slice(2) } : undefined)),
      label,
    );
  }
  return data as CommonDefinitions;
}

/** Read and check one rule file: schema, id = path. */
async function loadRuleFile(dir: string, file: string, validate: ValidateFunction): Promise<RuleSpec> {
  const root = rootOf(dir);
  const rel = relative(root, file);
  const data = await readYaml(file, rel);
  const id = data && typeof data === 'object' && typeof (data as { id?: unknown }).id === 'string' ? (data as { id: string }).id : basename(file).replace(/\.ya?ml$/, '');
  const entry = `rule '${id}'`;
  if (!validate(data)) throw new UserError(schemaMessage(validate.errors ?? [], (rest) => ({ entry, rest })), rel);
  const rule = data as RuleSpec;
  const expected = relative(dir, file).replace(/\.ya?ml$/, '').split('\\').join('/');
  if (rule.id !== expected) throw new UserError(`${entry}, field 'id': must equal the file's path '${expected}'`, rel);
  rule.file = rel;
  const base = file.replace(/\.ya?ml$/, '');
  if (rule.doc === undefined) {
    try {
      rule.doc = await fsp.readFile(`${base}.md`, 'utf8');
      rule.docFile = relative(root, `${base}.md`);
    } catch {
      /* no doc: the meta-test reports it */
    }
  }
  for (const ext of ['.test.yaml', '.test.yml']) {
    try {
      await fsp.stat(base + ext);
      rule.testFile = relative(root, base + ext);
      break;
    } catch {
      /* none */
    }
  }
  return rule;
}

/**
 * Load every rule under `dir` (skipping rules/kb/ facts and test files) and rules/common.yaml,
 * as plain data. Throws UserError naming file, entry and field. Compile with compileRules.
 */
export async function loadRules(dir: string): Promise<RuleSet> {
  const { rule: validate } = await validators();
  const common = await loadCommon(dir);
  const rules: RuleSpec[] = [];
  const types = new Map<string, string>();
  for (const file of await findRuleFiles(dir)) {
    const rule = await loadRuleFile(dir, file, validate);
    const dup = types.get(rule.type);
    if (dup) throw new UserError(`rule '${rule.id}', field 'type': ${rule.type} is already used by ${dup}`, rule.file);
    types.set(rule.type, rule.id);
    rules.push(rule);
  }
  return { common, commonFile: relative(rootOf(dir), join(dir, COMMON_FILE)), rules: rules.sort((a, b) => a.id.localeCompare(b.id)) };
}
