/** Read a YAML file; a syntax error becomes a UserError with the line. */
import { readFile } from 'node:fs/promises';
import { UserError } from '../errors.js';

export async function readYaml(path: string, label: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError('file missing from the knowledge base', label);
    throw err;
  }
  // Loaded on first use: a start from the snapshot (snapshot.ts) parses no YAML.
  const { parse, YAMLParseError } = await import('yaml');
  try {
    // maxAliasCount: the files share citations through anchors; -1 lifts yaml's guard against alias bombs
    // only for our own, reviewed files.
    return parse(text, { maxAliasCount: -1 });
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const line = err.linePos?.[0]?.line;
      throw new UserError(`YAML syntax error${line ? ` at line ${line}` : ''}: ${err.message.split('\n')[0]}`, label);
    }
    throw err;
  }
}
