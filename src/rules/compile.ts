/**
 * Compile the rule set (plain data from src/rules/load.ts, or a snapshot of it) into matchers,
 * once, through the vocabulary registry (src/rules/vocabulary.ts). Every regex, glob, name
 * list and ref is checked here: a problem is a UserError naming the file, the entry and the
 * field ("rules/common.yaml: predicate 'close-path', field 'any[2].name': '(x' is not a valid
 * regular expression (...)"), so nothing compiles a pattern during a review.
 */
import { UserError } from '../errors.js';
import type { CompiledCommon, CompiledParts, CompiledRule, NamedPredicate, Predicate, RuleSet, RuleSpec } from './types.js';
import { mergeEvidence, emptyEvidence, type Matcher } from './world.js';
import { FieldError, compileGlobs, compileNames, compileRegex } from './patterns.js';
import { PREDICATE_KEYS, compileCall, compileSteps, predicateKey, unknownKey, type CompileContext } from './vocabulary.js';

// Only for a rules folder without common.yaml (a test's): the shipped phrase is common.yaml's unknownContext.
const DEFAULT_UNKNOWN_CONTEXT = 'a path whose caller this patch does not show';

/** A compiler over one rule set: shared predicates by name, compiled on first use. */
class Compiler {
  private readonly shared = new Map<string, Matcher>();
  private readonly compiling = new Set<string>();

  constructor(
    private readonly common: Record<string, NamedPredicate>,
    /** How rules/common.yaml is named in errors (relative to the project). */
    readonly commonFile: string,
  ) {}

  context(field: string): CompileContext {
    return {
      field,
      predicate: (p, f) => this.predicate(p, f),
      ref: (name, f) => this.ref(name, f),
      names: compileNames,
      globs: compileGlobs,
      regex: compileRegex,
      call: (m, f) => compileCall(m, this.context(f)),
      steps: (sel, f) => compileSteps(sel, this.context(f)),
    };
  }

  /** One predicate object: every key holds; what they saw is kept only when all do. */
  predicate(p: Predicate, field: string): Matcher {
    const parts: Matcher[] = [];
    const present = new Set(Object.keys(p).filter((k) => (p as Record<string, unknown>)[k] !== undefined));
    for (const k of present) if (k !== 'phrase' && !predicateKey(k)) unknownKey(field, k);
    // registry order, not the YAML's: `as` runs after the keys whose matches it binds
    for (const entry of PREDICATE_KEYS) {
      if (!present.has(entry.key)) continue;
      parts.push(entry.compile((p as Record<string, never>)[entry.key], this.context(field ? `${field}.${entry.key}` : entry.key)));
    }
    return (s, env, ev) => {
      const local = emptyEvidence();
      for (const m of parts) if (!m(s, env, local)) return false;
      mergeEvidence(ev, local);
      return true;
    };
  }

  /** A `ref:`: must name a shared predicate; refs that loop back are an error. */
  ref(name: string, field: string): Matcher {
    if (!(name in this.common)) throw new FieldError(field, `no predicate named '${name}' in ${this.commonFile}`);
    const done = this.shared.get(name);
    if (done) return done;
    if (this.compiling.has(name)) throw new FieldError(field, `predicate '${name}' refers to itself (through ${[...this.compiling].join(' -> ')})`);
    this.compiling.add(name);
    try {
      const m = this.predicate(this.common[name], '');
      this.shared.set(name, m);
      return m;
    } catch (err) {
      // a problem inside a shared predicate is that predicate's, wherever it was referred from
      if (err instanceof FieldError && !err.sharedEntry) throw new FieldError(err.field, err.message, `predicate '${name}'`);
      throw err;
    } finally {
      this.compiling.delete(name);
    }
  }

  /** Every shared predicate, each error naming the predicate in rules/common.yaml. */
  compileCommon(unknownContext: string | undefined): CompiledCommon {
    const contexts: CompiledCommon['contexts'] = [];
    for (const [name, p] of Object.entries(this.common)) {
      const when = withEntry(this.commonFile, this.commonFile, `predicate '${name}'`, () => this.ref(name, `predicates.${name}`));
      if (p.phrase) contexts.push({ name, phrase: p.phrase, when });
    }
    return { shared: this.shared, contexts, unknownContext: unknownContext ?? DEFAULT_UNKNOWN_CONTEXT };
  }
}

/** Turn a FieldError into the user's one line: file, entry, field. */
function withEntry<T>(file: string, commonFile: string, entry: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof FieldError) {
      const field = err.field.replace(/^\./, '');
      const where = err.sharedEntry ?? entry;
      throw new UserError(`${where}${field ? `, field '${field}'` : ''}: ${err.message}`, err.sharedEntry ? commonFile : file);
    }
    throw err;
  }
}

function compileRule(rule: RuleSpec, c: Compiler, common: CompiledCommon): CompiledParts {
  const cx = (f: string) => c.context(f);
  const trigger = c.predicate(rule.trigger, 'trigger');
  const variants = (rule.variants ?? []).map((v, i) => {
    for (const k of [...(v.what ? [v.what] : []), ...(v.fixWith ? [v.fixWith] : []), ...(v.add ?? []), ...(v.fix ?? [])])
      if (!(k in rule.messages)) throw new FieldError(`variants[${i}]`, `message '${k}' is not in messages`);
    return c.predicate(v.when, `variants[${i}].when`);
  });
  const anchors = (rule.anchor ?? []).map((a, i) => ({
    ...(a.call ? { call: compileCall(a.call, cx(`anchor[${i}].call`)) } : {}),
    ...(a.code !== undefined ? { code: compileRegex(a.code, `anchor[${i}].code`) } : {}),
    ...(a.removed ? { removed: compileCall(a.removed, cx(`anchor[${i}].removed`)) } : {}),
  }));
  const steps = (rule.steps ?? []).map((sel, i) => compileSteps(sel, cx(`steps[${i}]`)));
  const replacement = rule.replacement ? { match: compileRegex(rule.replacement.match, 'replacement.match'), with: rule.replacement.with } : undefined;
  return { trigger, variants, anchors, steps, common, ...(replacement ? { replacement } : {}) };
}

/**
 * Compile a rule set. Returns the rules with `compiled` and `shared` set (new objects; the
 * input is not changed, so a snapshot can be compiled any number of times).
 */
export function compileRules(set: RuleSet): CompiledRule[] {
  const c = new Compiler(set.common.predicates, set.commonFile);
  const common = c.compileCommon(set.common.unknownContext);
  return set.rules.map((rule) => {
    const compiled = withEntry(rule.file, set.commonFile, `rule '${rule.id}'`, () => compileRule(rule, c, common));
    return { ...rule, shared: set.common.predicates, compiled } as CompiledRule;
  });
}
