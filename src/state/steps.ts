/**
 * The walk over the core's own sequences: the post-patch pci_save_state() and
 * pci_restore_state(), and the bodies of the steps they call, against the target line's step
 * lists in the knowledge base (rules/kb/kernels.yaml, restore-steps.yaml). Where the code does
 * something on a line the patch adds that those lists do not know (a call that is no known
 * step, a write to the device, an early return, a known step moved or dropped), the walk
 * records an unknown-step event with its witness: the calls that led there, file:line, and
 * for an early return of the save, what a later restore then writes back.
 * Pure: the code comes through `code()`, and the walk never knows where it came from.
 */
import type { TraceStep } from '../model.js';
import { opsOf, type Op } from './ops.js';
import { commandBits } from './interp.js';
import { snapshotRead } from '../kb/classify.js';
import { callRegExp } from '../regex.js';

/** The code of one function as the walk reads it. */
export interface WalkCode {
  file: string;
  lines: { line: number; text: string }[];
  /** Lines the patch adds. */
  added: Set<number>;
  /** Callees on lines the patch removes (an added call to one rewrites or moves it). */
  removedCalls: Set<string>;
  /** Removed lines with the new-side line they sit before (for dropped steps). */
  removed: { line: number; text: string }[];
  /** The whole body (else the diff lines of a fragment). */
  complete: boolean;
  /** First line of the definition, when known. */
  start?: number;
}

/** What the walk needs of a step of the knowledge base. */
export interface WalkStep {
  id: string;
  function: string;
  saveFunction?: string;
  source: string;
  gate?: string;
  liveGate?: string;
  summary?: string;
}

export interface StepWalkWorld {
  /** The target line ("6.18" reads "Linux 6.18"). */
  line: string;
  steps: Map<string, WalkStep>;
  /** Top-level restore / save step ids of the target, in call order; nested ids by parent. */
  restore: string[];
  save: string[];
  nested: Record<string, string[]>;
  /** Does the target's pci_restore_state() return at once on !state_saved (the state_saved gate)? */
  gate: boolean;
  /** Does the knowledge base know this call (a function, a non-step call, an inert one)? */
  known(name: string): boolean;
  /** The known fix whose code this function's post-patch body carries (the KB knows that change). */
  knownChange(fn: string): string | undefined;
  code(name: string): WalkCode | undefined;
}

export type UnknownKind = 'call' | 'write' | 'return' | 'moved' | 'removed';

export interface UnknownStep {
  kind: UnknownKind;
  /** The function holding the line, and the line. */
  function: string;
  file: string;
  line: number;
  /** What the code does there that the step list does not know. */
  what: string;
  /** What the knowledge base has at that point. */
  expected: string;
  /** The branch it runs under, if any. */
  gate?: string;
  /** The call the event is about (a new step, a moved or dropped one, the writer). */
  callee?: string;
  /** The witness: the walk from the entry to the event (and, for a save, the later restore). */
  trace: TraceStep[];
  /** One sentence: the premise the walk cannot see (a condition of the note). */
  cannot: string;
  /** What a later restore (or the rest of this one) then does, in words. */
  later?: string;
}

const SAVE = 'pci_save_state';
const RESTORE = 'pci_restore_state';

