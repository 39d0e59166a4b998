/**
 * Load and validate the risk rules (rules/<area>/<name>.yaml, one rule each). Owned by the
 * rules/engine work; the facts loader (src/kb/index.ts) calls this and stores the result in
 * KnowledgeBase.rules. Every file is checked against rules/schema/rule.schema.json; an invalid
 * file throws a UserError naming the file, the entry and the field.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { UserError } from '../errors.js';
import type { Severity } from '../model.js';
import type { RuleMeta, StepSource } from './types.js';

/** A name, a list of names; an entry written /like this/ is a regular expression. */
export type Names = string | string[];

/** Matches a callee by name, by its KB role, or by being (or not being) a known restore/save step. */
export interface CallMatcher {
  name?: Names;
  role?: Names;
  kbStep?: 'restore' | 'save';
  unknownStep?: 'restore' | 'save';
  exclude?: Names;
  /** Reached through a call the patch adds (or a function it adds or newly wires up). */
  new?: boolean;
}

/** Selects restore steps of the target line. */
export interface StepSelector {
  id?: Names;
  function?: Names;
  source?: StepSource[];
  mmio?: boolean;
  liveGate?: string;
  fromCalls?: boolean;
}

/** The trigger vocabulary: every key of one object must hold. */
export interface Predicate {
  all?: Predicate[];
  any?: Predicate[];
  not?: Predicate;
  ref?: string;
  file?: Names;
  name?: Names;
  change?: ('added' | 'modified' | 'removed')[];
  role?: Names;
  newRole?: Names;
  /**
   * A role the knowledge base gives the function itself (rules/kb/functions.yaml, plus
   * restore-step / save-step for step functions), so that rules name roles, not function lists.
   */
  kbRole?: Names;
  calls?: CallMatcher;
  addsCall?: CallMatcher;
  removesCall?: CallMatcher;
  movesCall?: CallMatcher;
  reaches?: CallMatcher;
  identifier?: Names;
  removedIdentifier?: Names;
  code?: string;
  body?: string;
  before?: { pattern: string; call: CallMatcher };
  kbPath?: { restoresOpenSnapshot?: boolean; id?: Names };
  target?: {
    step?: StepSelector;
    fix?: string;
    fixMissing?: string;
    fixUnknown?: string;
    stateSavedGate?: boolean;
    line?: Names;
  };
  elsewhere?: Predicate;
}

export interface Anchor {
  call?: CallMatcher;
  code?: string;
  removed?: CallMatcher;
}

export interface Variant {
  when: Predicate;
  severity?: Severity;
  /** Message key that replaces `what`. */
  what?: string;
  /** Message key that replaces `fix`. */
  fixWith?: string;
  add?: string[];
  fix?: string[];
  stop?: boolean;
}

/** The engine's part of a rule: what triggers it and what the note says. */
export interface RuleSpec extends RuleMeta {
  messages: { what: string; why: string; fix: string; [key: string]: string };
  suggestion?: string;
  trigger: Predicate;
  anchor?: Anchor[];
  steps?: StepSelector[];
  variants?: Variant[];
  tags?: string[];
  /** Markdown documentation (the `doc` field, or <name>.md beside the rule). */
  doc?: string;
  /** Path of the documentation file when it is a separate .md, relative to the project root. */
  docFile?: string;
  /** Path of the test cases file (<name>.test.yaml) when present, relative to the project root. */
  testFile?: string;
  /** Named predicates shared by all rules (rules/common.yaml), for `ref:`. */
  shared?: Record<string, Predicate>;
}

/**
 * A loaded risk rule: the metadata reporters need plus the engine's spec. The spec fields are
 * optional in the type so that reporters' fixtures can build metadata-only rules; loadRules
 * always fills them (isRuleSpec).
 */
export interface RuleDefinition extends RuleMeta, Partial<Omit<RuleSpec, keyof RuleMeta>> {
  [key: string]: unknown;
}

/** Does a rule carry the engine's spec (always true for rules from loadRules)? */
export function isRuleSpec(rule: RuleDefinition): rule is RuleDefinition & RuleSpec {
  return typeof rule.trigger === 'object' && rule.trigger !== null && typeof rule.messages === 'object';
}

/** Shared named predicates (rules/common.yaml). */
export interface CommonDefinitions {
  predicates: Record<string, Predicate>;
}

