/**
 * `vfio-review review <input>`: read patches, run the rules, print the notes.
 */
import { allFindings, reachesFailOn, reviewMessages } from '../../pipeline.js';
import { render, REPORT_FORMATS } from '../../report/index.js';
import { EXIT, UserError } from '../../errors.js';
import { SEVERITIES } from '../../model.js';
import { choice, list, parse } from '../args.js';
import { INPUT_OPTIONS, readInputs } from '../inputs.js';

const HELP = `usage: vfio-review review <input>... [--format text|email|markdown|json|sarif|b4]
                          [--tree DIR] [--kernel VERSION] [--ignore RULE,...]
                          [--fail-on error|warning|check|none] [--terse]
                          [--input-format eml|mbox|maildir|patch|diff|git] [--repo DIR --git A..B]
       vfio-review review --msgid MESSAGE-ID --lore URL [options]

Reviews vfio/pci and PCI save/restore patches against the knowledge base in rules/.
<input> is a .eml, an mbox (.gz too), a Maildir, a git format-patch file or folder, a
unified diff, or - for stdin. --format b4 reads one message on stdin (b4's review check).

  --tree DIR       a kernel tree: whole-file analysis, and its own restore steps and fixes
  --kernel V       target kernel line when there is no tree (e.g. 6.1, 6.12, 6.18, 6.19)
  --ignore LIST    rule ids or TYPEs to skip (snapshot/stale-tph or SNAPSHOT_STALE_TPH)
  --fail-on LEVEL  exit 1 when a finding reaches LEVEL (default: warning)

Exit codes: 0 nothing reached --fail-on, 1 something did, 2 bad input, 3 a service failed.`;

const OPTIONS = {
  format: { type: 'string', default: 'text' },
  ...INPUT_OPTIONS,
  kernel: { type: 'string' },
  ignore: { type: 'string', multiple: true },
  'fail-on': { type: 'string', default: 'warning' },
  terse: { type: 'boolean' },
  msgid: { type: 'string' },
  lore: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS, 'review');
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  const format = choice(values.format, REPORT_FORMATS, '--format')!;
  const failOn = choice(values['fail-on'], [...SEVERITIES, 'none'] as const, '--fail-on')!;

  let inputs = positionals;
  if (values.msgid || values.lore) {
    if (!values.msgid || !values.lore) throw new UserError('--msgid and --lore go together');
    const { fetchLoreThread } = await import('../../ingest/lore.js');
    inputs = [await fetchLoreThread(values.lore, values.msgid)];
  } else if (format === 'b4' && inputs.length === 0) {
    inputs = ['-'];
  }
  const { messages, errors, tree } = await readInputs(inputs, values);
  const { kb, ...result } = await reviewMessages(messages, errors, {
    tree,
    kernel: values.kernel,
    ignore: list(values.ignore),
  });
  process.stdout.write(render(format, result, { kb, terse: values.terse }));
  if (format !== 'json' && format !== 'b4') {
    for (const e of errors) process.stderr.write(`vfio-review: ${e.source}: ${e.message}\n`);
  }
  // Every message failed (each listed in errors): nothing could be read, and no gate may pass.
  if (result.patches.length === 0) return EXIT.input;
  return reachesFailOn(allFindings(result), failOn) ? EXIT.findings : EXIT.ok;
}
