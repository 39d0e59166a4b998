/**
 * JSON Schema validation of the knowledge-base files, with errors a person can act on (in the
 * form every data file shares, src/rules/datafile.ts):
 * "<file>: step 'tph', field 'source': must be one of snapshot, live, clears-hw".
 */
import { UserError } from '../errors.js';
import { schemaMessage, schemaValidator, type EntryLocator, type SchemaName } from '../rules/datafile.js';

/** What each file's entries are called in messages, and the key that names an entry. */
export const KB_FILES = {
  'restore-steps': { list: 'steps', entry: 'step', key: 'id' },
  kernels: { list: 'lines', entry: 'line', key: 'id' },
  functions: { list: 'functions', entry: 'function', key: 'name' },
  'vfio-paths': { list: 'paths', entry: 'path', key: 'id' },
  fixes: { list: 'fixes', entry: 'fix', key: 'id' },
  effects: { list: 'functions', entry: 'function', key: 'name' },
} as const;

export type KbFileName = keyof typeof KB_FILES;

/**
 * Validate one parsed file against its schema (rules/kb/schema/<name>.schema.json, compiled
 * ahead of time: src/rules/generate-validators.ts); throws UserError naming the file, the
 * entry and the field. The schemas are the program's: a rules folder of one's own
 * (`--rules DIR`) holds facts, not a schema the loaders would follow.
 */
export async function validateKbFile(name: KbFileName, data: unknown, label: string): Promise<void> {
  const validate = await schemaValidator(`kb_${name.replace(/-/g, '_')}` as SchemaName);
  if (validate(data)) return;
  throw new UserError(schemaMessage(validate.errors ?? [], entryOf(name, data)), label);
}

/** "/steps/8/source" is in "step 'tph'" (its key), or "step #9" when it has none. */
function entryOf(name: KbFileName, data: unknown): EntryLocator {
  const { list, entry, key } = KB_FILES[name];
  return (parts) => {
    if (parts[0] !== list || parts.length < 2) return undefined;
    const item = (data as Record<string, unknown[]>)[list]?.[Number(parts[1])] as Record<string, unknown> | undefined;
    const ident = item && typeof item[key] === 'string' ? `'${item[key] as string}'` : `#${Number(parts[1]) + 1}`;
    return { entry: `${entry} ${ident}`, rest: parts.slice(2) };
  };
}
