/**
 * `vfio-review parse <input>`: print the patch model (no rules run).
 */
import { collectMessages, INPUT_FORMATS } from '../../ingest/index.js';
import { openTree } from '../../ingest/tree.js';
import { reviewMessages } from '../../pipeline.js';
import { summarizeModel } from '../../patch/summary.js';
import { EXIT, UserError } from '../../errors.js';
import { choice, parse } from '../args.js';

const HELP = `usage: vfio-review parse <input>... [--format json|text] [--tree DIR]
                         [--input-format eml|mbox|maildir|patch|diff|git] [--repo DIR --git A..B]

Prints what the patch changes: files, C functions added/modified/removed, calls added and
removed, callbacks wired up. <input> is a .eml, an mbox (.gz too), a Maildir, a git
format-patch file or folder, a unified diff, or - for stdin.`;

const OPTIONS = {
  format: { type: 'string', default: 'json' },
  tree: { type: 'string' },
  'input-format': { type: 'string' },
  repo: { type: 'string' },
  git: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS, 'parse');
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  const format = choice(values.format, ['json', 'text'] as const, '--format');
  const inputFormat = choice(values['input-format'], INPUT_FORMATS, '--input-format');
  const inputs = positionals.length ? positionals : values.git ? [values.repo ?? '.'] : [];
  if (inputs.length === 0) throw new UserError('no input given (a file, a folder, - for stdin, or --repo DIR --git A..B)');
  const { messages, errors } = await collectMessages(inputs, {
    inputFormat: values.git ? 'git' : inputFormat,
    repo: values.repo,
    git: values.git,
  });
  const tree = values.tree ? await openTree(values.tree) : undefined;
  const { kb: _kb, ...result } = await reviewMessages(messages, errors, { tree, parseOnly: true });
  process.stdout.write(format === 'text' ? summarizeModel(result) : JSON.stringify(result, null, 2) + '\n');
  for (const e of errors) process.stderr.write(`vfio-review: ${e.source}: ${e.message}\n`);
  return messages.length === 0 ? EXIT.input : EXIT.ok;
}
