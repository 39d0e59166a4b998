/**
 * Explore the vfio-pci lifecycle: open, then up to `bound` user events in every order, with a
 * close after each prefix. Breadth-first over states (a state reached again by a longer path is
 * not explored again), so the first witness of a risk is a shortest one.
 */
import type { TraceStep } from '../model.js';
import { initialState, isOn, stateKey, type DeviceState } from './model.js';
import type { RuntimePmStep } from '../kb/effects.js';
import { callFunction, Run, type Violation, type World } from './interp.js';

/** One event of the lifecycle: its name and the function that handles it. */
export interface LifecycleEvent {
  event: string;
  call: string;
  args?: string[];
  /** Where the handler is, for the trace's first step of the event. */
  file?: string;
  line?: number;
  /** What the event does, in a few words. */
  effect?: string;
  /** A premise the tool cannot see: added to the conditions of every witness through it. */
  assumes?: string;
}

export interface Exploration {
  violations: Violation[];
  /** Distinct states explored. */
  states: number;
  /** Calls the interpreter could not see into, over all paths. */
  unknown: string[];
}

interface Node {
  state: DeviceState;
  trace: TraceStep[];
  depth: number;
  events: number;
  assumes: string[];
  unknown: Set<string>;
}

const MAX_STATES = 400;

/** Run one event from a node: the new node and what the event saw. */
export function runEvent(world: World, node: Node, ev: LifecycleEvent): { node: Node; run: Run } {
  const assumes = ev.assumes && !node.assumes.includes(ev.assumes) ? [...node.assumes, ev.assumes] : node.assumes;
  const run = new Run(world, node.state, node.trace, ev.event, node.events + 1);
  run.conditions = assumes;
  const rpm = world.effects.lifecycle.runtimePm;
  // user operations come through vfio's ioctl and region handlers, which hold a runtime PM
  // reference around them (not AER recovery, not an assumed premise)
  const isUser = ev.event.startsWith('user:');
  const isClose = ev.event === world.effects.lifecycle.close.event;
  // every user operation and close wakes a runtime-suspended device first
  if (rpm && (isUser || isClose) && isOn(run.state.live[rpm.suspended])) runtimePm(run, rpm.resume, 'resumes the runtime-suspended device');
  run.step(ev.call, ev.file, ev.line, ev.effect ?? `${ev.call}()`);
  callFunction(run, ev.call, { args: ev.args ?? ['vdev'] });
  // ... and a user operation's return lets it suspend again while the driver has let go of it
  if (rpm && isUser && isOn(run.state.live[rpm.engaged]) && !isOn(run.state.live[rpm.suspended]))
    runtimePm(run, rpm.suspend, 'lets the device runtime-suspend (pm_runtime_engaged)');
  for (const v of run.violations) {
    v.eventFunctions = [...run.ran];
    v.rest = run.trace.slice(v.at);
  }
  const unknown = new Set([...node.unknown, ...run.unknown]);
  return { node: { state: run.state, trace: run.trace, depth: node.depth + 1, events: node.events + 1, assumes, unknown }, run };
}

/** One side of runtime PM: the step that says how the event gets there, then the core's function. */
function runtimePm(run: Run, side: RuntimePmStep, what: string): void {
  run.step(side.call, side.file, side.lines?.[run.world.line], `calls ${side.call}(): ${side.via} ${what}`);
  callFunction(run, side.call, { args: ['dev'] });
}

/** Explore open, user events (at most `bound`), close. */
export function explore(world: World, open: LifecycleEvent, user: LifecycleEvent[], close: LifecycleEvent, bound: number): Exploration {
  const violations: Violation[] = [];
  const unknown = new Set<string>();
  const record = (run: Run, node: Node) => {
    const extra = run.violations.length ? [...node.unknown].filter((u) => !/only part/.test(u)) : [];
    for (const v of run.violations) {
      if (extra.length) v.conditions = [...v.conditions, unknownCondition(extra)];
      violations.push(v);
    }
    for (const u of node.unknown) unknown.add(u);
  };
  const start: Node = { state: initialState(world.steps.map((s) => s.id), world.device), trace: [], depth: 0, events: 0, assumes: [], unknown: new Set() };
  const opened = runEvent(world, start, open);
  record(opened.run, opened.node);
  const seen = new Set([stateKey(opened.node.state)]);
  const queue: Node[] = [{ ...opened.node, depth: 0 }];
  while (queue.length) {
    const node = queue.shift()!;
    const closed = runEvent(world, node, close);
    record(closed.run, closed.node);
    if (node.depth >= bound) continue;
    for (const ev of user) {
      const next = runEvent(world, node, ev);
      record(next.run, next.node);
      const key = `${stateKey(next.node.state)}#${next.node.assumes.join('|')}`;
      if (seen.has(key) || seen.size >= MAX_STATES) continue;
      seen.add(key);
      queue.push(next.node);
    }
  }
  // stable: among witnesses of one length, the order of the user events (BFS order) decides
  violations.sort((a, b) => a.events - b.events);
  return { violations, states: seen.size, unknown: [...unknown] };
}

function unknownCondition(names: string[]): string {
  const list = names.slice(0, 4).join(', ') + (names.length > 4 ? ` and ${names.length - 4} more` : '');
  return `This assumes that ${list}, whose code this review cannot see, change no PCI state the trace depends on.`;
}
