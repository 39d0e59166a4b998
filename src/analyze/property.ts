/**
 * The `property:` predicate: a risk stated as a property over the traces of the device-state
 * model (src/state). The model explores the vfio-pci lifecycle once per patch and target; a
 * subject satisfies the predicate when a witness of the property runs through it (it is on the
 * call stack, it produced the premise, or the patch wires it into the event), and the witness
 * becomes the finding's trace.
 */
import picomatch from 'picomatch';
import type { TargetInfo } from '../model.js';
import type { KnowledgeBase } from '../kb/types.js';
import { stateSavedGate } from '../kb/target.js';
import { explore, type Exploration, type LifecycleEvent } from '../state/explore.js';
import type { Code, Violation, World } from '../state/interp.js';
import { sitesOf } from '../state/sites.js';
import { makeWorld } from '../state/world.js';
import { expandSteps, type Scope, type Subject } from './scope.js';
import { msixPathWitness } from './msix-path.js';

export type Attribution = 'stack' | 'enabler' | 'event';

/** The code the model runs: after the patch (what is reviewed) or before it (what it changes). */
type Side = 'pre' | 'post';


import type { PropertyPredicate } from '../rules/world.js';

const ASSUMED_TPH = 'This assumes TPH gets enabled';

const cache = new WeakMap<Scope, Map<string, Exploration | null>>();

/** The exploration of a patch for a target (once per scope and target). */
export function exploration(scope: Scope, target: TargetInfo): Exploration | null {
  let perTarget = cache.get(scope);
  if (!perTarget) cache.set(scope, (perTarget = new Map()));
  const key = `${target.line}|${JSON.stringify(target.fixes)}|${target.steps?.join(',') ?? ''}`;
  if (!perTarget.has(key)) perTarget.set(key, build(scope, target));
  return perTarget.get(key)!;
}

function build(scope: Scope, target: TargetInfo, side: Side = 'post'): Exploration | null {
  const { kb } = scope;
  const effects = kb.effects;
  if (!effects) return null;
  // The lifecycle is vfio-pci's: explore only patches (or series) that touch vfio-pci.
  const roots = picomatch(effects.lifecycle.userRoots ?? 'drivers/vfio/pci/**');
  if (![...scope.byName.values()].some((s) => roots(s.file)) && !scope.patch.files.some((f) => roots(f.path))) return null;
  if (!takesPart(scope, roots)) return { violations: [], states: 0, unknown: [] };
  const world = worldOf(scope, kb, target, side);
  const lc = effects.lifecycle;
  const event = (e: { event: string; call: string; args?: string[]; via?: string; assumes?: string }): LifecycleEvent => {
    const at = effects.functions.get(e.call)?.at[target.line];
    const file = effects.functions.get(e.call)?.file;
    const effect = e.via ? `${e.via} calls ${e.call}()` : `${e.call}() runs`;
    return { event: e.event, call: e.call, args: e.args, file, line: at?.line, effect, ...(e.assumes ? { assumes: e.assumes } : {}) };
  };
  // AER recovery resets the device and restores nothing: worth exploring only when the patch
  // adds or changes what runs in it (an error handler), else it only multiplies the states
  const aerRoles = ['error_detected', 'slot_reset', 'resume', 'mmio_enabled'];
  const inAer = scope.subjects.some((s) => s.change !== 'removed' && scope.roles(s.name).some((r) => aerRoles.includes(r.role)));
  // Events marked `onlyWith` (the PMCSR power-state writes) likewise only when the patch runs in
  // them or adds a call that reaches the functions named there (a power-state change)
  const user = lc.user.filter((u) => (inAer || u.call !== 'pcie_do_recovery') && (!u.onlyWith || touches(scope, u.call, u.onlyWith))).map(event);
  for (const s of side === 'pre' ? [] : userRoots(scope, roots))
    for (const op of userOperations(scope, s)) {
      const fn = scope.byName.get(op);
      const how = op === s.name ? 'its caller is not in this patch' : `one case of ${s.name}()`;
      user.push({
        event: `user: ${op}()`,
        call: op,
        file: fn?.file ?? s.file,
        line: fn?.newLine ?? s.newLine,
        effect: `userspace reaches ${op}()`,
        assumes: `This assumes ${op}() is reachable from userspace (an ioctl or device feature handler; ${how}).`,
      });
    }
  if (world.steps.some((st) => st.id === 'tph') && !tphEnablerVisible(scope)) {
    user.push({
      event: 'assumed: TPH enabled',
      call: 'pcie_enable_tph',
      effect: 'something enables TPH on the device',
      assumes: `${ASSUMED_TPH} while the device is open: nothing in this patch, its series or the tree given enables it (vfio-pci support for TPH is a separate series).`,
    });
  }
  return explore(world, event(lc.open), user, event(lc.close), lc.bound);
}

