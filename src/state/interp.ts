/**
 * The interpreter: runs one lifecycle event over the device state, function by function, each
 * call's effects in body order. A function's effects come from the knowledge base
 * (rules/kb/effects.yaml) or from its code (the patch, its series, the --tree); a call it
 * cannot see into is recorded as unknown, never taken as safe.
 */
import type { TraceStep } from '../model.js';
import type { Effect, EffectsKb, FunctionEffects } from '../kb/effects.js';
import type { RestoreStep } from '../kb/types.js';
import { isOn, withCore, withHw, withLive, withStored, type DeviceState, type Snapshot, type Value, type AbsValue } from './model.js';
import { snapshotName, type Site } from './sites.js';

/** Code the interpreter can read: a function's sites, where it is, and whether it is all there. */
export interface Code {
  sites: Site[];
  file: string;
  /** 'patch' / 'series' / 'tree'; a fragment is merged with the KB's sequence when there is one. */
  origin: string;
  complete: boolean;
  /** For a fragment: the lines the patch adds (its other lines are context). */
  added?: Set<number>;
  /** For a fragment: callees on the lines the patch removes (an added call to one rewrites it). */
  removedCalls?: Set<string>;
}

/** What the interpreter needs to know about the world of one review. */
export interface World {
  effects: EffectsKb;
  /** Kernel line id of the target ("6.12", "6.19+"). */
  line: string;
  /** Restore steps of the target in call order (nested steps after their parent). */
  steps: RestoreStep[];
  /** Save step ids of the target (pci_save_state()'s buffers). */
  saveSteps: Set<string>;
  /** pci_restore_state() returns early when !state_saved. */
  gate: boolean;
  fixes: Record<string, boolean | undefined>;
  code(name: string): Code | undefined;
  /** Driver functions bound to an err_handler role. */
  callbacks(role: string): string[];
  /** Function name of the target's MSI-X restore step (for the mmio effect). */
  msixWriters(): string;
  /** Live flags of the modelled device before open (lifecycle.device: needs_pm_restore). */
  device?: Readonly<Record<string, AbsValue>>;
}

export type PropertyId = 'msix-memory-off' | 'tph-zeroed' | 'stale-user-state' | 'gated-noop';

export interface Violation {
  property: PropertyId;
  /** The witness: the trace up to the step that shows it, without steps that bear on nothing. */
  readonly trace: TraceStep[];
  /** Every step up to it. */
  readonly full: TraceStep[];
  /** Its length (the index after the step that shows it). */
  at: number;
  /** The rest of its event (call chain and effects), filled when the event ends. */
  rest: TraceStep[];
  /** Functions running when it happened (outermost first). */
  stack: string[];
  /** Functions that produced the premise (enabled TPH, enabled MSI-X, cleared Memory). */
  enablers: string[];
  /** Every function the event ran (filled when the event ends). */
  eventFunctions: string[];
  /** The fix the target carries that prevents it (true), lacks (false), or unknown. */
  fix?: boolean;
  /** The snapshot whose values were written back. */
  snapshot: string;
  conditions: string[];
  /** Number of lifecycle events in the trace (the witness length). */
  events: number;
  /** Index in `full` of its event's first step. */
  eventStart: number;
}

/** One event being run: the state, the trace so far, and what it saw. */
export class Run {
  stack: string[] = [];
  readonly violations: Violation[] = [];
  readonly unknown = new Set<string>();
  readonly ran = new Set<string>();
  conditions: string[] = [];
  constructor(
    readonly world: World,
    public state: DeviceState,
    trace: TraceStep[],
    readonly event: string,
    readonly events: number,
  ) {
    this.trace = trace.slice();
    this.eventStart = trace.length;
  }
  trace: TraceStep[];
  /** Index of this event's first step. */
  readonly eventStart: number;

  step(fn: string, file: string | undefined, line: number | undefined, effect: string): number {
    // built field by field (in the order the reports print), not with spreads: the hot path
    const st: TraceStep = { event: this.event, function: fn } as TraceStep;
    if (file) st.file = file;
    if (line) st.line = line;
    st.effect = effect;
    return this.trace.push(st) - 1;
  }