/** Logging, assertions and compiler helpers: never steps. */
const NOT_STEPS = /^((pci|dev)_(dbg|info|notice|warn|err)|(WARN|BUG)(_ON)?(_ONCE)?|might_sleep|lockdep_\w+|guard|scoped_guard|likely|unlikely|sizeof|ARRAY_SIZE|pci_is_pcie|pci_dev_is_disconnected|pci_read_config_\w+|pcie_capability_read_\w+|pci_find_\w+)$/;
/** Calls that write the device: config space, PCIe capability, MMIO. */
const WRITER = /^(pci_write_config_(byte|word|dword)|pci_bus_write_config_\w+|pcie_capability_(write|set|clear|clear_and_set)_\w+|write[bwlq]|iowrite(8|16|32|64)|__raw_write[bwlq])$/;
/** Names that say a helper writes the device. */
const WRITES_BY_NAME = /(^|_)(write|restore|set|clear|enable|disable|update|program|configure|reset)(_|$)/;
/** Value texts that are a save buffer. */
const SNAPSHOT_VALUE = /saved_config_space|save_state|saved_state|->cap\.data|\bcap\[/;

const isMacro = (name: string) => /^[A-Z0-9_]+$/.test(name);
const gateText = (gates: string[]) => gates.filter((g) => g !== 'loop').map((g) => `if (${g})`).join(', ');

/** Every unknown-step event of the post-patch save and restore sequences. */
export function walkSteps(world: StepWalkWorld): UnknownStep[] {
  const restore = new Walk(world, 'pci_restore_state()');
  restore.sequence(RESTORE, restoreExpected(world), stepsOf(world, world.restore, 'restore'));
  const save = new Walk(world, 'pci_save_state()');
  save.sequence(SAVE, saveExpected(world), stepsOf(world, world.save, 'save'));
  // an early return of the save leaves the buffers as they were: what the restore then does
  for (const ev of save.events)
    if (ev.kind === 'return' && ev.function === SAVE) {
      const later = laterRestore(world, restore.events);
      ev.trace.push(...later);
      ev.later = later.map((t) => t.effect).join('; ');
    }
  return [...save.events, ...restore.events];
}

function stepsOf(world: StepWalkWorld, ids: string[], of: 'restore' | 'save'): Map<string, WalkStep> {
  const out = new Map<string, WalkStep>();
  for (const id of ids) {
    const st = world.steps.get(id);
    const fn = of === 'restore' ? st?.function : st?.saveFunction;
    if (st && fn) out.set(fn, st);
  }
  return out;
}

function restoreExpected(world: StepWalkWorld): string {
  return `the restore steps ${world.restore.join(', ')}, in this order`;
}

function saveExpected(world: StepWalkWorld): string {
  return `pci_save_state() reading the 16 header dwords into saved_config_space[] and setting state_saved = true first, then the save steps ${world.save.join(', ')}`;
}

class Walk {
  readonly events: UnknownStep[] = [];
  private readonly trace: TraceStep[] = [];
  constructor(
    private readonly world: StepWalkWorld,
    private readonly event: string,
  ) {}

  private step(fn: string, file: string | undefined, line: number | undefined, effect: string): TraceStep {
    const t: TraceStep = { event: this.event, function: fn, ...(file ? { file } : {}), ...(line ? { line } : {}), effect };
    this.trace.push(t);
    return t;
  }

  private record(e: Omit<UnknownStep, 'trace'>, chain: TraceStep[]): void {
    this.events.push({ ...e, trace: [...chain] });
  }

  /**
   * Walk pci_restore_state() or pci_save_state(): the calls of its post-patch code, or (a
   * fragment) the KB's steps with the calls the patch adds put after the step they follow.
   */
  sequence(fn: string, expected: string, steps: Map<string, WalkStep>): void {
    const code = this.world.code(fn);
    const head = this.step(fn, code?.file, code?.start ?? code?.lines[0]?.line, `${fn}() runs (${expected})`);
    const descend = fn === RESTORE;
    if (!code?.complete && descend) {
      // the calls the fragment does not show are the knowledge base's: walk into those steps
      const gone = new Set(code ? [...steps.keys()].filter((c) => code.removedCalls.has(c) && !code.lines.some((l) => code.added.has(l.line) && callRegExp(c).test(l.text))) : []);
      for (const [callee, st] of steps) if (!gone.has(callee)) this.body(callee, st, [head, this.step(fn, code?.file, undefined, `calls ${callee}(): step ${st.id} (${st.source})`)], 1);
    }
    if (!code) return;
    const ops = opsOf(code.lines, fn);
    const order = [...steps.keys()];
    let lastKnown = -1;
    let lastName = '';
    for (const op of ops) {
      const isAdded = code.added.has(op.line);
      if (op.kind === 'return') {
        if (isAdded && op.gates.length) this.earlyReturn(fn, code, op, ops, expected, [head]);
        continue;
      }
      const callee = op.callee!;
      const st = steps.get(callee);
      if (st) {
        const at = order.indexOf(callee);
        const rewritten = code.removedCalls.has(callee);
        if (isAdded && rewritten && at < lastKnown)
          this.record(
            { kind: 'moved', function: fn, file: code.file, line: op.line, callee, what: `${callee}() (step ${st.id}) now runs after ${lastName}()`, expected, cannot: 'This assumes that some step depends on the old order: this review cannot see which one does' },
            [head, this.step(fn, code.file, op.line, `calls ${callee}() after ${lastName}(): the knowledge base has ${st.id} before it`)],
          );
        if (at > lastKnown) {
          lastKnown = at;
          lastName = callee;
        }
        if (descend && code.complete) this.body(callee, st, [head, this.step(fn, code.file, op.line, `calls ${callee}(): step ${st.id} (${st.source})`)], 1);
        continue;
      }
      if (!isAdded || op.inCondition || NOT_STEPS.test(callee) || isMacro(callee) || code.removedCalls.has(callee)) continue;
      if (this.world.known(callee) && !WRITER.test(callee)) continue;
      const inside = this.world.code(callee);
      const does = inside ? ` ${whatItDoes(callee, inside)}` : '';
      const t = this.step(fn, code.file, op.line, `calls ${callee}(): no step of Linux ${this.world.line}${op.gates.length ? ` (under ${gateText(op.gates)})` : ''}${does}`);
      this.record(
        {
          kind: 'call',
          function: fn,
          file: code.file,
          line: op.line,
          callee,
          what: WRITER.test(callee) ? describeWrite(callee, op.args ?? []) : `${callee}()${does && `, which${does.replace(/^ \(|\)$/g, ' ').trimEnd()}`}`,
          expected,
          ...(op.gates.length ? { gate: gateText(op.gates) } : {}),
          cannot: inside
            ? `This assumes that ${callee}() gets past its own checks on a ${fn === SAVE ? 'save' : 'restore'}: this review cannot see when they hold at run time`
            : `This assumes that ${callee}() writes the device: its body is not in scope, so whether from the snapshot or from live state cannot be seen`,
        },
        [head, t],
      );
    }
    this.dropped(fn, code, steps, expected, head);
  }

  /** Known steps on removed lines that the patch does not call again. */
  private dropped(fn: string, code: WalkCode, steps: Map<string, WalkStep>, expected: string, head: TraceStep): void {
    const now = new Set(opsOf(code.lines, fn).filter((o) => o.kind === 'call').map((o) => o.callee!));
    for (const r of code.removed)
      for (const [callee, st] of steps)
        if (!now.has(callee) && callRegExp(callee).test(r.text) && !this.events.some((e) => e.kind === 'removed' && e.callee === callee))
          this.record(
            { kind: 'removed', function: fn, file: code.file, line: r.line, callee, what: `${callee}() (step ${st.id}) is no longer called`, expected, cannot: `This assumes that ${st.id} is not ${fn === SAVE ? 'saved' : 'restored'} elsewhere: this review cannot see every path` },
            [head, this.step(fn, code.file, r.line, `no longer calls ${callee}(): the knowledge base has step ${st.id} here`)],
          );
  }

  /** Inside a step: writes, early returns and write-like calls on added lines. */
  private body(fn: string, st: WalkStep, chain: TraceStep[], depth: number): void {
    if (depth > 3) return;
    const code = this.world.code(fn);
    // the steps the knowledge base nests in this one (LTR and L1SS in PCIe, MSI-X in MSI)
    for (const id of this.world.nested[st.id] ?? []) {
      const sub = this.world.steps.get(id);
      if (sub) this.body(sub.function, sub, [...chain, this.step(fn, code?.file, undefined, `calls ${sub.function}(): step ${id} (${sub.source})`)], depth + 1);
    }
    // a change the knowledge base knows (a fix recognised in this function) is no unknown step
    if (!code || this.world.knownChange(fn)) return;
    const expected = `step ${st.id} as ${fn}(): ${st.summary ?? fn}, from ${st.source === 'snapshot' ? 'the snapshot' : 'live state'}${st.gate ? ` (gate: ${st.gate})` : ''}`;
    const ops = opsOf(code.lines, fn);
    for (const op of ops) {
      const isAdded = code.added.has(op.line);
      if (!isAdded) continue;
      if (op.kind === 'return') {
        if (op.gates.length) this.earlyReturn(fn, code, op, ops, expected, chain, `the rest of ${fn}() does not run on that path: ${st.summary ?? st.id} is not written`, st);
        continue;
      }
      const callee = op.callee!;
      if (op.inCondition || code.removedCalls.has(callee) || NOT_STEPS.test(callee) || isMacro(callee)) continue;
      const writes = WRITER.test(callee);
      const byName = !writes && !this.world.known(callee) && WRITES_BY_NAME.test(callee) && /dev\b/.test(op.args?.[0] ?? '');
      if (!writes && !byName) continue;
      const what = writes ? describeWrite(callee, op.args ?? []) : `${callee}(${(op.args ?? []).join(', ')}), which the knowledge base does not know; by its name it writes the device`;
      // not "calls ...": compact traces hide call edges, and this step is the write itself
      const t = this.step(fn, code.file, op.line, `${writes ? 'writes' : 'writes through'} ${what}${op.gates.length ? ` under ${gateText(op.gates)}` : ''}`);
      this.record(
        {
          kind: 'write',
          function: fn,
          file: code.file,
          line: op.line,
          callee,
          what,
          expected,
          ...(op.gates.length ? { gate: gateText(op.gates) } : {}),
          cannot: writes
            ? `This assumes that ${op.gates.length ? `${op.gates.filter((g) => g !== 'loop').join(' and ')} holds on some restore` : 'this write runs on a restore'}: this review cannot see when it does at run time`
            : `This assumes that ${callee}() writes the device, as its name says: its body is not in scope, so whether from the snapshot or from live state cannot be seen`,
        },
        [...chain, t],
      );
    }
  }

  /**
   * An early return the patch adds. A bare `if (!dev->state_saved) return;` is the state_saved
   * gate the knowledge base knows (snapshot/state-saved-assumption asks about it); one whose
   * branch also does something, or tests anything else, is a step the lists do not know.
   */
  private earlyReturn(fn: string, code: WalkCode, op: Op, ops: Op[], expected: string, chain: TraceStep[], later?: string, st?: WalkStep): void {
    const gates = op.gates.filter((g) => g !== 'loop');
    const sameBranch = ops.filter((o) => o !== op && o.kind === 'call' && !o.inCondition && o.gates.join('\0') === op.gates.join('\0') && !NOT_STEPS.test(o.callee!));
    if (!sameBranch.length && gates.length === 1 && (/^!\s*\w+->state_saved$/.test(gates[0]) || gateKnown(gates[0], st))) return;
    const header = fn === SAVE ? saveHeaderAfter(code, op.line) : undefined;
    const what = `returns${op.value ? ` ${op.value}` : ''} early${gates.length ? ` when ${gates.join(' and ')}` : ''}${header ?? ''}`;
    const t = this.step(fn, code.file, op.line, what);
    this.record(
      {
        kind: 'return',
        function: fn,
        file: code.file,
        line: op.line,
        what,
        expected,
        ...(gates.length ? { gate: gateText(gates) } : {}),
        cannot: `This assumes that ${gates.length ? gates.join(' and ') : 'this branch'} holds on some ${fn === SAVE ? 'save' : 'restore'}: this review cannot see when it does at run time`,
        ...(later ? { later } : {}),
      },
      [...chain, t],
    );
  }
}

/** "(reads a save buffer: pci_find_saved_ext_cap; writes X = v (from a save buffer))": a new step's body in short. */
function whatItDoes(fn: string, code: WalkCode): string {
  const text = code.lines.map((l) => l.text).join('\n');
  const read = snapshotRead(text);
  const writes = opsOf(code.lines, fn)
    .filter((o) => o.kind === 'call' && WRITER.test(o.callee!))
    .map((o) => describeWrite(o.callee!, o.args ?? []))
    // a local value in a body that reads a save buffer is most likely that buffer's
    .map((w) => (read ? w.replace('from live state or a local value', `a local value, most likely from the ${read} buffer`) : w));
  const shown = writes.slice(0, 2).join('; ') + (writes.length > 2 ? `; and ${writes.length - 2} more` : '');
  return `(${read ? `reads a save buffer: ${read}` : 'reads no save buffer'}${writes.length ? `; writes ${shown}` : '; writes nothing through a config or MMIO write it shows'})`;
}

/**
 * A bare early return on what the step's gate in the knowledge base already names (`if
 * (!pdev->tph_cap) return;` for a step gated on tph_cap): the gate the lists know, moved.
 */
function gateKnown(cond: string, st: WalkStep | undefined): boolean {
  const known = `${st?.gate ?? ''} ${st?.liveGate ?? ''}`;
  const names = [...cond.matchAll(/(?:->|\.)?\b([A-Za-z_]\w*)\b(?!\s*\()/g)].map((m) => m[1]).filter((n) => !/^(dev|pdev|dev_\w+|NULL)$/.test(n));
  // the KB says in words what the code names: a save buffer, a capability
  const said = (n: string) =>
    new RegExp(`\\b${n}\\b`).test(known) || (/^save_state$/.test(n) && /save buffer/.test(known)) || (/^(pos|cap|\w+_cap)$/.test(n) && /capability/i.test(known));
  return names.length > 0 && names.every(said);
}

/** ": before saved_config_space[] is read and state_saved set" when the save's header loop follows. */
function saveHeaderAfter(code: WalkCode, line: number): string {
  const later = code.lines.some((l) => l.line > line && /saved_config_space|state_saved\s*=\s*true/.test(l.text));
  return later
    ? ', before saved_config_space[] is read and state_saved is set: the buffers keep the previous save and state_saved keeps its value'
    : ': the buffers keep what this save did not refill';
}

/** A device write in words: register, value, where the value comes from (and Command bits). */
export function describeWrite(callee: string, args: string[]): string {
  const mmio = /^(write|iowrite|__raw_write)/.test(callee);
  const reg = mmio ? (args[1] ?? '?') : (args[1] ?? '?');
  const value = mmio ? (args[0] ?? '?') : (args[2] ?? '?');
  const source = SNAPSHOT_VALUE.test(value)
    ? 'from a save buffer'
    : /^[A-Z0-9_\s|()~&<>x]+$/.test(value)
      ? 'a constant, from no snapshot'
      : 'from live state or a local value';
  let bits = '';
  if (/PCI_COMMAND\b/.test(reg)) {
    const b = commandBits(value);
    const names = { memory: 'Memory', io: 'I/O', master: 'Bus Master' } as const;
    bits = Object.entries(b).length ? `: ${Object.entries(b).map(([k, v]) => `${names[k as keyof typeof names]} ${v}`).join(', ')}` : '';
  }
  return `${reg} = ${value} (${mmio ? 'MMIO, ' : ''}${source}${bits})`;
}

/**
 * What a pci_restore_state() after a save that returned early does: state_saved is false after
 * any earlier restore (the core clears it at the end). With the state_saved gate (the line's,
 * unless the post-patch code shows it removed or added) that restore writes nothing; without
 * it, it takes the branches the patch adds on !state_saved, else writes back the previous save.
 */
function laterRestore(world: StepWalkWorld, restoreEvents: UnknownStep[]): TraceStep[] {
  const event = 'later: pci_restore_state()';
  const code = world.code(RESTORE);
  const head = { event, function: RESTORE, ...(code ? { file: code.file } : {}) };
  const gated = restoreGated(world, code);
  if (gated === true)
    return [{ ...head, effect: `pci_restore_state() after it returns at once while state_saved is false (the state_saved gate), else writes back the previous save (Linux ${world.line})` }];
  const onUnsaved = restoreEvents.filter((e) => e.gate && /!\s*\w+->state_saved/.test(e.gate) && e.kind === 'write');
  const first = { ...head, effect: `pci_restore_state() after it, with no state_saved gate${gated === 'removed' ? ' (this patch removes it)' : ''}: state_saved is still false if an earlier restore cleared it, else the previous save is written back (Linux ${world.line})` };
  return [first, ...onUnsaved.map((e) => ({ event, function: e.function, file: e.file, line: e.line, effect: `with state_saved false: ${e.what}` }))];
}

const GATE = /\bif\s*\(\s*!\s*\w+->state_saved\s*\)\s*return\s*;/;

/** Does the post-patch pci_restore_state() return at once on !state_saved ('removed': the patch removes that)? */
function restoreGated(world: StepWalkWorld, code: WalkCode | undefined): boolean | 'removed' {
  if (code) {
    if (GATE.test(code.lines.map((l) => l.text).join('\n'))) return true;
    if (GATE.test(code.removed.map((r) => r.text).join('\n'))) return 'removed';
    if (code.complete) return false;
  }
  return world.gate;
}
