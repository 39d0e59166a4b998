/**
 * `vfio-review kb table [--kernel V] [--format text|markdown]` and
 * `vfio-review kb verify --tree DIR`: look at and check the knowledge base in rules/kb.
 */
import { EXIT, UserError } from '../../errors.js';
import { parse, choice, list } from '../args.js';
import { renderStepSvg } from '../../report/svg.js';
import { formatVerify, loadKnowledgeBase, renderStepTable, resolveTarget, verifyTree, RULES_DIR } from '../../kb/index.js';
import { openTree } from '../../ingest/tree.js';

const USAGE = `usage: vfio-review kb table [--kernel V] [--format text|markdown|svg] [--mark STEP,...] [--rules DIR]
       vfio-review kb verify --tree DIR [--verbose] [--rules DIR]

table   print the ordered restore steps of pci_restore_state() for a kernel line
        (default: the newest line the knowledge base knows); --format svg draws it,
        snapshot vs live by colour, with the --mark steps (ids or functions) marked
verify  check rules/kb against a kernel tree: every step of pci_restore_state() and
        pci_save_state() known and in order, and each step's snapshot/live source
        re-derived from its body; the vfio-pci paths' calls. --verbose lists each
        step's file and evidence. Exit 0 when clean, 1 on drift, 2 on bad input.
`;

/** Options both subcommands take. */
const COMMON = { rules: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

function usage(exit: number = EXIT.ok): number {
  process.stdout.write(USAGE);
  return exit;
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h') return usage(sub ? EXIT.ok : EXIT.input);
  if (sub === 'table') return table(rest);
  if (sub === 'verify') return verify(rest);
  throw new UserError(`unknown kb command '${sub}' (table, verify)`);
}

async function table(argv: string[]): Promise<number> {
  const { values } = parse(argv, { ...COMMON, kernel: { type: 'string' }, format: { type: 'string' }, mark: { type: 'string', multiple: true } }, 'kb');
  if (values.help) return usage();
  const format = choice(values.format, ['text', 'markdown', 'svg'] as const, '--format') ?? 'text';
  const kb = await loadKnowledgeBase(values.rules ?? RULES_DIR);
  const target = await resolveTarget(kb, { kernel: values.kernel });
  const line = kb.line(target.line)!;
  const mark = list(values.mark).map((m) => {
    const step = kb.steps.get(m) ?? [...kb.steps.values()].find((s) => s.function === m.replace(/\(\)$/, ''));
    if (!step) throw new UserError(`unknown restore step '${m}' (\`vfio-review kb table\` lists them)`, '--mark');
    return step.id;
  });
  if (format === 'svg') {
    process.stdout.write(renderStepSvg(kb, line.id, { mark, title: `pci_restore_state() on ${line.id}` }));
    return EXIT.ok;
  }
  const title = format === 'markdown' ? `**pci_restore_state() steps, ${target.description}**\n\n` : `pci_restore_state() steps, ${target.description}\n\n`;
  process.stdout.write(title + renderStepTable(kb, line.id, { format, mark }));
  return EXIT.ok;
}

async function verify(argv: string[]): Promise<number> {
  const { values } = parse(argv, { ...COMMON, tree: { type: 'string' }, verbose: { type: 'boolean', short: 'v' } }, 'kb');
  if (values.help) return usage();
  if (!values.tree) throw new UserError('kb verify needs --tree DIR', '--tree');
  const started = Date.now();
  const kb = await loadKnowledgeBase(values.rules ?? RULES_DIR);
  const tree = await openTree(values.tree);
  if ((await tree.read('drivers/pci/pci.c')) === undefined) throw new UserError('not a kernel tree (no drivers/pci/pci.c)', values.tree);
  const result = await verifyTree(kb, tree);
  process.stdout.write(formatVerify(result, Date.now() - started, values.verbose));
  return result.drifts.length ? EXIT.findings : EXIT.ok;
}
