/**
 * analyze: risk rules over a patch model -> findings. Synchronous and pure: it reads no tree
 * and changes nothing it is given (the pipeline attaches the findings). Rules are data
 * (rules/<area>/<name>.yaml, loaded by src/rules/load.ts and compiled by src/rules/compile.ts);
 * this file only runs their compiled triggers over the functions the patch changes and turns
 * what they saw into findings.
 */
import { hunkIndex } from '../patch/lines.js';
import { callRegExp, wordRegExp } from '../regex.js';
import type { CallGraph, Finding, PatchModel, Severity, TargetInfo } from '../model.js';
import { SEVERITIES } from '../model.js';
import type { KnowledgeBase, RestoreStep } from '../kb/types.js';
import { stateSavedGate } from '../kb/target.js';
import { snapshotRead } from '../kb/classify.js';
import { isCompiled, type CompiledRule } from '../rules/types.js';
import { emptyEvidence, type CallTest, type EvalEnv, type Evidence, type Reach, type Subject } from '../rules/world.js';
import { propertyWitness } from './property.js';
import { definitionOf, unknownStepWitness } from './unknown-step.js';
import { Scope, expandSteps } from './scope.js';
import { joinList, render, type Values } from './render.js';
import { sha1Hex } from './sha1.js';

export interface AnalyzeContext {
  kb: KnowledgeBase;
  target: TargetInfo;
  /** With --tree: the post-patch call graph of the patch's files (src/patch/callgraph.ts). */
  graph?: CallGraph;
  /** Rule ids (or TYPEs) to skip. */
  ignore?: string[];
  /** The other patches of the same series, in order (helpers added by an earlier part). */
  series?: PatchModel[];
}

/** Is a rule switched off by --ignore (its id, its TYPE, or its area as `area/`)? */
export function isIgnored(rule: { id: string; type: string }, ignore: string[] = []): boolean {
  return ignore.some((i) => {
    const x = i.trim();
    return x === rule.id || x.toUpperCase() === rule.type || (x.endsWith('/') && rule.id.startsWith(x)) || x === `${rule.id.split('/')[0]}/*`;
  });
}

interface Located {
  line: number;
  text: string;
  outsideDiff: boolean;
  reach?: Reach;
}

const CALL = (name: string) => callRegExp(name);
const byName = (name: string): CallTest => ({ test: (c) => c === name, onlyNew: false });

/** Where a finding points: the first anchor that matches a line of the diff, else the function. */
function locate(rule: CompiledRule, s: Subject, ev: Evidence, scope: Scope, diffLines: Set<number>): Located {
  const lineOf = (re: RegExp, reach?: Reach): Located | undefined => {
    const l = s.added.find((x) => re.test(x.text)) ?? s.diffLines.find((x) => re.test(x.text));
    return l ? { line: l.line, text: l.text, outsideDiff: !diffLines.has(l.line), reach } : undefined;
  };
  for (const a of rule.compiled.anchors) {
    if (a.call) {
      const hits = scope.reaches(s, a.call);
      const ordered = [...hits.filter((h) => h.isNew), ...hits.filter((h) => !h.isNew)];
      for (const h of ordered) {
        const at = lineOf(CALL(h.first), h);
        if (at) return at;
      }
    }
    if (a.code) {
      const at = lineOf(a.code);
      if (at) return at;
    }
    if (a.removed) {
      const callee = s.removedCalls.find((c) => a.removed!.test(c, scope));
      const l = callee ? s.removed.find((x) => CALL(callee).test(x.text)) : undefined;
      if (l) return { line: l.line, text: l.text, outsideDiff: !diffLines.has(l.line) };
    }
  }
  if (ev.codeLines.length) {
    const l = s.added.find((x) => x.line === ev.codeLines[0]);
    if (l) return { line: l.line, text: l.text, outsideDiff: false };
  }
  for (const r of ev.reaches) {
    const at = lineOf(CALL(r.first), r);
    if (at) return at;
  }
  for (const c of ev.calls) {
    const at = lineOf(CALL(c));
    if (at) return at;
    const l = s.removed.find((x) => CALL(c).test(x.text));
    if (l) return { line: l.line, text: l.text, outsideDiff: !diffLines.has(l.line) };
  }
  for (const id of ev.identifiers) {
    const at = lineOf(wordRegExp(id));
    if (at) return at;
  }
  if (s.wiredAt) return { line: s.wiredAt.line, text: s.wiredAt.text, outsideDiff: !diffLines.has(s.wiredAt.line), reach: ev.reaches[0] };
  if (s.added.length) return { line: s.added[0].line, text: s.added[0].text, outsideDiff: false };
  const line = s.newLine ?? s.diffLines[0]?.line ?? 1;
  return { line, text: s.name, outsideDiff: !diffLines.has(line) };
}

