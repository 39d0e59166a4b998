/**
 * `vfio-review rules [--format text|json] [--rules DIR]`: list the risk rules (id, severity,
 * TYPE, title), like checkpatch's --list-types. The severity column is the one the reports use:
 * the rule's own level, and the levels its variants raise or lower it to in some contexts
 * (`explain` says which contexts), so a reader is never surprised by an ERROR the list calls a
 * warning.
 */
import { EXIT } from '../../errors.js';
import { choice, parse } from '../args.js';
import { loadRules } from '../../rules/load.js';
import { compileRules } from '../../rules/compile.js';
import type { Predicate, RuleDefinition } from '../../rules/types.js';
import { RULES_DIR } from '../../kb/index.js';
import type { Severity } from '../../model.js';

const USAGE = `usage: vfio-review rules [--format text|json] [--rules DIR]

List the risk rules: id, severity, checkpatch-style TYPE and title. A severity such as
"warning (error, check)" is the rule's default and the levels some contexts give it;
\`vfio-review explain RULE\` says which. \`review --ignore\` takes ids or TYPEs.
`;

/** The severities a rule reports: its own, then each variant's that differs, in order. */
export function severities(r: RuleDefinition): { severity: Severity; when?: Predicate }[] {
  const out: { severity: Severity; when?: Predicate }[] = [{ severity: r.severity }];
  for (const v of r.variants ?? []) if (v.severity && v.severity !== r.severity) out.push({ severity: v.severity, when: v.when });
  return out;
}

/** "warning", or "warning (error, check)". */
export function severityText(r: RuleDefinition): string {
  const others = [...new Set(severities(r).slice(1).map((s) => s.severity))];
  return others.length ? `${r.severity} (${others.join(', ')})` : r.severity;
}

/** A variant's condition in words: "vfio-pci and error-handler", "not msix-restore-path". */
export function describePredicate(p: Predicate): string {
  const parts: string[] = [];
  if (p.ref) parts.push(p.ref);
  if (p.all) parts.push(p.all.map(describePredicate).join(' and '));
  if (p.any) parts.push(`(${p.any.map(describePredicate).join(' or ')})`);
  if (p.not) parts.push(`not ${describePredicate(p.not)}`);
  if (p.target?.fix) parts.push(`the target carries fix ${p.target.fix}`);
  if (p.target?.fixMissing) parts.push(`the target lacks fix ${p.target.fixMissing}`);
  if (p.target?.fixUnknown) parts.push(`unknown whether the target carries fix ${p.target.fixUnknown}`);
  if (p.reaches) parts.push(`reaches ${[p.reaches.role, p.reaches.name].flat().filter(Boolean).join('/')}`);
  if (p.identifier) parts.push(`uses ${[p.identifier].flat().join('/')}`);
  if (p.before) parts.push(`${p.before.pattern} before the restore`);
  return parts.join(' and ') || 'a context of its own';
}

/** The list `rules` and `review --list-types` print. */
export function ruleList(rules: readonly RuleDefinition[]): string {
  const sev = rules.map(severityText);
  const w = (k: 'id' | 'type') => Math.max(k.length, ...rules.map((r) => r[k].length));
  const [wi, ws, wt] = [w('id'), Math.max(8, ...sev.map((s) => s.length)), w('type')];
  const row = (a: string, b: string, c: string, d: string) => `${a.padEnd(wi)}  ${b.padEnd(ws)}  ${c.padEnd(wt)}  ${d}`.trimEnd();
  const lines = [row('ID', 'SEVERITY', 'TYPE', 'TITLE'), ...rules.map((r, i) => row(r.id, sev[i], r.type, r.title))];
  return `${lines.join('\n')}\n\n${rules.length} rules. \`vfio-review explain RULE\` for one rule's documentation.\n`;
}

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
    const list = rules.map((r) => ({
      id: r.id,
      severity: r.severity,
      severities: severities(r).map((s) => ({ severity: s.severity, ...(s.when ? { when: describePredicate(s.when) } : {}) })),
      type: r.type,
      title: r.title,
      description: r.description,
      file: r.file,
    }));
    process.stdout.write(JSON.stringify(list, null, 2) + '\n');
    return EXIT.ok;
  }
  process.stdout.write(ruleList(rules));
  return EXIT.ok;
}
