/**
 * The `unknown-step` property: the walk of src/state/steps.ts over the post-patch
 * pci_save_state(), pci_restore_state() and the step bodies in scope (the patch, its series,
 * the --tree), against the target line's step lists; a subject satisfies it when an event of
 * the walk is on one of its lines. Once per scope and target.
 */
import type { TargetInfo } from '../model.js';
import type { PropertyPredicate, Witness } from '../rules/world.js';
import { stateSavedGate, targetStepIds } from '../kb/target.js';
import { walkSteps, type StepWalkWorld, type UnknownStep, type WalkCode } from '../state/steps.js';
import { joinList } from './render.js';
import type { Scope, Subject } from './scope.js';

const cache = new WeakMap<Scope, Map<string, UnknownStep[]>>();

function events(scope: Scope, target: TargetInfo): UnknownStep[] {
  let perTarget = cache.get(scope);
  if (!perTarget) cache.set(scope, (perTarget = new Map()));
  const key = `${target.line}|${JSON.stringify(target.fixes)}|${target.steps?.join(',') ?? ''}`;
  if (!perTarget.has(key)) perTarget.set(key, walkSteps(worldOf(scope, target)));
  return perTarget.get(key)!;
}

function worldOf(scope: Scope, target: TargetInfo): StepWalkWorld {
  const { kb } = scope;
  const line = kb.line(target.line);
  const inert = kb.effects?.inert ?? new Set<string>();
  return {
    line: target.line,
    steps: kb.steps,
    restore: targetStepIds(kb, target),
    save: line?.save ?? [],
    nested: line?.nested ?? {},
    gate: stateSavedGate(kb, target) ?? line?.stateSavedGate ?? false,
    known: (name) => scope.isKnownCall(name) || inert.has(name),
    knownChange: (fn) => {
      const s = scope.byName.get(fn);
      if (!s) return undefined;
      // a known fix of this function whose code the patch adds (the MSI-X decoding fix)
      const fix = kb.fixes.find(
        (f) =>
          f.recognise.function === fn &&
          (f.recognise.patterns ?? []).length > 0 &&
          (f.recognise.patterns ?? []).every((p) => new RegExp(p).test(s.body)) &&
          s.added.some((a) => (f.recognise.patterns ?? []).some((p) => new RegExp(p).test(a.text))),
      );
      return fix?.id;
    },
    code: (name) => codeOf(scope, definitionOf(scope, name)),
  };
}

/**
 * The definition of a function in scope: a header's `static inline ... { }` stub (the
 * !CONFIG_ variant a patch adds beside the real one) is not the code that runs.
 */
export function definitionOf(scope: Scope, name: string): Subject | undefined {
  const first = scope.byName.get(name);
  const stub = (s: Subject) => /\{\s*\}\s*$/.test(s.body.trim()) && !/;/.test(s.body.slice(s.body.indexOf('{')));
  if (!first || !stub(first)) return first;
  return scope.subjects.find((s) => s.name === name && s.change !== 'removed' && !stub(s)) ?? first;
}

function codeOf(scope: Scope, s: Subject | undefined): WalkCode | undefined {
  if (!s) return undefined;
  const whole = (s.origin === 'tree' || s.fc?.complete === true) && s.body && s.newLine !== undefined;
  // a fragment that starts at the definition and is one piece reads as its text, numbered from there
  const onePiece = !whole && s.newLine !== undefined && s.body && !s.body.includes('\n…\n') && s.body.startsWith(s.diffLines.find((l) => l.line === s.newLine)?.text ?? '\0');
  const numbered = whole || onePiece ? s.body.split('\n').map((text, i) => ({ line: s.newLine! + i, text })) : undefined;
  const lines = numbered ?? (s.diffLines.length ? s.diffLines : s.added);
  if (!lines.length) return undefined;
  // the lines the patch stage put in this function (a hunk git names after an earlier function holds others)
  const own = new Set(s.fc?.addedLines ?? s.added.map((a) => a.line));
  return {
    file: s.file,
    lines,
    added: new Set(s.origin === 'tree' ? [] : s.added.map((a) => a.line).filter((l) => own.has(l))),
    removedCalls: new Set(s.removedCalls),
    removed: removedLines(scope, s),
    complete: Boolean(whole),
    start: s.newLine,
  };
}

/**
 * The removed lines of a function, with the new-side line each sits before. A fragment that
 * ends before the function does (no end line on either side) runs to the end of its hunk, so
 * the '-' lines after its first one are its own too (the removed state_saved gate of
 * pci_restore_state() in corpus patch 02).
 */
function removedLines(scope: Scope, s: Subject): { line: number; text: string }[] {
  const fc = s.fc;
  if (!fc || fc.oldLine === undefined || fc.oldEndLine !== undefined || fc.complete) return s.removed;
  const hunk = scope.patch.files.find((f) => f.path === s.file)?.hunks.find((h) => h.lines.some((l) => l.oldLine === fc.oldLine));
  if (!hunk) return s.removed;
  const out = [...s.removed];
  let pending: string[] = [];
  let started = false;
  for (const l of hunk.lines) {
    started ||= l.oldLine === fc.oldLine;
    if (!started) continue;
    if (l.kind === '-') pending.push(l.text);
    else if (l.newLine !== undefined) {
      for (const text of pending) if (!out.some((o) => o.text === text)) out.push({ line: l.newLine, text });
      pending = [];
    }
  }
  return out;
}

/** The events of the walk on this subject's lines, as one witness. */
export function unknownStepWitness(p: PropertyPredicate, s: Subject, scope: Scope, target: TargetInfo): Witness | undefined {
  if (s.origin !== 'patch') return undefined;
  const mine = events(scope, target).filter((e) => e.function === s.name && e.file === s.file && (!p.kind || p.kind.includes(e.kind)));
  if (!mine.length) return undefined;
  // one witness: the steps of every event in order, each step once
  const trace = [...new Set(mine.flatMap((e) => e.trace))];
  const gates = [...new Set(mine.map((e) => e.gate).filter((g): g is string => !!g))];
  const later = [...new Set(mine.map((e) => e.later).filter((l): l is string => !!l))];
  return {
    trace,
    conditions: [...new Set(mine.map((e) => e.cannot))].slice(0, 2),
    bindings: {
      unknown: joinList([...new Set(mine.map((e) => `${e.what} (line ${e.line})`))]),
      expected: mine[0].expected,
      gate: gates.length ? joinList(gates) : 'no branch',
      later: later.length ? later.join('; ') : 'nothing this walk can tell',
    },
    line: mine[0].line,
    // the calls it is about, and the step whose body it is in (for `steps: fromCalls`)
    calls: [...new Set([...mine.map((e) => e.callee).filter((c): c is string => !!c), ...(scope.isKnownStep(s.name, 'restore') ? [s.name] : [])])],
  };
}