const SCHEMA_PATH = 'schema/rule.schema.json';
const COMMON_FILE = 'common.yaml';

let validators: Promise<{ rule: ValidateFunction; common: ValidateFunction }> | undefined;

/** The rule schema shipped with vfio-review (rules/schema/rule.schema.json). */
export const RULE_SCHEMA = fileURLToPath(new URL(`../../rules/${SCHEMA_PATH}`, import.meta.url));

async function getValidators() {
  if (!validators) {
    validators = (async () => {
      const schema = JSON.parse(await readFile(RULE_SCHEMA, 'utf8')) as Record<string, unknown>;
      // ajv and yaml are loaded on first use: a start from the snapshot (snapshot.ts) needs neither.
      const { Ajv } = await import('ajv');
      const ajv = new Ajv({ allErrors: true, strict: false });
      ajv.addSchema(schema);
      const rule = ajv.compile(schema);
      const id = String(schema.$id);
      const common = ajv.compile({
        type: 'object',
        additionalProperties: false,
        required: ['predicates'],
        properties: {
          predicates: { type: 'object', additionalProperties: { $ref: `${id}#/definitions/predicate` } },
        },
      });
      return { rule, common };
    })();
    validators.catch(() => (validators = undefined));
  }
  return validators;
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
    areas = (await readdir(dir)).sort();
  } catch {
    throw new UserError('cannot read the rules folder', dir);
  }
  for (const area of areas) {
    if (area === 'schema' || area.startsWith('.')) continue;
    const p = join(dir, area);
    if (!(await stat(p)).isDirectory()) continue;
    for (const name of (await readdir(p)).sort()) {
      if (!/\.ya?ml$/.test(name) || /\.test\.ya?ml$/.test(name)) continue;
      // rules/kb/ holds the facts (src/kb/load.ts); a rule of area `kb` is told apart by its trigger.
      if (area === 'kb' && !/^trigger\s*:/m.test(await readFile(join(p, name), 'utf8'))) continue;
      out.push(join(p, name));
    }
  }
  return out;
}

