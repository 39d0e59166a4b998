/**
 * Small wrapper over node:util parseArgs that turns its errors into UserErrors
 * (one line, exit 2) and supports comma lists (`--ignore a,b --ignore c`).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from '../errors.js';

export type Options = NonNullable<ParseArgsConfig['options']>;

export function parse<O extends Options>(argv: string[], options: O, command: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UserError(`${(err as Error).message.replace(/\. To specify.*$/s, '')} (see \`vfio-review ${command} --help\`)`);
  }
}

/**
 * The level that makes the exit code 1 when nothing says otherwise: the same for the command
 * line, `--format b4` and the GitHub Action's `fail-on` input (action.yml), as checkpatch fails
 * on its errors. Documented in the README.
 */
export const DEFAULT_FAIL_ON = 'error';

/** `--ignore a,b --ignore "c d"` -> ["a", "b", "c", "d"] (commas or spaces, like checkpatch). */
export function list(value: string | string[] | boolean | undefined | (string | boolean)[]): string[] {
  if (value === undefined || typeof value === 'boolean') return [];
  const items = Array.isArray(value) ? value : [value];
  return items.flatMap((v) => String(v).split(/[\s,]+/)).map((s) => s.trim()).filter(Boolean);
}

/** Check that a value is one of the allowed choices. */
export function choice<T extends string>(value: unknown, allowed: readonly T[], option: string): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) {
    throw new UserError(`must be one of ${allowed.join(', ')}, not '${String(value)}'`, option);
  }
  return value as T;
}
