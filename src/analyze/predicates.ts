/**
 * The trigger vocabulary of rules/<area>/<name>.yaml, evaluated over one function (a Subject).
 * Keys of one predicate object must all hold; `all`, `any`, `not`, `ref` compose them.
 *
 *   file, name, change            where the function is and what the patch did to it
 *   role, newRole                 callback roles (struct initialisers; inherited from callers)
 *   kbRole                        the function's own roles in the knowledge base (msix-mmio-writer, ...)
 *   calls, addsCall, removesCall, movesCall   direct calls (post-patch body, '+' lines, '-' lines)
 *   reaches                       calls reachable through helpers (patch, series, --tree graph)
 *   identifier, removedIdentifier identifiers on '+' / '-' lines (state_saved, PCI_COMMAND_MEMORY)
 *   code, body, before            regexes over '+' lines, the post-patch body, body before a call
 *   kbPath                        a vfio-pci path the knowledge base knows (close-restore, ...)
 *   target                        facts of the target kernel: step present, fix, state_saved gate
 *   elsewhere                     another function in scope satisfies a predicate
 */
import type { RestoreStep } from '../kb/types.js';
import type { TargetInfo } from '../model.js';
import type { Predicate, StepSelector } from '../kb/rules.js';
import { matchNames, type Reach, type Scope, type Subject } from './scope.js';
import picomatch from 'picomatch';
import { stateSavedGate } from '../kb/target.js';

/** What a successful evaluation saw, for anchors, steps and message placeholders. */
export interface Evidence {
  reaches: Reach[];
  calls: string[];
  identifiers: string[];
  codeLines: number[];
  roles: string[];
}

export function emptyEvidence(): Evidence {
  return { reaches: [], calls: [], identifiers: [], codeLines: [], roles: [] };
}

export interface EvalEnv {
  scope: Scope;
  target: TargetInfo;
  shared: Record<string, Predicate>;
  steps: RestoreStep[];
}

const globCache = new Map<string, (p: string) => boolean>();
function glob(pattern: string): (p: string) => boolean {
  let m = globCache.get(pattern);
  if (!m) {
    m = literalGlob(pattern) ?? picomatch(pattern, { dot: true });
    globCache.set(pattern, m);
  }
  return m;
}

/**
 * The rules' usual patterns, a path or `dir/**`, matched without compiling a regex (picomatch's
 * first compile is a visible part of a cold review); the same answers as picomatch's.
 */
function literalGlob(pattern: string): ((p: string) => boolean) | undefined {
  const special = /[*?[\]{}()!+@\\]/;
  if (!special.test(pattern)) return (p) => p === pattern;
  const dir = pattern.endsWith('/**') ? pattern.slice(0, -3) : undefined;
  if (dir && !special.test(dir)) return (p) => p === dir || p.startsWith(dir + '/');
  return undefined;
}

const reCache = new Map<string, RegExp>();
export function regex(src: string): RegExp {
  let r = reCache.get(src);
  if (!r) {
    const m = /^\/(.*)\/([a-z]*)$/s.exec(src);
    r = m ? new RegExp(m[1], m[2].replace('g', '')) : new RegExp(src);
    reCache.set(src, r);
  }
  return r;
}

/** Restore steps of the target line that a selector picks. */
export function selectSteps(steps: RestoreStep[], sel: StepSelector, calls: string[] = []): RestoreStep[] {
  return steps.filter((st) => {
    if (sel.id !== undefined && !matchNames(sel.id, st.id)) return false;
    if (sel.function !== undefined && !matchNames(sel.function, st.function)) return false;
    if (sel.source !== undefined && !sel.source.includes(st.source)) return false;
    if (sel.mmio !== undefined && Boolean(st.mmio) !== sel.mmio) return false;
    if (sel.liveGate !== undefined && st.liveGate !== sel.liveGate) return false;
    if (sel.fromCalls && !calls.includes(st.function) && !(st.saveFunction && calls.includes(st.saveFunction))) return false;
    return true;
  });
}

const names = (list: string[]) => [...new Set(list)];

/** Evaluate a predicate; on success, what it saw is added to `ev`. */
export function evaluate(p: Predicate, s: Subject, env: EvalEnv, ev: Evidence): boolean {
  const local = emptyEvidence();
  const ok = evalInto(p, s, env, local);
  if (ok) merge(ev, local);
  return ok;
}

function merge(into: Evidence, from: Evidence) {
  into.reaches.push(...from.reaches);
  into.calls.push(...from.calls);
  into.identifiers.push(...from.identifiers);
  into.codeLines.push(...from.codeLines);
  into.roles.push(...from.roles);
}