  /** Record a violation at the current step; `refs` are the steps that produced its premises. */
  violate(v: Omit<Violation, 'trace' | 'stack' | 'eventFunctions' | 'conditions' | 'events' | 'eventStart' | 'full' | 'rest' | 'at'>, refs: number[]): void {
    // the trace array only grows during the event: keep it and the length, prune on demand
    const all = this.trace;
    const at = all.length;
    const eventStart = this.eventStart;
    let full: TraceStep[] | undefined;
    let trace: TraceStep[] | undefined;
    this.violations.push({
      ...v,
      at,
      get full() {
        return (full ??= all.slice(0, at));
      },
      get trace() {
        return (trace ??= prune(this.full, refs, eventStart));
      },
      rest: [],
      stack: [...this.stack],
      eventFunctions: [],
      conditions: [...this.conditions],
      events: this.events,
      eventStart,
    });
  }
}

const MAX_DEPTH = 10;

/**
 * The witness a person reads: every event's first step, the steps that produced a premise
 * (`refs`: the save that took the snapshot, the load, the write that cleared a bit, the enable),
 * and in the event where it happens, the call chain down to it.
 */
export function prune(trace: TraceStep[], refs: number[], eventStart: number): TraceStep[] {
  const keep = new Set<number>([trace.length - 1, ...refs.filter((r) => r >= 0)]);
  // the calls that led to each premise (the patch line that enabled TPH, cleared Memory...)
  for (const r of [...keep])
    for (let i = r - 1; i >= 0 && trace[i].event === trace[r].event && trace[i].effect.startsWith('calls '); i--) keep.add(i);
  // in the event where it happens: the call chain, what it loads and writes back, and a reset
  // in between (the D3hot -> D0 reset that makes vfio-pci write pm_save back)
  const chain = /^(calls |writes back|Command written back|returns|loads |saves |hardware reset)/;
  for (let i = eventStart; i < trace.length; i++) if (chain.test(trace[i].effect)) keep.add(i);
  const events = new Set([...keep].map((i) => trace[i]?.event));
  for (let i = 0; i < trace.length; i++) if (i === 0 || trace[i].event !== trace[i - 1].event) if (events.has(trace[i].event) || i >= eventStart) keep.add(i);
  // every event of the sequence shows at least its first step
  for (let i = 0; i < trace.length; i++) if (i === 0 || trace[i].event !== trace[i - 1].event) keep.add(i);
  return trace.filter((_, i) => keep.has(i));
}

/** Arguments and result binding of one call. */
interface Frame {
  args: string[];
  lhs?: string;
  /** Where the call is (the caller's code), for the trace. */
  file?: string;
  line?: number;
}

/** Run a function by name. */
export function callFunction(run: Run, name: string, frame: Frame): void {
  const { world } = run;
  if (run.stack.length >= MAX_DEPTH || run.stack.includes(name)) return;
  run.ran.add(name);
  const kb = world.effects.functions.get(name);
  // an inert call stays inert even when the tree shows its code (pm_runtime, the dev_set's reset)
  const code = world.effects.inert.has(name) ? undefined : world.code(name);
  run.stack.push(name);
  try {
    if (code && useCode(code, kb)) {
      if (!code.complete) run.unknown.add(`${name}() (only part of it is in the patch)`);
      runSites(run, name, code.sites, code.file);
    } else if (kb) {
      // a function the patch changes (a fragment, or a whole one whose effects are conditional)
      // adds its new calls to the KB's sequence
      runEffects(run, kb, frame, code && code.origin !== 'tree' && code.added ? code : undefined);
    } else if (!world.effects.inert.has(name)) {
      run.unknown.add(`${name}()`);
    }
  } finally {
    run.stack.pop();
  }
}

const SEMANTIC: (keyof Effect)[] = ['save', 'store', 'load', 'free', 'restore', 'reset', 'mmio', 'configWrite', 'set', 'callback'];

/**
 * Whose effects run, the code's or the KB's. The core's functions (drivers/pci) always keep the
 * KB's model (their effects are the knowledge base). A function the patch changes runs its own
 * code when the whole of it is known (else the KB's sequence with the patch's added calls). An
 * unchanged function of the tree runs the tree's code, unless the KB models it beyond a call
 * sequence (a save, a restore, a value set, a call whose effect depends on its arguments).
 */
