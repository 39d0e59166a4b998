/**
 * Types of the knowledge base loaded from rules/ (YAML). The loader validates every
 * file against a JSON Schema and returns these objects; nothing else reads the YAML.
 */
import type { StepSource } from '../model.js';
import type { RuleDefinition } from '../rules/types.js';

export type { StepSource } from '../model.js';
export type { RuleMeta } from '../rules/types.js';
import type { EffectsKb } from './effects.js';

/** Where a fact was read: file and function at a pinned kernel version or commit. */
export interface Citation {
  file: string; // "drivers/pci/pci.c"
  function?: string; // "pci_restore_state"
  /** A version ("6.12.117 (Debian linux-source-6.12)") or "repo@commit". */
  at: string;
  note?: string;
}

/** One step of pci_restore_state() (or of pci_save_state()). */
export interface RestoreStep {
  id: string; // "tph", "config-space", "msi", ...
  function: string; // "pci_restore_tph_state"
  /** The matching save function, if any: "pci_save_tph_state". */
  saveFunction?: string;
  capability: string; // "ext TPH", "PCI_CAP_ID_EXP", "header"
  writes: string[]; // registers written, e.g. ["PCI_TPH_CTRL", "ST table"]
  source: StepSource;
  /** Human text of what gates the step: "live pdev->tph_enabled && tph_cap". */
  gate?: string;
  /** The step runs only when this live flag is set (used by rules): "tph_enabled". */
  liveGate?: string;
  /** Where the save buffer is allocated: "pci_tph_init() (drivers/pci/tph.c), whenever the capability exists". */
  buffer?: string;
  /** Writes device MMIO (MSI-X table) rather than config space. */
  mmio?: boolean;
  /** One line for tables: "TPH ext-cap save buffer, gated on live tph_enabled". */
  summary: string;
  /** First/last version with this step, where known ("6.13"). */
  since?: string;
  until?: string;
  notes?: string;
  citations: Citation[];
}

/** A stable branch whose later sublevels belong to a line or carry a fix: 6.18 from 6.18.10. */
export interface StableSince {
  branch: string; // "6.18"
  since: string; // "6.18.10"
  commit?: string;
}

/** A kernel line with its own ordered restore sequence. */
export interface KernelLine {
  id: string; // "6.1", "6.12", "6.13-6.18", "6.19+"
  title: string;
  /** Inclusive version bounds, "6.13" .. "6.18"; until absent = open-ended. */
  since: string;
  until?: string;
  /** Stable sublevels of older branches that have this line's shape (6.18.10+ for "6.19+"). */
  stable?: StableSince[];
  /**
   * The line's first release returns early from pci_restore_state() when !dev->state_saved.
   * Stable backports of a2f1e22390ac remove it: ask stateSavedGate() (src/kb/target.ts) for a target.
   */
  stateSavedGate: boolean;
  /** Step ids of pci_restore_state() in call order. */
  restore: string[];
  /** Step ids of pci_save_state() in call order. */
  save: string[];
  /** Steps called from inside another step's function, in call order: { pcie: ["ltr", "l1ss"] }. */
  nested?: Record<string, string[]>;
  /** Ordering facts worth stating in notes, e.g. COMMAND before the MSI-X table. */
  orderingFacts: string[];
  notes?: string;
  citations: Citation[];
}

/** The role a kernel function plays for save/restore. */
export type FunctionRole =
  | 'save'
  | 'store'
  | 'load'
  | 'restore'
  | 'reset'
  | 'reset-raw'
  | 'msix-mmio-writer'
  | 'tph-enable'
  | 'tph-disable'
  | 'tph-st-write'
  | 'command-write'
  | 'restore-step'
  | 'save-step';

export interface KernelFunction {
  name: string;
  roles: FunctionRole[];
  /** For resets: saves state before and restores it after (through pci_dev_save_and_disable/pci_dev_restore). */
  savesAndRestores?: boolean;
  /** err_handler callbacks it runs, in order. */
  callbacks?: string[];
  description: string;
  notes?: string;
  citations: Citation[];
  /** The body's MSI-X MMIO writes as C text, and the statements they sit between (per line: where they start). */
  mmioWrites?: { after: string; before: string; code: string; lines: Record<string, number> };
}

/** A path through vfio-pci that touches the snapshot: open, close, reset ioctl... */
export interface VfioPath {
  id: string; // "close-restore"
  function: string; // "vfio_pci_core_disable"
  kind: 'open' | 'close' | 'ioctl' | 'power' | 'error-handler';
  /** The save/restore-relevant calls it makes, in order. */
  calls: string[];
  description: string;
  /** Whether restoring the open-time snapshot here is valid (only on close). */
  restoresOpenSnapshot: boolean;
  citations: Citation[];
}

/** A known kernel fix, recognised in a tree by its code, not its version. */
export interface KnownFix {
  id: string; // "msix-memory-decoding"
  /** A few words for target descriptions: "MSI-X decoding fix". */
  short: string;
  title: string;
  commits: string[];
  /**
   * How to see it in a tree: the function (in `file`, else in the other files kb verify reads)
   * whose text matches every regex of `patterns` and none of `absent`.
   */
  recognise: { file: string; function: string; patterns?: string[]; absent?: string[] };
  /** Kernel lines that carry it regardless of tree inspection (mainline since...). */
  inLines?: string[];
  /** Kernel lines known not to carry it. */
  notInLines?: string[];
  /** Stable backports: versions of `branch` from `since` on carry it. */
  stable?: StableSince[];
  description: string;
  notes?: string;
  references: { title: string; url?: string; commit?: string }[];
}

/** The parsed, schema-valid contents of the facts files (rules/kb/*.yaml). */
export interface KbFiles {
  steps: RestoreStep[];
  lines: KernelLine[];
  nonStepCalls: string[];
  functions: KernelFunction[];
  paths: VfioPath[];
  fixes: KnownFix[];
  effects: EffectsKb;
}

export interface KnowledgeBase {
  /** The rules folder it was loaded from. */
  dir?: string;
  steps: Map<string, RestoreStep>;
  /** Calls inside pci_restore_state()/pci_save_state() that are not steps (pci_dbg...). */
  nonStepCalls?: string[];
  lines: KernelLine[];
  functions: Map<string, KernelFunction>;
  vfioPaths: VfioPath[];
  fixes: KnownFix[];
  /** What functions do to the device-state model (rules/kb/effects.yaml); absent in hand-built test KBs. */
  effects?: EffectsKb;
  /** Risk rules (metadata plus the engine's spec), from src/rules/load.ts. */
  rules: RuleDefinition[];
  /** The newest line: the default target. */
  newestLine(): KernelLine;
  line(id: string): KernelLine | undefined;
  /** The line a version string ("6.12.117", "6.15", "v6.19-rc1") falls into. */
  lineForVersion(version: string): KernelLine | undefined;
  /** Ordered restore steps of a line (top-level calls of pci_restore_state()). */
  restoreSteps(lineId: string): RestoreStep[];
}
