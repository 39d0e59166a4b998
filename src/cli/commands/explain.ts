/**
 * `vfio-review explain RULE [--kernel V] [--rules DIR]`: one rule's documentation: what it finds,
 * why (with the restore steps it is about, for the target kernel), how to fix it, references,
 * and its test cases as examples. RULE is an id (snapshot/stale-restore) or a TYPE.
 */
import { dirname, relative } from 'node:path';
import { EXIT, UserError } from '../../errors.js';
import { parse } from '../args.js';
import { loadKnowledgeBase, RULES_DIR, renderStepTable, resolveTarget } from '../../kb/index.js';
import { isCompiled, isRuleSpec, type RuleDefinition } from '../../rules/types.js';
import { readCases, type RuleCase } from '../../rules/cases.js';
import { expandSteps } from '../../analyze/scope.js';
import { describePredicate, severities, severityText } from './rules.js';

const USAGE = `usage: vfio-review explain RULE [--kernel V] [--rules DIR]

Print the documentation of one risk rule: what it finds, why it matters, how to fix it, the
restore steps it is about (for --kernel, default the newest line), references and examples.
RULE is a rule id (snapshot/stale-restore) or its TYPE (SNAPSHOT_STALE_RESTORE).
\`vfio-review rules\` lists them.
`;

/** The rule a user named: exact id or TYPE, else a unique id suffix (`stale-restore`). */
export function findRule(rules: RuleDefinition[], name: string): RuleDefinition {
  const exact = rules.find((r) => r.id === name || r.type === name.toUpperCase());
  if (exact) return exact;
  const partial = rules.filter((r) => r.id.endsWith(`/${name}`) || r.id.includes(name));
  if (partial.length === 1) return partial[0];
  const hint = partial.length ? `: did you mean ${partial.map((r) => r.id).join(', ')}?` : '; `vfio-review rules` lists them';
  throw new UserError(`no rule '${name}'${hint}`, 'explain');
}

/** The rule's test cases (src/rules/cases.ts, the reader the rule tests use), one line each. */
async function examples(rule: RuleDefinition, root: string): Promise<string[]> {
  if (!rule.testFile) return [];
  const cases = await readCases(rule.testFile, root);
  const line = (kind: string, c: RuleCase) => {
    const p = c.patches.length === 1 ? relative(root, c.patches[0]) : '(series)';
    return `  ${kind} ${p}${c.kernel ? ` (--kernel ${c.kernel})` : ''}${c.why ? `: ${c.why.trim()}` : ''}`;
  };
  return [...cases.invalid.map((c) => line('flagged:    ', c)), ...cases.valid.map((c) => line('not flagged:', c))];
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { kernel: { type: 'string' }, rules: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    'explain',
  );
  if (values.help) {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }
  if (positionals.length !== 1) {
    process.stderr.write(USAGE);
    return EXIT.input;
  }
  const dir = values.rules ?? RULES_DIR;
  const kb = await loadKnowledgeBase(dir);
  const rule = findRule(kb.rules, positionals[0]);
  const root = dirname(dir.replace(/\/+$/, ''));
  const out: string[] = [];
  out.push(`${rule.id} (${rule.type}, ${severityText(rule)})`, `${rule.title}`, '');
  const levels = severities(rule);
  if (levels.length > 1) {
    out.push(`Severity: ${rule.severity} by default; ${levels.slice(1).map((l) => `${l.severity} when ${describePredicate(l.when!)}`).join('; ')}.`, '');
  }
  out.push(rule.doc?.trim() || rule.description);
  if (isCompiled(rule) && rule.compiled.steps.length) {
    const target = await resolveTarget(kb, { kernel: values.kernel });
    const steps = expandSteps(kb, target.line);
    const ids = new Set(steps.filter((st) => rule.compiled.steps.some((test) => test(st, []))).map((s) => s.id));
    if (ids.size) {
      out.push('', `## Restore steps it is about (* marked), ${target.description}`, '');
      out.push(renderStepTable(kb, target.line, { format: 'text', mark: [...ids] }).trimEnd());
    }
  }
  if (isRuleSpec(rule) && rule.suggestion) out.push('', '## In short', '', rule.suggestion);
  out.push('', '## References', '');
  for (const r of rule.references) out.push(`  - ${r.title}${r.commit ? ` (commit ${r.commit})` : ''}${r.url ? ` <${r.url}>` : ''}`);
  const ex = await examples(rule, root);
  if (ex.length) out.push('', '## Test cases', '', ...ex);
  out.push('', `Rule file: ${rule.file}${rule.testFile ? `; cases: ${rule.testFile}` : ''}`);
  process.stdout.write(out.join('\n') + '\n');
  return EXIT.ok;
}
