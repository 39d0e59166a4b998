/**
 * `vfio-review rules [--format text|json] [--rules DIR]`: list the risk rules (id, severity,
 * TYPE, title), like checkpatch's --list-types.
 */
import { EXIT } from '../../errors.js';
import { choice, parse } from '../args.js';
import { loadRules } from '../../rules/load.js';
import { compileRules } from '../../rules/compile.js';
import { RULES_DIR } from '../../kb/index.js';

const USAGE = `usage: vfio-review rules [--format text|json] [--rules DIR]

List the risk rules: id, severity, checkpatch-style TYPE and title.
\`vfio-review explain RULE\` prints one rule's documentation; \`review --ignore\` takes ids or TYPEs.
`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(
    argv,
    { format: { type: 'string' }, rules: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    'rules',
  );
  if (values.help) {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }
  const format = choice(values.format, ['text', 'json'] as const, '--format') ?? 'text';
  // The list needs only the rules, so a broken facts file does not hide it; compiling them
  // still reports a bad pattern.
  const rules = compileRules(await loadRules(values.rules ?? RULES_DIR));
  if (format === 'json') {
    const list = rules.map((r) => ({ id: r.id, severity: r.severity, type: r.type, title: r.title, description: r.description, file: r.file }));
    process.stdout.write(JSON.stringify(list, null, 2) + '\n');
    return EXIT.ok;
  }
  const w = (k: 'id' | 'severity' | 'type') => Math.max(k.length, ...rules.map((r) => r[k].length));
  const [wi, ws, wt] = [w('id'), w('severity'), w('type')];
  const row = (a: string, b: string, c: string, d: string) => `${a.padEnd(wi)}  ${b.padEnd(ws)}  ${c.padEnd(wt)}  ${d}`.trimEnd();
  const lines = [row('ID', 'SEVERITY', 'TYPE', 'TITLE'), ...rules.map((r) => row(r.id, r.severity, r.type, r.title))];
  process.stdout.write(`${lines.join('\n')}\n\n${rules.length} rules. \`vfio-review explain RULE\` for one rule's documentation.\n`);
  return EXIT.ok;
}
