/**
 * The one reader of the data files under rules/: the facts (rules/kb/*.yaml), the risk rules,
 * rules/common.yaml and the rules' test cases all go through readYaml (same parser options,
 * same one-line errors), and every JSON Schema check goes through schemaProblem, which picks
 * the error a person can act on and names its field. Callers only say how an entry is named.
 */
// fs.promises is loaded on first use; importing node:fs/promises costs every cold start ~3 ms.
import { promises as fsp } from 'node:fs';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { UserError } from '../errors.js';

/** Read a YAML file; a missing file or a syntax error becomes a UserError naming `label`. */
export async function readYaml(path: string, label: string, missing = 'file not found'): Promise<unknown> {
  let text: string;
  try {
    text = await fsp.readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError(missing, label);
    throw err;
  }
  // Loaded on first use: a start from a snapshot of the plain data parses no YAML.
  const { parse, YAMLParseError } = await import('yaml');
  try {
    // maxAliasCount: the files share citations through anchors; -1 lifts yaml's guard against alias bombs
    // only for our own, reviewed files.
    return parse(text, { maxAliasCount: -1, prettyErrors: true });
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const line = err.linePos?.[0]?.line;
      throw new UserError(`YAML syntax error${line ? ` at line ${line}` : ''}: ${err.message.split('\n')[0]}`, label);
    }
    throw err;
  }
}

/** The validators compiled ahead of time (src/rules/generate-validators.ts), by export name. */
export type SchemaName = 'rule' | 'common' | `kb_${'restore_steps' | 'kernels' | 'functions' | 'vfio_paths' | 'fixes' | 'effects'}`;

let compiled: Promise<Record<SchemaName, ValidateFunction>> | undefined;

/**
 * The validator of one data file's schema (rules/schema/rule.schema.json, its commonFile
 * definition, or rules/kb/schema/<name>.schema.json). Ajv's standalone code, generated from
 * those schemas by `npm run gen:rules` and checked current by the tests: a start compiles no
 * schema and loads no Ajv. Loaded on first use: a start from the snapshot validates nothing.
 */
export async function schemaValidator(name: SchemaName): Promise<ValidateFunction> {
  compiled ??= import('./schema-validators.generated.js');
  return (await compiled)[name];
}

/** An Ajv error's place: the path segments of the instance, unescaped. */
export function errorPath(e: ErrorObject): string[] {
  return e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * The most useful error first: a missing or unknown field beats a type mismatch deep in a
 * oneOf, and among equals the deepest (most specific) one wins.
 */
export function pickError(errors: ErrorObject[]): ErrorObject {
  const rank = (e: ErrorObject) =>
    e.keyword === 'required' || e.keyword === 'additionalProperties' ? 0 : ['oneOf', 'anyOf', 'if'].includes(e.keyword) ? 2 : 1;
  return [...errors].sort((a, b) => rank(a) - rank(b) || b.instancePath.length - a.instancePath.length)[0];
}

/** What is wrong with one field, in words: "is required", "must be one of a, b". */
export interface SchemaProblem {
  /** The field's path below the entry, as segments (the missing or unknown field included). */
  field: string[];
  problem: string;
}

/** Turn an Ajv error into the field it is about and a short phrase. */
export function schemaProblem(e: ErrorObject): SchemaProblem {
  const p = e.params as Record<string, unknown>;
  const path = errorPath(e);
  switch (e.keyword) {
    case 'required':
      return { field: [...path, String(p.missingProperty)], problem: 'is required' };
    case 'additionalProperties':
      return { field: [...path, String(p.additionalProperty)], problem: 'is not a known field' };
    case 'enum':
      return { field: path, problem: `must be one of ${(p.allowedValues as unknown[]).join(', ')}` };
    case 'type':
      return { field: path, problem: `must be ${article(String(p.type))}` };
    case 'pattern':
      return { field: path, problem: `must match ${String(p.pattern)}` };
    case 'minItems':
      return { field: path, problem: `must have at least ${String(p.limit)} item(s)` };
    case 'minLength':
      return { field: path, problem: 'must not be empty' };
    default:
      return { field: path, problem: e.message ?? 'is invalid' };
  }
}

function article(type: string): string {
  return type === 'array' || type === 'object' || type === 'integer' ? `an ${type}` : `a ${type}`;
}

/** Which entry of a file a path is in: "step 'tph'" and the rest of the path, or none. */
export type EntryLocator = (path: string[]) => { entry: string; rest: string[] } | undefined;

/** `trigger.all[0].callz`: dots between names, brackets around indices. */
export function fieldName(parts: string[]): string {
  return parts.map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/**
 * One line for a failed schema check, the same for every data file:
 * "step 'tph', field 'source': must be one of snapshot, live, clears-hw".
 */
export function schemaMessage(errors: ErrorObject[], locate: EntryLocator): string {
  const { field, problem } = schemaProblem(pickError(errors));
  const at = locate(field);
  const rest = at ? at.rest : field;
  const where = rest.length ? `field '${fieldName(rest)}': ${problem}` : `${at ? 'the entry' : 'the file'} ${problem}`;
  return at ? `${at.entry}, ${where}` : where;
}
