/**
 * What a compiled predicate looks at, as interfaces: the functions of a patch (subjects), the
 * calls they reach, the callback roles they play, and the few knowledge-base facts predicates
 * ask about. src/analyze/scope.ts implements World; the rule language only names what it needs,
 * so it depends on neither the analyzer nor the facts loader.
 */
import type { FunctionChange, StepSource, TargetInfo, TraceStep } from '../model.js';

/** A line of the diff inside a function. */
export interface SubjectLine {
  line: number;
  text: string;
}

/** A function as rules see it, whether the patch changed it or not. */
export interface Subject {
  name: string;
  file: string;
  change: 'added' | 'modified' | 'removed' | 'unchanged';
  /** Where it came from: this patch, another part of the series, or the tree's call graph. */
  origin: 'patch' | 'series' | 'tree';
  calls: string[];
  addedCalls: string[];
  removedCalls: string[];
  addedIdentifiers: string[];
  removedIdentifiers: string[];
  /** '+' lines of the function, new side. */
  added: SubjectLine[];
  /** '-' lines of the function, with the new-side line they sit before. */
  removed: SubjectLine[];
  /** Every diff line of the function on the new side (context and added). */
  diffLines: SubjectLine[];
  /** Known-call order on each side of the diff (' ' and '-' lines; ' ' and '+' lines). */
  oldSeq: string[];
  newSeq: string[];
  /** For a function the patch does not change but newly wires up: the added `.field = fn` line. */
  wiredAt?: SubjectLine;
  body: string;
  newLine?: number;
  fc?: FunctionChange;
}

/** A call reached from a subject: `first` is the call made in the subject itself. */
export interface Reach {
  callee: string;
  first: string;
  path: string[];
  /** Reached through a call the patch adds (or a function it adds or newly wires up). */
  isNew: boolean;
}

export interface RoleInfo {
  role: string;
  /** Set when inherited from a caller: the caller's name. */
  via?: string;
  /** The patch adds this assignment. */
  added?: boolean;
}

/** What step selectors read of a restore step (src/kb/types.ts RestoreStep has all of it). */
export interface StepFacts {
  id: string;
  function: string;
  saveFunction?: string;
  source: StepSource;
  mmio?: boolean;
  liveGate?: string;
}

/** A compiled step selector: does a restore step of the target match (given the calls seen)? */
export type StepTest = (st: StepFacts, calls: readonly string[]) => boolean;

/** What `kbPath` reads of a vfio-pci path (src/kb/types.ts VfioPath). */
export interface PathFacts {
  id: string;
  function: string;
  kind: string;
  restoresOpenSnapshot: boolean;
}

/** A compiled call matcher: does a callee match (name, KB role, known step...)? */
export interface CallTest {
  test(callee: string, world: World): boolean;
  /** Only calls the patch adds (or reaches through a function it adds or newly wires up). */
  onlyNew: boolean;
}

/** The world of one patch, as predicates query it. */
export interface World {
  readonly subjects: Subject[];
  /** Every function known by name (patch first, then series, then tree). */
  readonly byName: Map<string, Subject>;
  readonly vfioPaths: readonly PathFacts[];
  /** Callback roles of a function: its own, then those of its callers (nearest first). */
  roles(name: string): RoleInfo[];
  /** Roles the patch newly assigns to this function. */
  newRoles(name: string): string[];
  /** The roles the knowledge base gives a kernel function (rules/kb/functions.yaml, steps). */
  kbRoles(name: string): readonly string[];
  /** Is the callee a step of pci_restore_state()/pci_save_state() the knowledge base knows? */
  isKnownStep(callee: string, of: 'restore' | 'save'): boolean;
  /** Does the knowledge base know the callee at all (a function, a step, a non-step call)? */
  isKnownCall(callee: string): boolean;
  /** Calls reachable from a subject that match, through helpers known to the world. */
  reaches(s: Subject, m: CallTest): Reach[];
  /** Does calling `callee` end up in a call matching `m` (itself, or through helpers)? */
  leadsTo(callee: string, m: CallTest): boolean;
  /**
   * The shortest witness of a device-state property (src/state) that runs through the subject
   * on the target, with the premises it could not see; undefined when there is none.
   */
  witness?(p: PropertyPredicate, s: Subject, target: TargetInfo): Witness | undefined;
}

/** A property's witness through a subject, and what it saw there. */
export interface Witness {
  trace: TraceStep[];
  conditions: string[];
  /** Placeholders the property fills (unknown-step: {{unknown}}, {{expected}}, {{gate}}, {{later}}). */
  bindings?: Record<string, string>;
  /** The line of the subject the witness ends on (where the note points when no anchor matches). */
  line?: number;
  /** The calls it is about (for `steps: fromCalls` and {{calls}}). */
  calls?: string[];
}

/** What a successful evaluation saw, for anchors, steps and message placeholders. */
export interface Evidence {
  reaches: Reach[];
  calls: string[];
  identifiers: string[];
  codeLines: number[];
  roles: string[];
  steps: StepFacts[];
  /** Values bound by `as:` (first binding of a name wins). */
  bindings: Record<string, string>;
  /**
   * A witness a key computed (the event sequence that reaches the risk): the first one kept
   * becomes Finding.trace. Keys that explore the device lifecycle set it.
   */
  trace?: TraceStep[];
  /** Premises the key could not see, one sentence each: they become Finding.conditions. */
  conditions: string[];
}

export function emptyEvidence(): Evidence {
  return { reaches: [], calls: [], identifiers: [], codeLines: [], roles: [], steps: [], bindings: {}, conditions: [] };
}

export function mergeEvidence(into: Evidence, from: Evidence): void {
  into.reaches.push(...from.reaches);
  into.calls.push(...from.calls);
  into.identifiers.push(...from.identifiers);
  into.codeLines.push(...from.codeLines);
  into.roles.push(...from.roles);
  into.steps.push(...from.steps);
  for (const [k, v] of Object.entries(from.bindings)) if (!(k in into.bindings)) into.bindings[k] = v;
  into.trace ??= from.trace;
  for (const c of from.conditions) if (!into.conditions.includes(c)) into.conditions.push(c);
}

/** Everything a matcher may read besides the subject. */
export interface EvalEnv {
  world: World;
  target: TargetInfo;
  /** Restore steps of the target, in call order (nested steps after their parent). */
  steps: StepFacts[];
  /** Does the target's pci_restore_state() return early on !state_saved (undefined: unknown)? */
  stateSavedGate: boolean | undefined;
}

/** A compiled predicate. On success it adds what it saw to `ev`; on failure `ev` is untouched. */
export type Matcher = (s: Subject, env: EvalEnv, ev: Evidence) => boolean;

/** The `property:` key: which property of the device-state model, and how the function takes part. */
export interface PropertyPredicate {
  id: 'msix-memory-off' | 'tph-zeroed' | 'stale-user-state' | 'gated-noop' | 'unknown-step';
  /** On the call stack of the risk, producing its premise, or wired into its event by the patch (default: any). */
  via?: ('stack' | 'enabler' | 'event')[];
  /** Only witnesses whose premise the tool sees (no assumed event). */
  seen?: boolean;
  /** unknown-step: only these kinds of event (a new call, a device write, an early return, a step moved or dropped). */
  kind?: ('call' | 'write' | 'return' | 'moved' | 'removed')[];
}
