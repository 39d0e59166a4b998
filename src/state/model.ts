/**
 * The abstract state of one PCI device, in three places: its hardware registers, the kernel's
 * live state about it, and each snapshot of it (the core's save buffers and every stored copy a
 * driver keeps). Register groups are the knowledge base's restore-step ids (pcie, tph, msix,
 * config-space...), with the Command register's Memory, I/O and Bus Master bits apart.
 * Pure data: every function returns a new state.
 */

/** An abstract register or flag value. */
export type AbsValue = 'open-time' | 'user-set' | 'zero' | 'reset-default' | 'off' | 'on' | 'unknown';

/** A value and the trace step that produced it (its index in the trace; -1 before the trace). */
export interface Value {
  v: AbsValue;
  by: number;
}

export type Regs = Readonly<Record<string, Value>>;

/** A snapshot: the register values it holds and the trace step that took it. */
export interface Snapshot {
  regs: Regs;
  /** Trace step of the save that took it (-1: before the trace, at enumeration). */
  takenAt: number;
  /** Trace step of the load that put it into the core's buffers, when it came from a stored copy. */
  loadedAt?: number;
  /** Trace step of the store that kept it (vdev->pm_save = pci_store_saved_state()), when it was stored. */
  storedAt?: number;
  /** How notes name it: "the pre-reset save in pci_dev_save_and_disable()". */
  label: string;
}

export interface DeviceState {
  hw: Regs;
  /** Live kernel state: tph_enabled, msix_enabled, msi_enabled, state_saved, and live step values. */
  live: Regs;
  /** The core's save buffers (dev->saved_config_space[], dev->saved_cap_space). */
  core: Snapshot;
  /** Stored copies by the expression that holds them (vdev->pci_saved_state); null = NULL. */
  stored: Readonly<Record<string, Snapshot | null>>;
}

export const COMMAND_BITS = ['command.memory', 'command.io', 'command.master'] as const;

/** The hardware groups the model tracks (restore-step ids plus the Command bits). */
export function registerGroups(stepIds: string[]): string[] {
  return [...new Set([...stepIds, 'config-space', ...COMMAND_BITS])];
}

const val = (v: AbsValue, by = -1): Value => ({ v, by });

/**
 * The state before open: the kernel configured the device at enumeration (open-time values,
 * Command unknown), TPH and MSI-X off; the core's TPH buffer is zero (pci_tph_init() allocates
 * it zeroed whenever the capability exists) and no driver snapshot is stored.
 */
export function initialState(stepIds: string[], device: Readonly<Record<string, AbsValue>> = {}): DeviceState {
  const hw: Record<string, Value> = {};
  for (const g of registerGroups(stepIds)) hw[g] = val(g.startsWith('command.') ? 'unknown' : 'open-time');
  hw.tph = val('off');
  hw.msix = val('off');
  hw.msi = val('off');
  const core: Record<string, Value> = { ...hw, tph: val('zero') };
  return {
    hw,
    // d3hot: pdev->current_state >= PCI_D3hot (probe put the device in D0); `device` adds what
    // vfio-pci read at probe (needs_pm_restore: the device reports NoSoftRst-)
    live: { tph_enabled: val('off'), msix_enabled: val('off'), msi_enabled: val('off'), state_saved: val('unknown'), d3hot: val('off'), ...Object.fromEntries(Object.entries(device).map(([k, v]) => [k, val(v)])) },
    core: { regs: core, takenAt: -1, label: 'the save buffers as enumeration left them' },
    stored: {},
  };
}

export function withHw(s: DeviceState, changes: Record<string, Value>): DeviceState {
  return { ...s, hw: { ...s.hw, ...changes } };
}

export function withLive(s: DeviceState, changes: Record<string, Value>): DeviceState {
  return { ...s, live: { ...s.live, ...changes } };
}

export function withCore(s: DeviceState, core: Snapshot): DeviceState {
  return { ...s, core };
}

export function withStored(s: DeviceState, name: string, snap: Snapshot | null): DeviceState {
  return { ...s, stored: { ...s.stored, [name]: snap } };
}

/** Is a value "on" in the sense a gate or a Command bit test means? */
export function isOn(v: Value | undefined): boolean {
  return v?.v === 'on' || v?.v === 'user-set';
}

/** A key identifying the state's values (not where they came from), for the explorer's visited set. */
export function stateKey(s: DeviceState): string {
  const stored = Object.keys(s.stored)
    .sort()
    .map((k) => `${k}:${s.stored[k] ? regsKey(s.stored[k]!.regs) : 'NULL'}`)
    .join(';');
  return `${regsKey(s.hw)}|${regsKey(s.live)}|${regsKey(s.core.regs)}|${stored}`;
}

// Register sets are immutable and shared between states (the core's buffers, stored copies):
// each one's key is computed once. States have few key orders, so each order is sorted once.
const regsKeys = new WeakMap<Regs, string>();
const sortedOrders = new Map<string, string[]>();

function regsKey(r: Regs): string {
  let key = regsKeys.get(r);
  if (key === undefined) {
    const keys = Object.keys(r);
    const order = keys.join(',');
    let sorted = sortedOrders.get(order);
    if (!sorted) sortedOrders.set(order, (sorted = keys.sort()));
    key = sorted.map((k) => `${k}=${r[k].v}`).join(',');
    regsKeys.set(r, key);
  }
  return key;
}
