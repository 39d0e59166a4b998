/**
 * JSON Schema validation of the knowledge-base files, with errors a person can act on:
 * "<file>: step 'tph': field 'source' must be one of snapshot, live, clears-hw".
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { UserError } from '../errors.js';

/** What each file's entries are called in messages, and the key that names an entry. */
export const KB_FILES = {
  'restore-steps': { list: 'steps', entry: 'step', key: 'id' },
  kernels: { list: 'lines', entry: 'line', key: 'id' },
  functions: { list: 'functions', entry: 'function', key: 'name' },
  'vfio-paths': { list: 'paths', entry: 'path', key: 'id' },
  fixes: { list: 'fixes', entry: 'fix', key: 'id' },
} as const;

export type KbFileName = keyof typeof KB_FILES;

const cache = new Map<string, Ajv>();

/** One Ajv per schema folder, with every *.schema.json of it loaded. */
async function ajvFor(schemaDir: string): Promise<Ajv> {
  let ajv = cache.get(schemaDir);
  if (ajv) return ajv;
  // Loaded on first use: a start from the snapshot (snapshot.ts) validates nothing.
  const { Ajv: AjvClass } = await import('ajv');
  ajv = new AjvClass({ allErrors: true, strict: false });
  for (const name of ['common', ...Object.keys(KB_FILES)]) {
    const schema = JSON.parse(readFileSync(join(schemaDir, `${name}.schema.json`), 'utf8'));
    ajv.addSchema(schema);
  }
  cache.set(schemaDir, ajv);
  return ajv;
}

/** Validate one parsed file; throws UserError naming the file, the entry and the field. */
export async function validateKbFile(schemaDir: string, name: KbFileName, data: unknown, label: string): Promise<void> {
  const validate = (await ajvFor(schemaDir)).getSchema(`kb-${name}`) as ValidateFunction | undefined;
  if (!validate) throw new Error(`schema kb-${name} missing from ${schemaDir}`);
  if (validate(data)) return;
  const err = pickError(validate.errors ?? []);
  throw new UserError(describeError(name, data, err), label);
}

/** anyOf/oneOf produce noise around the real cause: prefer the deepest concrete error. */
function pickError(errors: ErrorObject[]): ErrorObject {
  const concrete = errors.filter((e) => !['anyOf', 'oneOf', 'if'].includes(e.keyword));
  const pool = concrete.length ? concrete : errors;
  return pool.reduce((a, b) => (b.instancePath.length > a.instancePath.length ? b : a));
}

/** "/steps/8/source" -> "step 'tph': field 'source' must be one of ...". */
export function describeError(name: KbFileName, data: unknown, err: ErrorObject): string {
  const { list, entry, key } = KB_FILES[name];
  const parts = err.instancePath.split('/').slice(1).map(unescape);
  let where = '';
  let fieldParts = parts;
  if (parts[0] === list && parts.length >= 2) {
    const item = (data as Record<string, unknown[]>)[list]?.[Number(parts[1])] as Record<string, unknown> | undefined;
    const ident = item && typeof item[key] === 'string' ? `'${item[key] as string}'` : `#${Number(parts[1]) + 1}`;
    where = `${entry} ${ident}: `;
    fieldParts = parts.slice(2);
  }
  const field = fieldParts.join('.');
  return where + phrase(err, field);
}

function unescape(s: string): string {
  return s.replace(/~1/g, '/').replace(/~0/g, '~');
}

function phrase(err: ErrorObject, field: string): string {
  const p = err.params as Record<string, unknown>;
  const f = field ? `field '${field}'` : 'the file';
  switch (err.keyword) {
    case 'required':
      return `${field ? `field '${field}': ` : ''}field '${String(p.missingProperty)}' is required`;
    case 'additionalProperties':
      return `${field ? `field '${field}': ` : ''}unknown field '${String(p.additionalProperty)}'`;
    case 'enum':
      return `${f} must be one of ${(p.allowedValues as unknown[]).join(', ')}`;
    case 'type':
      return `${f} must be ${article(String(p.type))}`;
    case 'pattern':
      return `${f} must match ${String(p.pattern)}`;
    case 'minItems':
      return `${f} must have at least ${String(p.limit)} item(s)`;
    case 'minLength':
      return `${f} must not be empty`;
    default:
      return `${f} ${err.message ?? 'is invalid'}`;
  }
}

function article(type: string): string {
  return type === 'array' || type === 'object' || type === 'integer' ? `an ${type}` : `a ${type}`;
}
