/**
 * rules/kb/effects.yaml: what each kernel and vfio-pci function does to the abstract device
 * state of src/state, per kernel line, each cited to the code it was read in; and the vfio-pci
 * lifecycle (open, user operations, close) the state model explores.
 */
import type { AbsValue } from '../state/model.js';

/** Where a function's code was read for one kernel line. */
export interface ReadAt {
  at: string;
  /** First line of the definition in the text `at` names. */
  line?: number;
  note?: string;
}

/** One effect of a function on the model (exactly one op key is set). */
export interface Effect {
  call?: string;
  callback?: string;
  save?: 'core';
  store?: string;
  load?: string;
  free?: string;
  restore?: 'core';
  reset?: 'hardware';
  command?: Partial<Record<'memory' | 'io' | 'master', 'on' | 'off'>>;
  configWrite?: { offset: string; value: string };
  set?: { hw?: Record<string, AbsValue>; live?: Record<string, AbsValue> };
  mmio?: 'msix-table';
  what?: string;
  writers?: Record<string, string>;
  /** Source line of the effect per kernel line. */
  lines?: Record<string, number>;
  file?: string;
  function?: string;
  into?: string;
  args?: string[];
  liveGate?: string;
  /** Live flags as they were when the function was entered (the kernel function's locals computed there). */
  entryLive?: Record<string, AbsValue>;
  fix?: string;
  noFix?: string;
  onLines?: string[];
  argPattern?: Record<string, string>;
  /** For restore: per kernel line, the line of each step's call in pci_restore_state(). */
  stepLines?: Record<string, Record<string, number>>;
  /** For restore: per kernel line, the line that clears state_saved at the end. */
  clearLines?: Record<string, number>;
}

export interface FunctionEffects {
  name: string;
  file: string;
  at: Record<string, ReadAt>;
  effects: Effect[];
}

export interface LifecycleEvent {
  event: string;
  call: string;
  via?: string;
  args?: string[];
  /** A premise the event rests on, added to the conditions of every witness through it. */
  assumes?: string;
  /** Explored only when a function the patch adds or changes runs in the event, or the patch adds a call reaching one of these. */
  onlyWith?: string[];
}

/** One side of runtime PM around a user event: the function that runs and how the event gets there. */
export interface RuntimePmStep {
  call: string;
  via: string;
  file?: string;
  lines?: Record<string, number>;
}

/**
 * Runtime PM around every user event (vfio_device_fops_unl_ioctl(), vfio_pci_rw()): a device
 * runtime-suspended is resumed first, and one whose driver let go of it (pm_runtime_engaged)
 * suspends again when the event returns. Close resumes it first too.
 */
export interface RuntimePm {
  /** Live flag: the driver dropped its usage count (vdev->pm_runtime_engaged). */
  engaged: string;
  /** Live flag: the device is runtime-suspended. */
  suspended: string;
  resume: RuntimePmStep;
  suspend: RuntimePmStep;
}

export interface Lifecycle {
  open: LifecycleEvent;
  close: LifecycleEvent;
  bound: number;
  runtimePm?: RuntimePm;
  /** The driver's callbacks by role when the code in scope binds none (vfio_pci_core_pm_ops). */
  callbacks?: Record<string, string[]>;
  /** Live flags of the modelled device before open (facts vfio-pci reads at probe). */
  device?: Record<string, AbsValue>;
  user: LifecycleEvent[];
  userRoots?: string;
  /** Userspace's dispatchers: a function only they call is a user operation. */
  userEntries?: string[];
}

export interface EffectsKb {
  inert: Set<string>;
  functions: Map<string, FunctionEffects>;
  lifecycle: Lifecycle;
}

export function buildEffects(data: Record<string, unknown>): EffectsKb {
  const functions = new Map<string, FunctionEffects>();
  for (const f of data.functions as FunctionEffects[]) functions.set(f.name, f);
  return { inert: new Set((data.inert as string[] | undefined) ?? []), functions, lifecycle: data.lifecycle as Lifecycle };
}