function evalInto(p: Predicate, s: Subject, env: EvalEnv, ev: Evidence): boolean {
  const { scope } = env;
  if (p.all && !p.all.every((q) => evaluate(q, s, env, ev))) return false;
  if (p.any) {
    let any = false;
    for (const q of p.any) if (evaluate(q, s, env, ev)) any = true;
    if (!any) return false;
  }
  if (p.not && evaluate(p.not, s, env, emptyEvidence())) return false;
  if (p.ref !== undefined) {
    const q = env.shared[p.ref];
    if (!q) throw new Error(`unknown predicate ref '${p.ref}'`);
    if (!evaluate(q, s, env, ev)) return false;
  }
  if (p.file !== undefined) {
    const list = Array.isArray(p.file) ? p.file : [p.file];
    if (!list.some((g) => glob(g)(s.file))) return false;
  }
  if (p.name !== undefined && !matchNames(p.name, s.name)) return false;
  if (p.change !== undefined && !(p.change as string[]).includes(s.change)) return false;
  if (p.role !== undefined) {
    const hit = scope.roles(s.name).filter((r) => matchNames(p.role, r.role));
    if (!hit.length) return false;
    ev.roles.push(...hit.map((r) => r.role));
  }
  if (p.newRole !== undefined) {
    const hit = scope.newRoles(s.name).filter((r) => matchNames(p.newRole, r));
    if (!hit.length) return false;
    ev.roles.push(...hit);
  }
  if (p.kbRole !== undefined) {
    const roles: string[] = scope.kb.functions.get(s.name)?.roles ?? [];
    if (!roles.some((r) => matchNames(p.kbRole, r))) return false;
  }
  const callList = (list: string[], m: NonNullable<Predicate['calls']>) => names(list).filter((c) => scope.matchCall(m, c));
  if (p.calls) {
    const hit = callList(s.calls, p.calls);
    if (!hit.length) return false;
    ev.calls.push(...hit);
  }
  if (p.addsCall) {
    const hit = callList(s.addedCalls, p.addsCall);
    if (!hit.length) return false;
    ev.calls.push(...hit);
  }
  if (p.removesCall) {
    // removed and not added back (a call on a changed line is not a removal)
    const hit = callList(s.removedCalls, p.removesCall).filter((c) => !s.addedCalls.includes(c));
    if (!hit.length) return false;
    ev.calls.push(...hit);
  }
  if (p.movesCall) {
    // A matching call removed and added again whose order among the matching calls changed.
    const removed = new Set(s.removedCalls);
    const moved = callList(s.addedCalls, p.movesCall).filter((c) => removed.has(c));
    const order = (seq: string[]) => names(seq.filter((c) => scope.matchCall(p.movesCall!, c)));
    const before = order(s.oldSeq);
    const after = order(s.newSeq);
    const common = before.filter((c) => after.includes(c));
    const changed = common.join('\0') !== after.filter((c) => common.includes(c)).join('\0');
    const hit = moved.filter(() => changed);
    if (!hit.length) return false;
    ev.calls.push(...hit);
  }
  if (p.reaches) {
    const hit = scope.reaches(s, p.reaches);
    if (!hit.length) return false;
    ev.reaches.push(...hit);
  }
  if (p.identifier !== undefined) {
    const hit = s.addedIdentifiers.filter((i) => matchNames(p.identifier, i));
    if (!hit.length) return false;
    ev.identifiers.push(...hit);
  }
  if (p.removedIdentifier !== undefined) {
    const hit = s.removedIdentifiers.filter((i) => matchNames(p.removedIdentifier, i));
    if (!hit.length) return false;
    ev.identifiers.push(...hit);
  }
  if (p.code !== undefined) {
    const re = regex(p.code);
    const hit = s.added.filter((l) => re.test(l.text));
    if (!hit.length) return false;
    ev.codeLines.push(...hit.map((l) => l.line));
  }
  if (p.body !== undefined && !regex(p.body).test(s.body)) return false;
  if (p.before) {
    const re = regex(p.before.pattern);
    const lines = s.body.split('\n');
    let callIdx = -1;
    let callCol = 0;
    for (let i = 0; i < lines.length && callIdx < 0; i++)
      for (const m of lines[i].matchAll(/\b([A-Za-z_]\w*)\s*\(/g))
        if (m[1] !== s.name && scope.leadsTo(m[1], p.before.call)) {
          callIdx = i;
          callCol = m.index ?? 0;
          break;
        }
    if (callIdx < 0) return false;
    const seen = [...lines.slice(0, callIdx), lines[callIdx].slice(0, callCol)];
    if (!seen.some((l) => re.test(l))) return false;
  }
  if (p.kbPath) {
    const kp = p.kbPath;
    const hit = scope.kb.vfioPaths.some(
      (vp) =>
        vp.function === s.name &&
        (kp.restoresOpenSnapshot === undefined || vp.restoresOpenSnapshot === kp.restoresOpenSnapshot) &&
        (kp.id === undefined || matchNames(kp.id, vp.id)),
    );
    if (!hit) return false;
  }
  if (p.target) {
    const t = p.target;
    if (t.step && !selectSteps(env.steps, t.step).length) return false;
    if (t.fix !== undefined && env.target.fixes[t.fix] !== true) return false;
    if (t.fixMissing !== undefined && env.target.fixes[t.fixMissing] !== false) return false;
    if (t.fixUnknown !== undefined && env.target.fixes[t.fixUnknown] !== undefined) return false;
    if (t.stateSavedGate !== undefined && stateSavedGate(scope.kb, env.target) !== t.stateSavedGate) return false;
    if (t.line !== undefined && !matchNames(t.line, env.target.line)) return false;
  }
  if (p.elsewhere) {
    const others = [...new Set([...scope.subjects, ...scope.byName.values()])].filter((o) => o !== s && o.name !== s.name);
    if (!others.some((o) => evaluate(p.elsewhere!, o, env, emptyEvidence()))) return false;
  }
  return true;
}
