/**
 * `vfio-review review <input>`: read patches, run the rules, print the notes.
 * Options on the command line win over the config file (src/cli/config.ts), which wins over
 * the built-in defaults. Inside a kernel tree (b4 runs its check command at the tree's top)
 * the tree is used as `--tree .` unless --kernel, --tree or --no-tree says otherwise.
 */
import { existsSync } from 'node:fs';
import { allFindings, reachesFailOn, reviewMessages } from '../../pipeline.js';
import { render, REPORT_FORMATS } from '../../report/index.js';
import { EXIT, UserError } from '../../errors.js';
import { SEVERITIES } from '../../model.js';
import { loadKnowledgeBase } from '../../kb/index.js';
import type { KnowledgeBase } from '../../kb/types.js';
import { isIgnored } from '../../analyze/index.js';
import { DEFAULT_FAIL_ON, choice, list, parse } from '../args.js';
import { INPUT_OPTIONS, readInputs } from '../inputs.js';
import { loadConfig } from '../config.js';
import { colorize, COLOR_MODES, useColor } from '../color.js';
import { ruleList } from './rules.js';

export const HELP = `usage: vfio-review review <input>... [options]
       vfio-review review --msgid MESSAGE-ID --lore URL [options]
       vfio-review review --list-types

Reviews vfio/pci and PCI save/restore patches against the knowledge base in rules/ and
prints checkpatch-style notes, one per cause.

Input:
  <input>              a .eml, an mbox (.gz too), a Maildir, a git format-patch file or
                       folder, a unified diff, or - for stdin
  --input-format F     eml, mbox, maildir, patch, diff or git, when the name does not say
  --repo DIR --git A..B  review the commits of a range in a git repository
  --msgid ID --lore URL  fetch a thread from a public-inbox server (e.g. lore.kernel.org)

Kernel (say which one the notes assume; pick one of these):
  --tree DIR           a kernel tree: whole-file analysis, and the tree's own restore steps
                       and fixes. Used as --tree . when run at the top of a kernel tree
                       (drivers/pci/pci.c and MAINTAINERS present)
  --no-tree            do not use the current directory as the tree
  --kernel V           a kernel version or line when there is no tree (6.1, 6.12.117,
                       6.18, 6.19); an unknown one lists the known lines. Not with --tree
  (neither)            the newest line the knowledge base knows

Output:
  --format F           text (default), email (an mbox of replies), markdown, json, sarif,
                       or b4 (b4's review check JSON; reads stdin when no input is given)
  -v, --verbose        each note's full explanation and the whole restore-step table
  --terse              one line per finding: path:line: LEVEL:TYPE: title
  -q, --quiet          only patches with notes, and their totals
  --color WHEN         auto (default: on a terminal, unless NO_COLOR is set), always, never

Rules:
  --ignore LIST        rule ids or TYPEs to skip, separated by commas or spaces, the option
                       repeatable (snapshot/stale-tph, SNAPSHOT_STALE_TPH, snapshot/); an
                       unknown one is an error. A patch can carry its own
                       "vfio-review: ignore ID" trailer for a known false positive
  --list-types         list the rule ids and TYPEs (like checkpatch --list-types)
  --fail-on LEVEL      error, warning, check or none: exit 1 when a finding reaches LEVEL
                       (default: ${DEFAULT_FAIL_ON}, the same for the GitHub Action and b4)

Defaults for --ignore, --kernel, --fail-on and --color can be set in .vfio-review.yaml (this
directory or a parent, up to the repository's top) or ~/.config/vfio-review/config.yaml.

Exit codes: 0 nothing reached --fail-on, 1 something did, 2 bad input or usage,
3 an outside service failed, 70 internal error.`;

const OPTIONS = {
  format: { type: 'string', default: 'text' },
  ...INPUT_OPTIONS,
  'no-tree': { type: 'boolean' },
  kernel: { type: 'string' },
  ignore: { type: 'string', multiple: true },
  'fail-on': { type: 'string' },
  terse: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  quiet: { type: 'boolean', short: 'q' },
  color: { type: 'string' },
  'list-types': { type: 'boolean' },
  msgid: { type: 'string' },
  lore: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** b4 and checkpatch run at the top of a kernel tree: such a directory is the target. */
export function isKernelTree(dir: string): boolean {
  return existsSync(`${dir}/drivers/pci/pci.c`) && existsSync(`${dir}/MAINTAINERS`);
}

/** Every --ignore entry must name a rule (id, TYPE, or an area like snapshot/). */
export function checkIgnore(kb: KnowledgeBase, ignore: string[], source = '--ignore'): void {
  for (const id of ignore) {
    if (!kb.rules.some((r) => isIgnored(r, [id]))) {
      throw new UserError(`unknown rule or TYPE '${id}' (\`vfio-review review --list-types\` lists them)`, source);
    }
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS, 'review');
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  const config = await loadConfig();
  const kb = await loadKnowledgeBase();
  if (values['list-types']) {
    process.stdout.write(ruleList(kb.rules));
    return EXIT.ok;
  }
  const format = choice(values.format, REPORT_FORMATS, '--format')!;
  const failOn = choice(values['fail-on'] ?? config.failOn ?? DEFAULT_FAIL_ON, [...SEVERITIES, 'none'] as const, '--fail-on')!;
  const color = useColor(choice(values.color ?? config.color ?? 'auto', COLOR_MODES, '--color')!, process.stdout, process.env);
  if (values.tree && values.kernel) throw new UserError('give --tree or --kernel, not both: a tree says which kernel it is', '--kernel');
  const cliIgnore = list(values.ignore);
  checkIgnore(kb, cliIgnore);
  checkIgnore(kb, config.ignore, config.file);
  const kernel = values.kernel ?? (values.tree ? undefined : config.kernel);
  const tree = values.tree ?? (!kernel && !values['no-tree'] && isKernelTree('.') ? '.' : undefined);

  let inputs = positionals;
  if (values.msgid || values.lore) {
    if (!values.msgid || !values.lore) throw new UserError('--msgid and --lore go together');
    const { fetchLoreThread } = await import('../../ingest/lore.js');
    inputs = [await fetchLoreThread(values.lore, values.msgid)];
  } else if (format === 'b4' && inputs.length === 0) {
    inputs = ['-'];
  }
  const { messages, errors, tree: openedTree } = await readInputs(inputs, { ...values, tree });
  const { kb: _kb, ...result } = await reviewMessages(messages, errors, {
    kb,
    tree: openedTree,
    kernel,
    ignore: [...config.ignore, ...cliIgnore],
  });
  void _kb;
  const out = render(format, result, { kb, terse: values.terse, verbose: values.verbose, quiet: values.quiet });
  process.stdout.write(format === 'text' && color ? colorize(out) : out);
  if (format !== 'json' && format !== 'b4') {
    for (const e of errors) process.stderr.write(`vfio-review: ${e.source}: ${e.message}\n`);
  }
  // Every message failed (each listed in errors): nothing could be read, and no gate may pass.
  if (result.patches.length === 0) return EXIT.input;
  return reachesFailOn(allFindings(result), failOn) ? EXIT.findings : EXIT.ok;
}