/** Whitespace- and comment-insensitive form of a line of code, for fingerprints. */
export function normaliseCode(text: string): string {
  return text
    .replace(/\/\*.*?\*\//g, ' ')
    .replace(/\/\/.*$/, '')
    .replace(/\s+/g, ' ')
    .replace(/\s*([(),;{}=!&|<>+\-*/])\s*/g, '$1')
    .trim();
}

export function fingerprint(rule: string, file: string, fn: string | undefined, code: string): string {
  return sha1Hex(`${rule}\n${file}\n${fn ?? ''}\n${normaliseCode(code)}`).slice(0, 16);
}

/**
 * {{context}}: the callback role the function plays (from struct initialisers), else the phrase
 * of the first named predicate of rules/common.yaml that holds for it, else the fallback there.
 */
function contextPhrase(rule: CompiledRule, scope: Scope, s: Subject, ev: Evidence, env: EvalEnv): { role: string; context: string } {
  const roles = scope.roles(s.name);
  const preferred = roles.find((r) => ev.roles.includes(r.role)) ?? roles[0];
  if (preferred) {
    const via = preferred.via ? ` (through its caller ${preferred.via}())` : '';
    return { role: preferred.role, context: `the \`.${preferred.role}\` callback${via}` };
  }
  const { contexts, unknownContext } = rule.compiled.common;
  const hit = contexts.find((c) => c.when(s, env, emptyEvidence()));
  return { role: 'none', context: hit?.phrase ?? unknownContext };
}

/** What the source of a new step looks like from its body in the patch (snapshot or live). */
function guessSource(scope: Scope, calls: string[]): string {
  const parts: string[] = [];
  for (const c of calls) {
    const helper = definitionOf(scope, c);
    if (!helper || !helper.body) {
      parts.push(`the body of ${c}() is not in this patch`);
      continue;
    }
    if (snapshotRead(helper.body))
      parts.push(`${c}() reads a save buffer (pci_find_saved_cap/saved_config_space), so it looks snapshot-based`);
    else parts.push(`${c}() reads no save buffer in the patch, so it looks like it writes live state`);
  }
  return joinList(parts, 'nothing to go on');
}

function values(rule: CompiledRule, s: Subject, ev: Evidence, scope: Scope, env: EvalEnv, at: Located, steps: RestoreStep[], targetSteps: RestoreStep[]): Values {
  const { role, context } = contextPhrase(rule, scope, s, ev, env);
  const reach = at.reach;
  const fnName = (st: RestoreStep) => `${st.function}()`;
  const calls = [...new Set([...ev.calls, ...ev.reaches.map((r) => r.callee)])];
  const kbLine = scope.kb.line(env.target.line);
  // In running text a nested step whose parent has the same source is implied by the parent.
  const nestedSame = new Set<string>();
  for (const [parent, kids] of Object.entries(kbLine?.nested ?? {}))
    for (const k of kids) if (scope.kb.steps.get(k)?.source === scope.kb.steps.get(parent)?.source) nestedSame.add(k);
  const topOf = (list: RestoreStep[]) => list.filter((st) => !nestedSame.has(st.id));
  return {
    ...rule.defaults,
    ...ev.bindings,
    function: `${s.name}()`,
    file: s.file,
    change: s.change,
    role,
    context,
    callee: reach ? `${reach.callee}()` : calls[0] ? `${calls[0]}()` : `${s.name}()`,
    via: reach && reach.first !== reach.callee ? ` through ${reach.first}()` : '',
    path: reach ? [s.name, ...reach.path].map((n) => `${n}()`).join(' -> ') : `${s.name}()`,
    target: `Linux ${env.target.line}`,
    line: env.target.line,
    steps: joinList(topOf(steps).map(fnName)),
    stepCount: String(steps.length),
    snapshotSteps: joinList(topOf(targetSteps.filter((st) => st.source === 'snapshot')).map(fnName)),
    liveSteps: joinList(topOf(targetSteps.filter((st) => st.source === 'live')).map(fnName)),
    calls: joinList(calls.map((c) => `${c}()`)),
    identifiers: joinList([...new Set(ev.identifiers)]),
    calleeSource: guessSource(scope, ev.calls.length ? [...new Set(ev.calls)] : calls),
    ordering: kbLine?.orderingFacts.join(' ') ?? '',
    msixWriters: scope.kb.effects?.functions.get('__pci_restore_msix_state')?.effects.find((e) => e.mmio)?.writers?.[env.target.line] ?? 'pci_write_msg_msix() and pci_msix_write_vector_ctrl()',
  };
}

const severityRank = (s: Severity) => SEVERITIES.indexOf(s);

/** The message keys a finding uses, in order (what, why, added paragraphs; fix, added fixes), and its severity. */
interface Composed {
  severity: Severity;
  why: string[];
  fix: string[];
}

/** Apply the rule's variants that hold, in order; what they bind joins the trigger's evidence. */
function compose(rule: CompiledRule, s: Subject, env: EvalEnv, ev: Evidence): Composed {
  let severity = rule.severity;
  const why = ['what', 'why'];
  const fix = ['fix'];
  for (const [i, v] of (rule.variants ?? []).entries()) {
    const seen = emptyEvidence();
    if (!rule.compiled.variants[i](s, env, seen)) continue;
    for (const [k, val] of Object.entries(seen.bindings)) if (!(k in ev.bindings)) ev.bindings[k] = val;
    if (v.severity) severity = v.severity;
    if (v.what) why[0] = v.what;
    if (v.fixWith) fix[0] = v.fixWith;
    why.push(...(v.add ?? []));
    fix.push(...(v.fix ?? []));
    if (v.stop) break;
  }
  return { severity, why, fix };
}

/** Run every rule over one patch; findings are only for what the patch adds or touches. */
export function analyzePatch(patch: PatchModel, ctx: AnalyzeContext): Finding[] {
  const { kb, target } = ctx;
  const scope = new Scope(patch, kb, ctx.series ?? [], ctx.graph, target);
  // `property:` keys ask the device-state model, which explores this patch once per target
  scope.witness = (p, s, target) =>
    p.id === 'unknown-step' ? unknownStepWitness(p, s, scope, target) : propertyWitness(p, s, scope, target);
  const targetSteps = expandSteps(kb, target);
  const env: EvalEnv = { world: scope, target, steps: targetSteps, stateSavedGate: stateSavedGate(kb, target) };
  // "In the diff" is decided by the one hunk index the reports and the posting stage use.
  const index = hunkIndex(patch);
  const diffLines = new Map(patch.files.map((f) => [f.path, index.rightLines(f.path)]));
  const found: { finding: Finding; subject: Subject }[] = [];
  for (const rule of kb.rules) {
    if (!isCompiled(rule) || isIgnored(rule, ctx.ignore)) continue;
    for (const s of scope.subjects) {
      if (s.change === 'removed') continue;
      const ev = emptyEvidence();
      if (!rule.compiled.trigger(s, env, ev)) continue;
      found.push({ finding: buildFinding(rule, s, ev, scope, env, targetSteps, diffLines.get(s.file) ?? new Set()), subject: s });
    }
  }
  return mergeFindings(found, scope);
}

function buildFinding(rule: CompiledRule, s: Subject, ev: Evidence, scope: Scope, env: EvalEnv, targetSteps: RestoreStep[], diffLines: Set<number>): Finding {
  const at = locate(rule, s, ev, scope, diffLines);
  const matched = [...new Set([...ev.calls, ...ev.reaches.map((r) => r.callee)])];
  const steps = targetSteps.filter((st) => rule.compiled.steps.some((test) => test(st, matched)));
  const { severity, why, fix } = compose(rule, s, env, ev);
  const vals = values(rule, s, ev, scope, env, at, steps, targetSteps);
  const text = (keys: string[]) => keys.map((k) => render(rule.messages[k], vals, scope.kb)).filter(Boolean).join('\n\n');
  const finding: Finding = {
    rule: rule.id,
    type: rule.type,
    severity,
    file: s.file,
    line: at.line,
    function: s.name,
    title: rule.title,
    message: text(why),
    suggestion: text(fix),
    steps: steps.map((st) => st.id),
    fingerprint: fingerprint(rule.id, s.file, s.name, at.text),
    references: rule.references.map((r) => ({ title: r.title, ...(r.url ? { url: r.url } : {}), ...(r.commit ? { commit: r.commit } : {}) })),
    target: env.target.description,
    messageKeys: [...why, ...fix],
  };
  if (at.outsideDiff) finding.outsideDiff = true;
  const r = rule.compiled.replacement;
  if (r && !at.outsideDiff && r.match.test(at.text)) finding.replacement = at.text.replace(r.match, r.with);
  if (ev.trace?.length) finding.trace = ev.trace;
  if (ev.conditions.length) finding.conditions = [...ev.conditions];
  return finding;
}

/**
 * One root cause, one note per rule: a finding on a helper that another function with the same
 * rule reaches is folded into the caller's note; findings of different rules on the same line
 * stay separate but list each other in `related`.
 */
function mergeFindings(found: { finding: Finding; subject: Subject }[], scope: Scope): Finding[] {
  const dropped = new Set<Finding>();
  // duplicates of one rule on one function
  const seen = new Map<string, Finding>();
  for (const { finding } of found) {
    const key = `${finding.rule}\0${finding.file}\0${finding.function}`;
    const prev = seen.get(key);
    if (prev) {
      dropped.add(finding);
      if (severityRank(finding.severity) < severityRank(prev.severity)) prev.severity = finding.severity;
    } else seen.set(key, finding);
  }
  for (const a of found) {
    if (dropped.has(a.finding)) continue;
    for (const b of found) {
      if (a === b || dropped.has(b.finding) || a.finding.rule !== b.finding.rule) continue;
      // a's function reaches b's function: b is a helper on the same path
      if (a.subject.calls.length && scope.reaches(a.subject, byName(b.subject.name)).length) {
        dropped.add(b.finding);
        (a.finding.related ??= []).push({ rule: b.finding.rule, title: `${b.finding.title} (also in ${b.subject.name}(), called from here)` });
        if (severityRank(b.finding.severity) < severityRank(a.finding.severity)) a.finding.severity = b.finding.severity;
      }
    }
  }
  const kept = found.map((f) => f.finding).filter((f) => !dropped.has(f));
  for (const f of kept) {
    const same = kept.filter((g) => g !== f && g.file === f.file && g.line === f.line && g.rule !== f.rule);
    for (const g of same) if (!(f.related ?? []).some((r) => r.rule === g.rule)) (f.related ??= []).push({ rule: g.rule, title: g.title });
  }
  return kept.sort(
    (a, b) => collate(a.file, b.file) || a.line - b.line || severityRank(a.severity) - severityRank(b.severity) || collate(a.rule, b.rule),
  );
}

/** localeCompare, but not for equal strings: its first call loads ICU's collator (~20 ms of a cold start). */
function collate(a: string, b: string): number {
  return a === b ? 0 : a.localeCompare(b);
}
