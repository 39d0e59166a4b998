/**
 * The input options `parse` and `review` share: positional inputs, --input-format, --repo/--git,
 * --tree. Reads and threads the messages and opens the tree.
 */
import { collectMessages, INPUT_FORMATS } from '../ingest/index.js';
import { openTree, type SourceTree } from '../ingest/tree.js';
import type { InputError, Message } from '../model.js';
import { UserError } from '../errors.js';
import { choice } from './args.js';

export const INPUT_OPTIONS = {
  tree: { type: 'string' },
  'input-format': { type: 'string' },
  repo: { type: 'string' },
  git: { type: 'string' },
} as const;

interface InputValues {
  tree?: string;
  'input-format'?: string;
  repo?: string;
  git?: string;
}

export interface Inputs {
  messages: Message[];
  errors: InputError[];
  tree?: SourceTree;
}

/** Read `inputs` (or the --repo/--git range when there are none) and open --tree. */
export async function readInputs(inputs: string[], values: InputValues): Promise<Inputs> {
  const inputFormat = choice(values['input-format'], INPUT_FORMATS, '--input-format');
  if (inputs.length === 0 && values.git) inputs = [values.repo ?? '.'];
  if (inputs.length === 0) throw new UserError('no input given (a file, a folder, - for stdin, or --repo DIR --git A..B)');
  const { messages, errors } = await collectMessages(inputs, {
    inputFormat: values.git ? 'git' : inputFormat,
    repo: values.repo,
    git: values.git,
  });
  const tree = values.tree ? await openTree(values.tree) : undefined;
  return { messages, errors, tree };
}