function useCode(code: Code, kb: FunctionEffects | undefined): boolean {
  if (!kb) return true;
  if (kb.file.startsWith('drivers/pci/')) return false;
  if (!code.complete) return false;
  // conditional effects (vfio_pci_set_power_state()'s needs_save / needs_restore) that the light
  // reader would run unconditionally: the KB's sequence, with what the patch adds
  if (kb.effects.some(followsArgs)) return false;
  if (code.origin !== 'tree') return true;
  return !(kb.effects.length === 0 || kb.effects.some((e) => SEMANTIC.some((k) => e[k] !== undefined)));
}

/**
 * An effect that depends on the values of the arguments (a switch on them, or passing one on):
 * the light reader of a tree's code cannot follow `state` from `val`, the KB's sequence can.
 */
function followsArgs(e: Effect): boolean {
  return e.argPattern !== undefined || e.entryLive !== undefined || (e.args ?? []).some((a) => ARG_REF.test(a));
}

const ARG_REF = /^arg[1-9]$/;

/** A call's argument texts: `argN` in the KB's `args` passes on the caller's Nth argument. */
function callArgs(e: Effect, frame: Frame): string[] {
  if (!e.args) return frame.args;
  return e.args.map((a) => (ARG_REF.test(a) ? (argOf(frame, a) ?? a) : a));
}

/** The line of an effect in the target's tree, if the KB has it for this line. */
function effectLine(e: Effect, line: string): number | undefined {
  return e.lines?.[line];
}

function argOf(frame: Frame, ref: string | undefined): string | undefined {
  if (!ref) return undefined;
  if (ref === 'result') return frame.lhs;
  const m = /^arg([1-9])$/.exec(ref);
  return m ? frame.args[Number(m[1]) - 1] : undefined;
}

/**
 * Run the KB's effects of a function. When the patch changes the function and shows only a
 * fragment, the calls it adds are run after the KB call they follow in the fragment.
 */
function runEffects(run: Run, fx: FunctionEffects, frame: Frame, fragment?: Code): void {
  // what the function read on entry (vfio_pci_set_power_state()'s needs_save / needs_restore)
  const entry = run.state.live;
  const added = fragment ? fragmentInsertsOf(fx, fragment) : NO_INSERTS;
  for (const s of added.get(-1) ?? []) runSite(run, fx.name, s, fragment!.file);
  fx.effects.forEach((e, i) => {
    if (applies(run, e, frame, entry)) runEffect(run, fx, e, frame);
    for (const s of added.get(i) ?? []) runSite(run, fx.name, s, fragment!.file);
  });
}

const NO_INSERTS: ReadonlyMap<number, Site[]> = new Map();
// A fragment and the KB's sequence are fixed for a review: their merge is computed once, not
// at every call of the function in every event of the exploration.
const insertsCache = new WeakMap<Code, WeakMap<FunctionEffects, Map<number, Site[]>>>();

function fragmentInsertsOf(fx: FunctionEffects, fragment: Code): ReadonlyMap<number, Site[]> {
  let byFx = insertsCache.get(fragment);
  if (!byFx) insertsCache.set(fragment, (byFx = new WeakMap()));
  let out = byFx.get(fx);
  if (!out) byFx.set(fx, (out = fragmentInserts(fx, fragment)));
  return out;
}

/** Calls of a fragment that the KB sequence does not have, keyed by the KB effect they follow. */
function fragmentInserts(fx: FunctionEffects, fragment: Code): Map<number, Site[]> {
  const out = new Map<number, Site[]>();
  let after = -1;
  let pending: Site[] = [];
  const flush = (key: number) => {
    if (pending.length) out.set(key, [...(out.get(key) ?? []), ...pending]);
    pending = [];
  };
  for (const s of fragment.sites) {
    if (s.kind !== 'call') continue;
    // A call the KB sequence has (on a context line, or on a line the patch rewrote) anchors
    // the added calls: those before it run just before it, later ones after it.
    const isAdded = fragment.added?.has(s.line) ?? true;
    const at = isAdded && !fragment.removedCalls?.has(s.callee) ? -1 : fx.effects.findIndex((e, i) => i > after && (e.call === s.callee || e.function === s.callee));
    if (at >= 0) {
      flush(at - 1);
      after = at;
      continue;
    }
    if (isAdded) pending.push(s);
  }
  flush(after);
  return out;
}

