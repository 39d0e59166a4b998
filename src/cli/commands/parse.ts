/**
 * `vfio-review parse <input>`: print the patch model (no rules run).
 */
import { reviewMessages } from '../../pipeline.js';
import { summarizeModel } from '../../patch/summary.js';
import { EXIT } from '../../errors.js';
import { choice, parse } from '../args.js';
import { INPUT_OPTIONS, readInputs } from '../inputs.js';

const HELP = `usage: vfio-review parse <input>... [--format json|text] [--tree DIR]
                         [--input-format eml|mbox|maildir|patch|diff|git] [--repo DIR --git A..B]

Prints what the patch changes: files, C functions added/modified/removed, calls added and
removed, callbacks wired up. <input> is a .eml, an mbox (.gz too), a Maildir, a git
format-patch file or folder, a unified diff, or - for stdin.`;

const OPTIONS = {
  format: { type: 'string', default: 'json' },
  ...INPUT_OPTIONS,
  help: { type: 'boolean', short: 'h' },
} as const;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS, 'parse');
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  const format = choice(values.format, ['json', 'text'] as const, '--format');
  const { messages, errors, tree } = await readInputs(positionals, values);
  const { kb: _kb, ...result } = await reviewMessages(messages, errors, { tree, parseOnly: true });
  process.stdout.write(format === 'text' ? summarizeModel(result) : JSON.stringify(result, null, 2) + '\n');
  for (const e of errors) process.stderr.write(`vfio-review: ${e.source}: ${e.message}\n`);
  // Every message failed (each listed in errors): nothing could be read.
  return result.patches.length === 0 ? EXIT.input : EXIT.ok;
}
