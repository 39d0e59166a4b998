/**
 * Defaults for `review` from a config file, like checkpatch's .checkpatch.conf: the first of
 *   .vfio-review.yaml in the current directory or a parent up to the repository's top, then
 *   $XDG_CONFIG_HOME/vfio-review/config.yaml (default ~/.config/vfio-review/config.yaml).
 * Keys: ignore (a list, or a string of ids/TYPEs separated by commas or spaces), kernel,
 * fail-on, color. Options on the command line win. An unknown key or a bad value is exit 2
 * naming the file.
 */
// fs.promises is loaded on first use; importing node:fs/promises costs every cold start ~3 ms.
import { existsSync, promises as fsp } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { homedir } from 'node:os';
import { UserError } from '../errors.js';

export interface ReviewConfig {
  /** The file the values came from. */
  file?: string;
  ignore: string[];
  kernel?: string;
  failOn?: string;
  color?: string;
}

const KEYS = ['ignore', 'kernel', 'fail-on', 'color'] as const;

/** The config file that applies in `cwd`, or undefined. */
export function findConfig(cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const file = join(dir, '.vfio-review.yaml');
    if (existsSync(file)) return file;
    // The repository's top ends the search: a config above it belongs to something else.
    if (existsSync(join(dir, '.git')) || dirname(dir) === dir) break;
  }
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  const user = join(base, 'vfio-review', 'config.yaml');
  return existsSync(user) ? user : undefined;
}

/** Split "a,b c" and ["a", "b,c"] into ids. */
export function splitList(value: unknown): string[] {
  const items = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return items.flatMap((v) => String(v).split(/[\s,]+/)).map((s) => s.trim()).filter(Boolean);
}

export async function loadConfig(file: string | undefined = findConfig()): Promise<ReviewConfig> {
  if (!file) return { ignore: [] };
  let data: unknown;
  try {
    const { parse: parseYaml } = await import('yaml'); // on first use: most runs have no config file
    data = parseYaml(await fsp.readFile(file, 'utf8'));
  } catch (err) {
    throw new UserError(`not a YAML file: ${(err as Error).message.split('\n')[0]}`, file);
  }
  if (data === null || data === undefined) return { file, ignore: [] };
  if (typeof data !== 'object' || Array.isArray(data)) throw new UserError('expected a mapping of option: value', file);
  const obj = data as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!(KEYS as readonly string[]).includes(key)) throw new UserError(`unknown key '${key}' (known: ${KEYS.join(', ')})`, file);
  }
  const str = (key: string): string | undefined => {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' && typeof v !== 'number') throw new UserError(`'${key}' must be a string`, file);
    return String(v);
  };
  return { file, ignore: splitList(obj.ignore), kernel: str('kernel'), failOn: str('fail-on'), color: str('color') };
}