function applies(run: Run, e: Effect, frame: Frame, entry = run.state.live): boolean {
  const { world } = run;
  if (e.onLines && !e.onLines.includes(world.line)) return false;
  for (const [flag, want] of Object.entries(e.entryLive ?? {})) if (isOn(entry[flag]) !== (want === 'on' || want === 'user-set')) return false;
  if (e.fix && world.fixes[e.fix] !== true) return false;
  if (e.noFix && world.fixes[e.noFix] === true) return false;
  if (e.argPattern) for (const [ref, pattern] of Object.entries(e.argPattern)) if (!argRegExp(pattern).test(argOf(frame, ref) ?? '')) return false;
  return true;
}

/** argPattern's patterns, compiled once (no flags: test() keeps no state). */
const argRegExps = new Map<string, RegExp>();
function argRegExp(pattern: string): RegExp {
  let re = argRegExps.get(pattern);
  if (!re) argRegExps.set(pattern, (re = new RegExp(pattern)));
  return re;
}

function runSites(run: Run, fn: string, sites: Site[], file: string): void {
  for (const s of sites) {
    if (s.kind === 'guard') {
      const snap = snapshotName(s.expr);
      const isSnapshot = snap !== undefined && (snap in run.state.stored || /saved_state|_save$/.test(snap));
      if (isSnapshot && !run.state.stored[snap!]) {
        run.step(fn, file, s.line, `returns: ${snap} is NULL`);
        return;
      }
      continue;
    }
    runSite(run, fn, s, file);
  }
}

function runSite(run: Run, fn: string, s: Site, file: string): void {
  if (s.kind !== 'call') return;
  const known = run.world.effects.functions.has(s.callee) || run.world.code(s.callee);
  if (known && !run.world.effects.inert.has(s.callee)) run.step(fn, file, s.line, `calls ${s.callee}()`);
  callFunction(run, s.callee, { args: s.args, lhs: s.lhs, file, line: s.line });
}

const label = (v: AbsValue) => v;

/** Groups a reset turns off (the rest go to their reset defaults, the Command bits off too). */
const RESET_OFF = new Set(['tph', 'msix', 'msi']);

function runEffect(run: Run, fx: FunctionEffects, e: Effect, frame: Frame): void {
  const { world } = run;
  const file = e.file ?? fx.file;
  const line = effectLine(e, world.line);
  const at = (text: string) => run.step(e.function ?? fx.name, file, line, text);
  if (e.call) {
    const args = callArgs(e, frame);
    const lhs = e.into ?? undefined;
    if (!world.effects.inert.has(e.call)) run.step(fx.name, file, line, `calls ${e.call}()${e.what ? `: ${e.what}` : ''}`);
    callFunction(run, e.call, { args, lhs, file, line });
    return;
  }
  if (e.callback) {
    const fns = world.callbacks(e.callback);
    if (!fns.length) return;
    for (const cb of fns) {
      at(`calls the driver's ${e.callback}: ${cb}()`);
      callFunction(run, cb, { args: ['pdev'], file, line });
    }
    return;
  }
  if (e.save) return save(run, fx, file, line);
  if (e.store) {
    const into = argOf(frame, e.store) ?? frame.lhs;
    const saved = isOn(run.state.live.state_saved) || run.state.live.state_saved.v === 'unknown';
    if (!into) return;
    const i = at(saved ? `${into} = a copy of ${run.state.core.label}` : `${into} = NULL (state_saved is false)`);
    const snap: Snapshot | null = saved ? { ...run.state.core, label: `${run.state.core.label}, stored in ${into}`, storedAt: i } : null;
    run.state = withStored(run.state, into, snap);
    return;
  }
  if (e.load) return load(run, argOf(frame, e.load), at);
  if (e.free) {
    const name = snapshotName(argOf(frame, e.free));
    if (name) {
      at(`${name} = NULL (freed)`);
      run.state = withStored(run.state, name, null);
    }
    return;
  }
  if (e.restore) return restore(run, fx, e, file);
  if (e.reset) {
    const i = at(e.what ? `hardware reset: ${e.what}` : 'hardware reset: every register to its reset default');
    // every register changes: a new set in the same key order (what withHw would build)
    const hw: Record<string, Value> = {};
    for (const k of Object.keys(run.state.hw)) hw[k] = { v: k.startsWith('command.') || RESET_OFF.has(k) ? 'off' : 'reset-default', by: i };
    run.state = { ...run.state, hw };
    return;
  }
  if (e.command) return command(run, e.command, at, e.what);
  if (e.configWrite) {
    const offset = argOf(frame, e.configWrite.offset) ?? '';
    if (!/PCI_COMMAND\b/.test(offset)) return;
    const bits = commandBits(argOf(frame, e.configWrite.value) ?? '');
    if (Object.keys(bits).length) return command(run, bits, at, `PCI_COMMAND = ${argOf(frame, e.configWrite.value)}`);
    return;
  }
  if (e.set) {
    const i = at(e.what ?? 'sets state');
    const hw: Record<string, Value> = {};
    for (const [k, v] of Object.entries(e.set.hw ?? {})) hw[k] = { v, by: i };
    const live: Record<string, Value> = {};
    for (const [k, v] of Object.entries(e.set.live ?? {})) live[k] = { v, by: i };
    run.state = withLive(withHw(run.state, hw), live);
    return;
  }
  if (e.mmio) return mmio(run, fx, e, file, line);
}