/** Callback roles the lifecycle's effects run (reset_prepare, reset_done). */
function lifecycleRoles(scope: Scope): Set<string> {
  const out = new Set<string>();
  for (const f of scope.kb.effects!.functions.values()) for (const e of f.effects) if (e.callback) out.add(e.callback);
  return out;
}

/**
 * Does any function of the patch run in the explored lifecycle: a function the model runs (the
 * KB's or one a callback role the lifecycle calls is wired to), a user operation, or a function
 * those call? Otherwise there is nothing to explore for this patch.
 */
function takesPart(scope: Scope, roots: (p: string) => boolean): boolean {
  const effects = scope.kb.effects!;
  const roles = lifecycleRoles(scope);
  const entry = new Set<string>([effects.lifecycle.open.call, effects.lifecycle.close.call, ...effects.lifecycle.user.map((u) => u.call)]);
  for (const s of scope.byName.values()) if (scope.roles(s.name).some((r) => !r.via && roles.has(r.role))) entry.add(s.name);
  for (const s of userRoots(scope, roots)) entry.add(s.name);
  const seen = reachable(scope, entry);
  return scope.subjects.some((s) => s.change !== 'removed' && seen.has(s.name));
}

/** Everything reachable from the entries through the code in scope and the KB's call effects. */
function reachable(scope: Scope, entries: Iterable<string>): Set<string> {
  const effects = scope.kb.effects!;
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length) {
    const fn = queue.pop()!;
    if (seen.has(fn)) continue;
    seen.add(fn);
    for (const c of scope.byName.get(fn)?.calls ?? []) queue.push(c);
    for (const e of effects.functions.get(fn)?.effects ?? []) if (e.call) queue.push(e.call);
  }
  return seen;
}

/**
 * Does a function the patch adds or changes run in the event, or does the patch add a call
 * (not one it only moves) that reaches one of `names`? A function that merely calls them
 * unchanged (close's D0 transition) is not the patch's part in the power state.
 */
function touches(scope: Scope, call: string, names: string[]): boolean {
  const inEvent = reachable(scope, [call]);
  const addsCall = (s: Subject) => s.addedCalls.some((c) => !s.removedCalls.includes(c) && names.some((n) => reachable(scope, [c]).has(n)));
  return scope.subjects.some((s) => s.change !== 'removed' && (inEvent.has(s.name) || addsCall(s)));
}

/**
 * Functions the patch adds to vfio-pci that nothing calls but userspace's dispatchers
 * (lifecycle.userEntries: vfio_pci_core_ioctl(), vfio_pci_core_ioctl_feature()) and nothing
 * wires: user operations.
 */
function userRoots(scope: Scope, roots: (p: string) => boolean): Subject[] {
  const known = scope.kb.effects!;
  const entries = new Set(known.lifecycle.userEntries ?? []);
  const callers = new Map<string, string[]>();
  for (const f of scope.byName.values()) for (const c of f.calls) callers.set(c, [...(callers.get(c) ?? []), f.name]);
  return scope.subjects.filter(
    (s) =>
      s.change === 'added' &&
      roots(s.file) &&
      (callers.get(s.name) ?? []).every((c) => entries.has(c)) &&
      !scope.roles(s.name).length &&
      !known.functions.has(s.name) &&
      !scope.kb.vfioPaths.some((p) => p.function === s.name),
  );
}

/**
 * The operations of a user entry: a handler that switches on its argument (an ioctl's op, a
 * feature's flags) is one operation per `case`, each the functions that case calls; a plain
 * handler is one operation.
 */
