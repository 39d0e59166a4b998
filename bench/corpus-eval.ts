/**
 * Evaluation on real patches (issue 8): review every patch of bench/corpus/ through the real
 * pipeline (ingest -> patch -> analyze, the knowledge base in rules/), compare the rule ids it
 * reports with the labels a maintainer gave, and print precision and recall per rule and
 * overall, with each false positive and false negative by patch name.
 *
 *   npx tsx bench/corpus-eval.ts [--json] [--only SUBSTRING] [--at-least warning|error]
 *
 * A patch labelled for an older kernel line (`kernel:` in its sidecar) is reviewed as
 * `--kernel LINE`; the others against the default target (the newest line the KB knows).
 * The labels are the corpus's, not the tool's: a rule that never fires still counts its misses.
 * Every note counts as "raised" whatever its severity (a `check` is still a question put to the
 * author); `--at-least warning` counts only notes of that level or above.
 */
import { collectMessages } from '../src/ingest/index.js';
import { loadKnowledgeBase } from '../src/kb/index.js';
import { allFindings, reviewMessages } from '../src/pipeline.js';
import { SEVERITIES, type Severity } from '../src/model.js';
import { readCorpus, type CorpusEntry } from './corpus-lib.js';

interface Outcome {
  entry: CorpusEntry;
  found: string[];
  /** The most severe level each found rule reported at, for the false-positive list. */
  severity: Record<string, Severity>;
  error?: string;
}

interface Score {
  tp: number;
  fp: number;
  fn: number;
}

const args = process.argv.slice(2);
const asJson = args.includes('--json');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const atLeast = (args.includes('--at-least') ? args[args.indexOf('--at-least') + 1] : 'check') as Severity;
if (!SEVERITIES.includes(atLeast)) {
  console.error(`corpus-eval: --at-least takes one of ${SEVERITIES.join(', ')}, not ${atLeast}`);
  process.exit(2);
}

/** The rule ids the pipeline reports on one corpus patch (each once). */
async function review(entry: CorpusEntry, kb: Awaited<ReturnType<typeof loadKnowledgeBase>>): Promise<Outcome> {
  const { messages, errors } = await collectMessages([entry.patchPath], {});
  if (messages.length === 0) return { entry, found: [], severity: {}, error: errors.map((e) => e.message).join('; ') || 'no message read' };
  const result = await reviewMessages(messages, errors, { kb, kernel: entry.kernel });
  const severity: Record<string, Severity> = {};
  for (const f of allFindings(result)) {
    if (SEVERITIES.indexOf(f.severity) > SEVERITIES.indexOf(atLeast)) continue;
    const was = severity[f.rule];
    if (!was || SEVERITIES.indexOf(f.severity) < SEVERITIES.indexOf(was)) severity[f.rule] = f.severity;
  }
  return { entry, found: Object.keys(severity).sort(), severity };
}

const ratio = (a: number, b: number) => (b === 0 ? '-' : (a / b).toFixed(2));

function score(outcomes: Outcome[], ruleIds: string[]) {
  const per = new Map<string, Score>(ruleIds.map((id) => [id, { tp: 0, fp: 0, fn: 0 }]));
  const fps: { patch: string; rule: string; severity: Severity }[] = [];
  const fns: { patch: string; rule: string }[] = [];
  for (const o of outcomes) {
    const want = new Set(o.entry.expected);
    const got = new Set(o.found);
    for (const id of new Set([...want, ...got])) {
      const s = per.get(id) ?? { tp: 0, fp: 0, fn: 0 };
      per.set(id, s);
      if (want.has(id) && got.has(id)) s.tp++;
      else if (got.has(id)) (s.fp++, fps.push({ patch: o.entry.name, rule: id, severity: o.severity[id] }));
      else (s.fn++, fns.push({ patch: o.entry.name, rule: id }));
    }
  }
  const total = [...per.values()].reduce((a, s) => ({ tp: a.tp + s.tp, fp: a.fp + s.fp, fn: a.fn + s.fn }), { tp: 0, fp: 0, fn: 0 });
  return { per, total, fps, fns };
}

/** " on 6.1" when the patch was reviewed for an older line, for the FP/FN lists. */
function kernelOf(outcomes: Outcome[], patch: string): string {
  const k = outcomes.find((o) => o.entry.name === patch)?.entry.kernel;
  return k ? ` [--kernel ${k}]` : '';
}

function printText(outcomes: Outcome[], s: ReturnType<typeof score>): void {
  const labelled = outcomes.filter((o) => o.entry.expected.length > 0).length;
  console.log(`corpus: ${outcomes.length} patches (${labelled} labelled with a risk, ${outcomes.length - labelled} benign); notes counted: ${atLeast} and above\n`);
  const w = Math.max(...[...s.per.keys()].map((k) => k.length), 'overall'.length);
  console.log(`${'rule'.padEnd(w)}  TP  FP  FN  precision  recall`);
  const row = (id: string, x: Score) =>
    console.log(`${id.padEnd(w)}  ${String(x.tp).padStart(2)}  ${String(x.fp).padStart(2)}  ${String(x.fn).padStart(2)}  ${ratio(x.tp, x.tp + x.fp).padStart(9)}  ${ratio(x.tp, x.tp + x.fn).padStart(6)}`);
  for (const [id, x] of [...s.per].sort(([a], [b]) => a.localeCompare(b))) row(id, x);
  row('overall', s.total);
  const clean = outcomes.filter((o) => o.entry.expected.length === 0 && o.found.length === 0).length;
  console.log(`\nbenign patches with no note: ${clean} of ${outcomes.length - labelled}`);
  console.log(`\nfalse positives (${s.fps.length}):`);
  for (const f of s.fps) console.log(`  ${f.patch}: ${f.rule} (${f.severity})${kernelOf(outcomes, f.patch)}`);
  console.log(`\nfalse negatives (${s.fns.length}):`);
  for (const f of s.fns) {
    const entry = outcomes.find((o) => o.entry.name === f.patch)?.entry;
    console.log(`  ${f.patch}: ${f.rule}${kernelOf(outcomes, f.patch)}\n      label: ${entry?.reasons[f.rule] ?? ''}`);
  }
  const errs = outcomes.filter((o) => o.error);
  if (errs.length) {
    console.log(`\nunreadable (${errs.length}):`);
    for (const o of errs) console.log(`  ${o.entry.name}: ${o.error}`);
  }
}

async function main(): Promise<number> {
  const kb = await loadKnowledgeBase();
  const entries = (await readCorpus()).filter((e) => !only || e.name.includes(only));
  const outcomes: Outcome[] = [];
  for (const e of entries) outcomes.push(await review(e, kb));
  const s = score(outcomes, kb.rules.map((r) => r.id));
  if (asJson) {
    const perRule = Object.fromEntries([...s.per].map(([id, x]) => [id, { ...x, precision: ratio(x.tp, x.tp + x.fp), recall: ratio(x.tp, x.tp + x.fn) }]));
    const patches = outcomes.map((o) => ({ patch: o.entry.name, kernel: o.entry.kernel ?? null, expected: o.entry.expected, found: o.found, error: o.error }));
    console.log(JSON.stringify({ perRule, overall: { ...s.total, precision: ratio(s.total.tp, s.total.tp + s.total.fp), recall: ratio(s.total.tp, s.total.tp + s.total.fn) }, falsePositives: s.fps, falseNegatives: s.fns, patches }, null, 2));
  } else printText(outcomes, s);
  return outcomes.some((o) => o.error) ? 1 : 0;
}

process.exitCode = await main();