/** "entry snapshot/stale-restore, field trigger.all[1].reaches.role: must be ..." */
function describeError(e: ErrorObject): string {
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => (/^\d+$/.test(s) ? `[${s}]` : `.${s.replace(/~1/g, '/').replace(/~0/g, '~')}`))
    .join('')
    .replace(/^\./, '');
  let field = path;
  let msg = e.message ?? 'is invalid';
  if (e.keyword === 'required') field = [path, (e.params as { missingProperty: string }).missingProperty].filter(Boolean).join('.');
  if (e.keyword === 'additionalProperties') {
    field = [path, (e.params as { additionalProperty: string }).additionalProperty].filter(Boolean).join('.');
    msg = 'is not a known field';
  }
  if (e.keyword === 'required') msg = 'is required';
  if (e.keyword === 'enum') msg = `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
  return `field ${field || '(top level)'}: ${msg}`;
}

/** The most useful error first: a missing or unknown field beats a type mismatch deep in a oneOf. */
function pickErrors(errors: ErrorObject[]): ErrorObject[] {
  const rank = (e: ErrorObject) =>
    e.keyword === 'required' || e.keyword === 'additionalProperties' ? 0 : e.keyword === 'oneOf' || e.keyword === 'anyOf' ? 2 : 1;
  return [...errors].sort((a, b) => rank(a) - rank(b) || b.instancePath.length - a.instancePath.length);
}

async function readYaml(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8');
  const { parseDocument } = await import('yaml');
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = e.linePos?.[0]?.line;
    throw new UserError(`invalid YAML${line ? ` at line ${line}` : ''}: ${e.message.split('\n')[0]}`, file);
  }
  return doc.toJS();
}

/** Load rules/common.yaml (shared named predicates), if present. */
export async function loadCommon(dir: string): Promise<CommonDefinitions> {
  const file = join(dir, COMMON_FILE);
  let data: unknown;
  try {
    await stat(file);
  } catch {
    return { predicates: {} };
  }
  data = await readYaml(file);
  const { common } = await getValidators();
  if (!common(data)) {
    const e = pickErrors(common.errors ?? [])[0];
    const entry = e.instancePath.split('/')[2];
    throw new UserError(`entry ${entry ?? '(top level)'}, ${describeError(e)}`, relative(rootOf(dir), file));
  }
  return data as CommonDefinitions;
}

/** Check regexes compile, refs resolve, message keys exist. Returns the first problem as "field X: ...". */
function checkSemantics(rule: RuleSpec, shared: Record<string, Predicate>): string | undefined {
  const regexOk = (s: string) => {
    try {
      new RegExp(s.replace(/^\/(.*)\/$/, '$1'));
      return true;
    } catch {
      return false;
    }
  };
  const walk = (p: Predicate, path: string): string | undefined => {
    for (const k of ['code', 'body'] as const) if (p[k] !== undefined && !regexOk(p[k]!)) return `field ${path}.${k}: is not a valid regular expression`;
    if (p.before && !regexOk(p.before.pattern)) return `field ${path}.before.pattern: is not a valid regular expression`;
    if (p.ref && !shared[p.ref]) return `field ${path}.ref: no predicate named '${p.ref}' in rules/${COMMON_FILE}`;
    for (const [k, list] of [['all', p.all], ['any', p.any]] as const)
      for (const [i, q] of (list ?? []).entries()) {
        const r = walk(q, `${path}.${k}[${i}]`);
        if (r) return r;
      }
    if (p.not) return walk(p.not, `${path}.not`);
    if (p.elsewhere) return walk(p.elsewhere, `${path}.elsewhere`);
    return undefined;
  };
  const t = walk(rule.trigger, 'trigger');
  if (t) return t;
  for (const [i, v] of (rule.variants ?? []).entries()) {
    const r = walk(v.when, `variants[${i}].when`);
    if (r) return r;
    for (const key of [...(v.what ? [v.what] : []), ...(v.fixWith ? [v.fixWith] : []), ...(v.add ?? []), ...(v.fix ?? [])])
      if (!(key in rule.messages)) return `field variants[${i}]: message '${key}' is not in messages`;
  }
  for (const [i, a] of (rule.anchor ?? []).entries()) if (a.code && !regexOk(a.code)) return `field anchor[${i}].code: is not a valid regular expression`;
  return undefined;
}

/** Load every rule under `dir` (skipping rules/kb/ and test files). Throws UserError naming file, entry, field. */
export async function loadRules(dir: string): Promise<RuleDefinition[]> {
  const root = rootOf(dir);
  const { rule: validate } = await getValidators();
  const common = await loadCommon(dir);
  const rules: RuleDefinition[] = [];
  const types = new Map<string, string>();
  for (const file of await findRuleFiles(dir)) {
    const rel = relative(root, file);
    const data = await readYaml(file);
    const entry = (data && typeof data === 'object' && typeof (data as { id?: unknown }).id === 'string'
      ? (data as { id: string }).id
      : basename(file).replace(/\.ya?ml$/, '')) as string;
    if (!validate(data)) {
      const e = pickErrors(validate.errors ?? [])[0];
      throw new UserError(`entry ${entry}, ${describeError(e)}`, rel);
    }
    const rule = data as RuleSpec;
    const expected = relative(dir, file).replace(/\.ya?ml$/, '').split('\\').join('/');
    if (rule.id !== expected) throw new UserError(`entry ${entry}, field id: must equal the file's path '${expected}'`, rel);
    const dup = types.get(rule.type);
    if (dup) throw new UserError(`entry ${entry}, field type: ${rule.type} is already used by ${dup}`, rel);
    types.set(rule.type, rule.id);
    const problem = checkSemantics(rule, common.predicates);
    if (problem) throw new UserError(`entry ${entry}, ${problem}`, rel);
    rule.file = rel;
    rule.shared = common.predicates;
    const base = file.replace(/\.ya?ml$/, '');
    if (rule.doc === undefined) {
      try {
        rule.doc = await readFile(`${base}.md`, 'utf8');
        rule.docFile = relative(root, `${base}.md`);
      } catch {
        /* no doc: the meta-test reports it */
      }
    }
    for (const ext of ['.test.yaml', '.test.yml']) {
      try {
        await stat(base + ext);
        rule.testFile = relative(root, base + ext);
        break;
      } catch {
        /* none */
      }
    }
    rules.push(rule as RuleDefinition);
  }
  return rules.sort((a, b) => a.id.localeCompare(b.id));
}