/** PCI_COMMAND bits a written value sets: named with `|` on, with `& ~` off; a bare constant clears the rest. */
export function commandBits(value: string): Partial<Record<'memory' | 'io' | 'master', 'on' | 'off'>> {
  const v = value.replace(/\s+/g, '');
  const out: Partial<Record<'memory' | 'io' | 'master', 'on' | 'off'>> = {};
  const constant = /^[A-Z0-9_|x()]+$/.test(v);
  for (const [bit, name, cleared] of COMMAND_NAMES) {
    if (cleared.test(v)) out[bit] = 'off';
    else if (v.includes(name)) out[bit] = 'on';
    else if (constant) out[bit] = 'off';
  }
  return out;
}

/** Each Command bit, its constant, and the pattern of a write that clears it (`& ~NAME`). */
const COMMAND_NAMES = (
  [
    ['memory', 'PCI_COMMAND_MEMORY'],
    ['io', 'PCI_COMMAND_IO'],
    ['master', 'PCI_COMMAND_MASTER'],
  ] as const
).map(([bit, name]) => [bit, name, new RegExp(`&~\\(?[A-Z_|]*${name}`)] as const);

function command(run: Run, bits: Partial<Record<'memory' | 'io' | 'master', 'on' | 'off'>>, at: (t: string) => number, what?: string): void {
  const parts = Object.entries(bits).map(([b, v]) => `${b === 'memory' ? 'Memory' : b === 'io' ? 'I/O' : 'Bus Master'} ${v}`);
  const i = at(`${what ? `${what}: ` : ''}Command ${parts.join(', ')}`);
  const hw: Record<string, Value> = {};
  for (const [b, v] of Object.entries(bits)) hw[`command.${b}`] = { v: v as AbsValue, by: i };
  run.state = withHw(run.state, hw);
}

function save(run: Run, fx: FunctionEffects, file: string, line: number | undefined): void {
  const { world, state } = run;
  const caller = run.stack[run.stack.length - 2] ?? fx.name;
  const tphOn = isOn(state.live.tph_enabled);
  const tphNote = world.steps.some((s) => s.id === 'tph') ? (tphOn ? ', TPH saved' : ', TPH buffer left as it was (tph_enabled off)') : '';
  const mem = state.hw['command.memory']?.v;
  const name = `the save in ${caller}() (${run.event})`;
  const i = run.step(fx.name, file, line, `saves hardware into the core's buffers: ${name}, Memory ${mem}${tphNote}; state_saved = true`);
  const regs: Record<string, Value> = { ...state.core.regs };
  for (const [k, v] of Object.entries(state.hw)) {
    if (k === 'tph' && !tphOn) continue;
    if (k === 'msix' || k === 'msi') continue; // MSI/MSI-X are restored from live state, not saved
    regs[k] = v;
  }
  run.state = withLive(withCore(state, { regs, takenAt: i, label: name }), { state_saved: { v: 'on', by: i } });
}

