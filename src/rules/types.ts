/**
 * The rule language as data: what rules/<area>/<name>.yaml and rules/common.yaml hold once
 * read and validated (plain JSON-able objects, no functions), and the metadata reporters need.
 * src/rules/vocabulary.ts compiles the predicates into matchers; this file depends on nothing
 * but the stage contracts, so the facts' types (src/kb/types.ts) can name rules without a cycle.
 */
import type { Severity, StepSource } from '../model.js';
import type { CallTest, Matcher, PropertyPredicate, StepTest } from './world.js';

export type { PropertyPredicate } from './world.js';

/** A risk rule's metadata, as reporters (SARIF, explain, rules list) need it. */
export interface RuleMeta {
  id: string; // "snapshot/stale-restore"
  type: string; // "SNAPSHOT_STALE_RESTORE"
  severity: Severity;
  title: string;
  description: string;
  references: { title: string; url?: string; commit?: string }[];
  /** Path of the YAML file, relative to the project root. */
  file: string;
}

/** A name, a list of names; an entry written /like this/ is a regular expression. */
export type Names = string | string[];

/** Matches a callee by name, by its KB role, or by being (or not being) a known restore/save step. */
export interface CallMatcher {
  name?: Names;
  role?: Names;
  kbStep?: 'restore' | 'save';
  unknownStep?: 'restore' | 'save';
  exclude?: Names;
  /** Reached through a call the patch adds (or a function it adds or newly wires up). */
  new?: boolean;
}

/** Selects restore steps of the target line. */
export interface StepSelector {
  id?: Names;
  function?: Names;
  source?: StepSource[];
  mmio?: boolean;
  liveGate?: string;
  fromCalls?: boolean;
}

/** The trigger vocabulary: every key of one object must hold. */
export interface Predicate {
  all?: Predicate[];
  any?: Predicate[];
  not?: Predicate;
  ref?: string;
  file?: Names;
  name?: Names;
  change?: ('added' | 'modified' | 'removed')[];
  role?: Names;
  newRole?: Names;
  /**
   * A role the knowledge base gives the function itself (rules/kb/functions.yaml, plus
   * restore-step / save-step for step functions), so that rules name roles, not function lists.
   */
  kbRole?: Names;
  calls?: CallMatcher;
  addsCall?: CallMatcher;
  removesCall?: CallMatcher;
  movesCall?: CallMatcher;
  reaches?: CallMatcher;
  identifier?: Names;
  removedIdentifier?: Names;
  code?: string;
  body?: string;
  before?: { pattern: string; call: CallMatcher };
  kbPath?: { restoresOpenSnapshot?: boolean; id?: Names; kind?: 'open' | 'close' | 'ioctl' | 'power' | 'error-handler' };
  target?: {
    step?: StepSelector;
    fix?: string;
    fixMissing?: string;
    fixUnknown?: string;
    stateSavedGate?: boolean;
    line?: Names;
  };
  elsewhere?: Predicate;
  /** A witness of a device-state property (src/state) runs through the function. */
  property?: PropertyPredicate;
  /** Binds what the other keys of this object matched to the placeholder {{as}}. */
  as?: string;
}

/** A named predicate of rules/common.yaml, with the words {{context}} uses when it holds. */
export interface NamedPredicate extends Predicate {
  phrase?: string;
}

export interface Anchor {
  call?: CallMatcher;
  code?: string;
  removed?: CallMatcher;
}

export interface Variant {
  when: Predicate;
  severity?: Severity;
  /** Message key that replaces `what`. */
  what?: string;
  /** Message key that replaces `fix`. */
  fixWith?: string;
  add?: string[];
  fix?: string[];
  stop?: boolean;
}

/** The engine's part of a rule: what triggers it and what the note says. */
export interface RuleSpec extends RuleMeta {
  messages: { what: string; why: string; fix: string; [key: string]: string };
  suggestion?: string;
  /**
   * When the fix is a concrete change of the anchored line: a regex over that line and what
   * to put in its place ($1.. groups; \n for more lines). GitHub offers it as a suggestion.
   */
  replacement?: { match: string; with: string };
  trigger: Predicate;
  anchor?: Anchor[];
  steps?: StepSelector[];
  variants?: Variant[];
  tags?: string[];
  /** Markdown documentation (the `doc` field, or <name>.md beside the rule). */
  doc?: string;
  /** Path of the documentation file when it is a separate .md, relative to the project root. */
  docFile?: string;
  /** Path of the test cases file (<name>.test.yaml) when present, relative to the project root. */
  testFile?: string;
  /** Placeholder values the rule supplies when none of its `as:` bindings matched. */
  defaults?: Record<string, string>;
  /** Named predicates shared by all rules (rules/common.yaml), for `ref:`. */
  shared?: Record<string, NamedPredicate>;
}

/**
 * A loaded risk rule: the metadata reporters need plus the engine's spec. The spec fields are
 * optional in the type so that reporters' fixtures can build metadata-only rules; loadRules
 * always fills them (isRuleSpec).
 */
export interface RuleDefinition extends RuleMeta, Partial<Omit<RuleSpec, keyof RuleMeta>> {
  /** Set by compileRules (src/rules/compile.ts): the matchers the analyzer runs. */
  compiled?: CompiledParts;
  [key: string]: unknown;
}

/** Does a rule carry the engine's spec (always true for rules from loadRules)? */
export function isRuleSpec(rule: RuleDefinition): rule is RuleDefinition & RuleSpec {
  return typeof rule.trigger === 'object' && rule.trigger !== null && typeof rule.messages === 'object';
}

/** A rule as the analyzer runs it: its data plus its compiled matchers. */
export type CompiledRule = RuleSpec & RuleDefinition & { compiled: CompiledParts };

/** Is the rule compiled (always true for rules from loadKnowledgeBase)? */
export function isCompiled(rule: RuleDefinition): rule is CompiledRule {
  return isRuleSpec(rule) && rule.compiled !== undefined;
}

/** rules/common.yaml: shared named predicates and the fallback {{context}} phrase. */
export interface CommonDefinitions {
  predicates: Record<string, NamedPredicate>;
  /** {{context}} when the function has no callback role and no named predicate's phrase holds. */
  unknownContext?: string;
}

/** Everything under rules/ that is rule language (not facts), as plain data. */
export interface RuleSet {
  common: CommonDefinitions;
  /** Where common came from, relative to the project ("rules/common.yaml"), for errors. */
  commonFile: string;
  /** Sorted by id. */
  rules: RuleSpec[];
}

/** The compiled form of rules/common.yaml, shared by every compiled rule. */
export interface CompiledCommon {
  shared: ReadonlyMap<string, Matcher>;
  /** Named predicates with a `phrase`, in file order: the first that holds names {{context}}. */
  contexts: { name: string; phrase: string; when: Matcher }[];
  unknownContext: string;
}

/** A rule's matchers, index-aligned with its data (variants[i] is rule.variants[i].when). */
export interface CompiledParts {
  trigger: Matcher;
  variants: Matcher[];
  anchors: { call?: CallTest; code?: RegExp; removed?: CallTest }[];
  steps: StepTest[];
  common: CompiledCommon;
  replacement?: { match: RegExp; with: string };
}