function userOperations(scope: Scope, s: Subject): string[] {
  const body = s.body.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, ' ');
  const sw = body.search(/\bswitch\s*\(/);
  if (sw < 0) return [s.name];
  const segments = body.slice(sw).split(/\bcase\b[^:]*:|\bdefault\s*:/).slice(1);
  const ops: string[] = [];
  for (const seg of segments) {
    const callee = [...seg.matchAll(/\b([A-Za-z_]\w*)\s*\(/g)].map((m) => m[1]).find((c) => scope.byName.has(c) && c !== s.name);
    if (callee && !ops.includes(callee)) ops.push(callee);
  }
  return ops.length > 1 ? ops : [s.name];
}

function tphEnablerVisible(scope: Scope): boolean {
  const enables = { test: (callee: string) => scope.kbRoles(callee).includes('tph-enable'), onlyNew: false };
  return [...scope.byName.values()].some((s) => scope.reaches(s, enables).length > 0);
}

function worldOf(scope: Scope, kb: KnowledgeBase, target: TargetInfo, side: Side = 'post'): World {
  const line = kb.line(target.line);
  const codeCache = new Map<string, Code | undefined>();
  const callbackCache = new Map<string, string[]>();
  // before the patch: the functions it adds do not exist, the roles it wires are not wired
  const exists = (s: Subject) => side === 'post' || s.origin !== 'patch' || s.change !== 'added';
  const code = (name: string) => {
    const s = scope.byName.get(name);
    if (!codeCache.has(name)) codeCache.set(name, !s || !exists(s) ? undefined : side === 'pre' && s.origin === 'patch' ? preCodeOf(s) : codeOf(s));
    return codeCache.get(name);
  };
  const wired = (s: Subject, role: string) => scope.roles(s.name).some((r) => !r.via && r.role === role && (side === 'post' || !r.added));
  const callbacks = (role: string) => {
    if (!callbackCache.has(role))
      callbackCache.set(role, [...scope.byName.values()].filter((s) => exists(s) && wired(s, role)).map((s) => s.name));
    return callbackCache.get(role)!;
  };
  return makeWorld(kb, target, expandSteps(kb, target), stateSavedGate(kb, target) ?? line?.stateSavedGate ?? false, code, callbacks);
}

/** The code of a function in scope: the whole body when known, else the diff lines of the patch. */
function codeOf(s: Subject | undefined): Code | undefined {
  if (!s) return undefined;
  const whole = s.origin === 'tree' || s.fc?.complete === true;
  if (whole && s.body && s.newLine !== undefined) {
    const lines = s.body.split('\n').map((text, i) => ({ line: s.newLine! + i, text }));
    const code: Code = { sites: sitesOf(lines, s.name), file: s.file, origin: s.origin, complete: true };
    // what the patch adds, for a function whose KB sequence is kept (conditional effects)
    if (s.origin !== 'tree' && s.added.length) return { ...code, added: new Set(s.added.map((a) => a.line)), removedCalls: new Set(s.removedCalls) };
    return code;
  }
  const lines = s.diffLines.length ? s.diffLines : s.added;
  if (!lines.length) return undefined;
  return { sites: sitesOf(lines, s.name), file: s.file, origin: s.origin, complete: false, added: new Set(s.added.map((a) => a.line)), removedCalls: new Set(s.removedCalls) };
}

/**
 * The witness a `property:` key sees for a subject. A changed MSI-X MMIO writer is read on its
 * own, before and after the patch (src/analyze/msix-path.ts): what it says is the answer for
 * that function, so a violation the lifecycle finds on its stack but the patch did not change
 * is not reported on it. Everything else asks the lifecycle exploration.
 */
export function propertyWitness(p: PropertyPredicate, s: Subject, scope: Scope, target: TargetInfo): { trace: Violation['trace']; conditions: string[] } | undefined {
  if (p.id === 'msix-memory-off' && scope.kbRoles(s.name).includes('msix-mmio-writer') && s.change !== 'unchanged') {
    const via = p.via ?? ['stack', 'enabler', 'event'];
    return via.includes('stack') ? msixPathWitness(scope.kb, s) : undefined;
  }
  const v = witnessFor(p, s, scope, target);
  return v ? { trace: v.trace, conditions: v.conditions } : undefined;
}

/**
 * The code of a function the patch changes as it was before: its context and removed lines
 * (the whole function when the diff shows all of it), with nothing added to the KB's sequence.
 */
function preCodeOf(s: Subject): Code | undefined {
  const complete = s.fc?.complete === true && !!s.body && s.newLine !== undefined;
  const post = complete ? s.body.split('\n').map((text, i) => ({ line: s.newLine! + i, text })) : s.diffLines;
  const lines = preLines(s, post);
  if (!lines.length) return undefined;
  return { sites: sitesOf(lines, s.name), file: s.file, origin: s.origin, complete, added: new Set(), removedCalls: new Set() };
}

/** The post-patch lines without the added ones, with the removed ones back where they left. */
function preLines(s: Subject, post: { line: number; text: string }[]): { line: number; text: string }[] {
  const added = new Set(s.added.map((a) => a.line));
  const out: { line: number; text: string }[] = [];
  const removed = [...s.removed];
  for (const l of post) {
    while (removed.length && removed[0].line <= l.line) out.push(removed.shift()!);
    if (!added.has(l.line)) out.push(l);
  }
  return [...out, ...removed];
}

/** Is this violation one the code before the patch has too (same property, step, event and snapshot)? */
function preExisting(v: Violation, scope: Scope, target: TargetInfo): boolean {
  const pre = preExploration(scope, target);
  if (!pre) return false;
  // the step that shows it, and how many times the same step came before it in its event
  // (a second MSI-X write a patch adds after the core's own is not the core's)
  const at = (x: Violation) => {
    const last = x.full[x.at - 1];
    const again = x.full.slice(x.eventStart, x.at - 1).filter((t) => t.function === last?.function && t.effect === last.effect).length;
    return `${x.property}|${last?.event}|${last?.function}|${last?.effect}|${x.snapshot}|${again}`;
  };
  const key = at(v);
  return pre.violations.some((w) => at(w) === key);
}

const preCache = new WeakMap<Scope, Map<string, Exploration | null>>();

function preExploration(scope: Scope, target: TargetInfo): Exploration | null {
  let perTarget = preCache.get(scope);
  if (!perTarget) preCache.set(scope, (perTarget = new Map()));
  const key = `${target.line}|${JSON.stringify(target.fixes)}|${target.steps?.join(',') ?? ''}`;
  if (!perTarget.has(key)) perTarget.set(key, build(scope, target, 'pre'));
  return perTarget.get(key)!;
}

/** The shortest witness of a property that runs through this subject, if any. */
export function witnessFor(p: PropertyPredicate, s: Subject, scope: Scope, target: TargetInfo): Violation | undefined {
  const ex = exploration(scope, target);
  if (!ex) return undefined;
  const via = p.via ?? ['stack', 'enabler', 'event'];
  const isNew = s.change === 'added' || scope.newRoles(s.name).length > 0;
  const assumed = (v: Violation) => v.conditions.some((c) => c.startsWith(ASSUMED_TPH));
  // what the subject only touches (on the stack, or producing the premise) is the patch's only
  // when the code before the patch does not have the same violation
  const patchs = (v: Violation) => isNew || !(v.stack.includes(s.name) || v.enablers.includes(s.name)) || !preExisting(v, scope, target);
  const v = ex.violations.find(
    (v) =>
      v.property === p.id &&
      patchs(v) &&
      (!p.seen || !assumed(v)) &&
      // on an assumed premise only what the patch adds is in question, not code it only touches
      (!assumed(v) || isNew) &&
      ((via.includes('stack') && v.stack.includes(s.name)) ||
        (via.includes('enabler') && v.enablers.includes(s.name)) ||
        (via.includes('event') && isNew && v.eventFunctions.includes(s.name))),
  );
  if (!v || v.stack.includes(s.name) || v.enablers.includes(s.name)) return v;
  // Taking part in the event after the risk: the witness goes on to where the event reaches it.
  let last = -1;
  v.rest.forEach((t, i) => {
    if (t.function === s.name) last = i;
  });
  if (last < 0) return v;
  // ... through what its own restore writes first: the Command register from the snapshot
  let end = last + 1;
  for (let i = last + 1; i < v.rest.length && i <= last + 8; i++)
    if (/^Command written back/.test(v.rest[i].effect)) {
      end = i;
      break;
    }
  const tail = v.rest.slice(0, end + 1);
  const chain = /^(calls |writes back|returns|loads |Command written back|PCI_COMMAND)/;
  return { ...v, trace: [...v.trace, ...tail.filter((t) => chain.test(t.effect))] };
}