function load(run: Run, arg: string | undefined, at: (t: string) => number): void {
  const name = snapshotName(arg);
  const snap = name ? run.state.stored[name] : undefined;
  if (!name || !snap) {
    const i = at(`state_saved = false; ${name ?? 'the state'} is NULL, nothing loaded`);
    run.state = withLive(run.state, { state_saved: { v: 'off', by: i } });
    return;
  }
  const i = at(`loads ${name} (${snap.label.replace(/, stored in .*$/, '')}) into the core's buffers; state_saved = true`);
  run.state = withLive(withCore(run.state, { regs: snap.regs, takenAt: snap.takenAt, loadedAt: i, storedAt: snap.storedAt, label: `${snap.label.replace(/, stored in .*$/, '')}, loaded from ${name}` }), {
    state_saved: { v: 'on', by: i },
  });
}

/** pci_restore_state(): the target line's steps in order. */
function restore(run: Run, fx: FunctionEffects, e: Effect, file: string): void {
  const { world } = run;
  const line = effectLine(e, world.line);
  const stepLine = (id: string) => e.stepLines?.[world.line]?.[id];
  const state0 = run.state;
  if (world.gate && !isOn(state0.live.state_saved)) {
    run.step(fx.name, file, line, 'returns at once: state_saved is false (the state_saved gate), nothing is written');
    return;
  }
  const core = state0.core;
  run.step(fx.name, file, line, `writes back ${core.label}${world.gate ? '' : ' (no state_saved gate on this line)'}`);
  if (!world.gate && !isOn(state0.live.state_saved)) {
    // code that cleared state_saved (a NULL load, an earlier restore) to make this a no-op
    const saved = state0.live.state_saved;
    run.violate({ property: 'gated-noop', enablers: enablerOf(run, saved), snapshot: core.label }, [saved.by, core.takenAt]);
  }
  const stale = staleWatch(run, core);
  // one copy of the hardware registers for the whole restore (the live steps see it)
  const hw: Record<string, Value> = { ...run.state.hw };
  run.state = { ...run.state, hw };
  for (const st of world.steps) {
    const id = st.id;
    if (st.source === 'snapshot') {
      if (st.liveGate && !isOn(run.state.live[st.liveGate])) continue;
      const v = core.regs[id];
      if (id === 'config-space') {
        const cmd: Record<string, Value> = {};
        for (const b of ['memory', 'io', 'master']) cmd[`command.${b}`] = core.regs[`command.${b}`] ?? { v: 'unknown', by: -1 };
        const mem = cmd['command.memory'];
        const by = mem.by >= 0 ? run.trace[mem.by] : undefined;
        const cleared = by && mem.v === 'off' ? ` (as ${by.function}() left it in "${by.event}")` : '';
        run.step(st.function, file, stepLine(id), `Command written back from ${core.label}: Memory ${mem.v}${cleared}, Bus Master ${cmd['command.master'].v}`);
        for (const k of Object.keys(cmd)) stale(k, cmd[k], st.function, file, stepLine(id));
        Object.assign(hw, cmd, { [id]: v ?? { v: 'unknown', by: -1 } });
        continue;
      }
      if (id === 'tph') {
        const tv = v ?? { v: 'unknown' as AbsValue, by: -1 };
        stale('tph', tv, st.function, file, stepLine(id));
        const i = run.step(st.function, file, stepLine(id), `tph_enabled is on, so TPH Control and the ST table are written from ${core.label}: ${label(tv.v)}`);
        hw.tph = { v: tv.v, by: i };
        // the hazard of the v18 thread: a TPH buffer that was never filled (TPH off at every
        // save since pci_tph_init() zeroed it) written over a device whose TPH is live
        if (tv.v === 'zero') {
          const en = run.state.live.tph_enabled;
          run.violate({ property: 'tph-zeroed', enablers: enablerOf(run, en), snapshot: core.label }, [core.takenAt, core.storedAt ?? -1, core.loadedAt ?? -1, en?.by ?? -1]);
        }
        continue;
      }
      if (v) hw[id] = v;
      continue;
    }
    if (st.source === 'live') {
      const sub = world.effects.functions.get(st.function);
      if (sub) {
        run.stack.push(st.function);
        for (const se of sub.effects) if (applies(run, se, { args: ['dev'] })) runEffect(run, sub, se, { args: ['dev'] });
        run.stack.pop();
        // a live step that replaced the registers object: keep writing into the new values
        if (run.state.hw !== hw) {
          Object.assign(hw, run.state.hw);
          run.state = { ...run.state, hw };
        }
      }
    }
  }
  const i = run.step(fx.name, file, e.clearLines?.[world.line], 'state_saved = false');
  run.state = withLive(run.state, { state_saved: { v: 'off', by: i } });
}

/**
 * Outside close, a snapshot value that overwrites a hardware value a user event produced after
 * the snapshot was taken rolls back what the user set (once per restore).
 */
function staleWatch(run: Run, core: Snapshot): (group: string, value: Value, fn: string, file?: string, line?: number) => void {
  let done = run.event === run.world.effects.lifecycle.close.event;
  return (group, value, fn, file, line) => {
    if (done) return;
    const now = run.state.hw[group];
    // what an earlier user event set, after the snapshot was taken, and this write changes
    if (!now || now.by < 0 || now.by <= core.takenAt || now.by >= run.eventStart || now.v === value.v) return;
    const by = run.trace[now.by];
    if (!by || !/^(user|assumed):/.test(by.event)) return;
    done = true;
    const what = group.startsWith('command.') ? `Command ${group.slice(8)}` : group;
    run.step(fn, file, line, `rolls back ${what} from ${now.v} (as ${by.function}() set it in "${by.event}") to the snapshot's ${value.v}`);
    run.violate({ property: 'stale-user-state', enablers: enablerOf(run, now), snapshot: core.label }, [now.by, core.takenAt, core.storedAt ?? -1, core.loadedAt ?? -1]);
  };
}

/** The step that wrote Command back from the snapshot in this restore, if any. */
function commandSource(run: Run): number[] {
  for (let i = run.trace.length - 1; i >= run.eventStart; i--) if (run.trace[i].effect.startsWith('Command written back')) return [i];
  return [];
}

/** Who produced a value: the function of the step that wrote it and the entry of its event. */
function enablerOf(run: Run, v: Value | undefined): string[] {
  if (!v || v.by < 0) return [];
  const st = run.trace[v.by];
  if (!st) return [];
  let head = v.by;
  while (head > 0 && run.trace[head - 1].event === st.event) head--;
  return [...new Set([st.function, run.trace[head].function])];
}

/** The MSI-X table written through MMIO: hardware Memory Space must be on. */
function mmio(run: Run, fx: FunctionEffects, e: Effect, file: string, line: number | undefined): void {
  const { world, state } = run;
  if (e.liveGate && !isOn(state.live[e.liveGate])) return;
  const mem = state.hw['command.memory'];
  const writers = e.writers?.[world.line] ?? 'the MSI-X writers';
  const fix = world.fixes['msix-memory-decoding'];
  if (isOn(mem)) {
    run.step(fx.name, file, line, `MSI-X table written through MMIO (${writers}) with Memory Space on`);
    return;
  }
  const outcome =
    fix === true
      ? 'the MSI-X decoding fix turns Memory Space on around the writes, so they complete'
      : fix === false
        ? 'the device answers with Unsupported Request'
        : 'without the MSI-X decoding fix the device answers with Unsupported Request';
  run.step(fx.name, file, line, `MSI-X table written through MMIO (${writers}) with Memory Space ${mem?.v ?? 'unknown'}: ${outcome}`);
  const msix = state.live.msix_enabled;
  run.violate({
    property: 'msix-memory-off',
    enablers: [...enablerOf(run, msix), ...enablerOf(run, mem)],
    snapshot: state.core.label,
    fix,
  }, [mem?.by ?? -1, msix?.by ?? -1, state.core.takenAt, state.core.storedAt ?? -1, state.core.loadedAt ?? -1, ...commandSource(run)]);
}
