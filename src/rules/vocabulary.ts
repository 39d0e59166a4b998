/**
 * THE predicate vocabulary of rules/<area>/<name>.yaml and rules/common.yaml: every key is
 * defined here once, with its JSON Schema fragment, the line the rules README shows for it, and
 * the function that compiles its value into a matcher. The predicate part of
 * rules/schema/rule.schema.json and the vocabulary tables of rules/README.md are generated from
 * this file (`npm run gen:rules`; test/rules/generated.test.ts fails when they are stale), and
 * src/rules/compile.ts compiles every rule through it at load, so a pattern that does not
 * compile is a load error naming file, entry and field, never a crash in a review.
 *
 * Adding a key (for example `property:`, which runs the state model over a subject):
 *   1. add the field to `Predicate` in src/rules/types.ts;
 *   2. add one `key({...})` entry to PREDICATE_KEYS below: `schema` (a JSON Schema fragment;
 *      `{ $ref: '#/definitions/predicate' }` etc. are available), `doc` (one line, "holds when
 *      the function ..."), and `compile(value, cx)` returning a Matcher. Compile everything the
 *      value holds once, here (cx.regex/cx.names/cx.globs/cx.call/cx.steps throw a FieldError
 *      naming the field); the returned matcher only reads (subject, env) and pushes what it saw
 *      into `ev` (reaches, calls, steps, ...), which anchors, `as:` and placeholders use. A key
 *      that needs more of the world than src/rules/world.ts offers adds a method to World (and
 *      src/analyze/scope.ts implements it); a matcher never reads files. A key that computes a
 *      witness sets `ev.trace` (the first one kept becomes Finding.trace) and pushes premises it
 *      could not see to `ev.conditions` (Finding.conditions);
 *   3. `npm run gen:rules`, and a rule case that uses it.
 * Entries run in the order listed, `as` last, so `as` binds what the other keys of its object saw.
 */
import type { CallMatcher, Names, Predicate, StepSelector } from './types.js';
import { emptyEvidence, type CallTest, type Matcher, type StepTest, type Subject, type World } from './world.js';
import { FieldError, type NameTest } from './patterns.js';

/** A JSON Schema fragment (draft-07), as written in rule.schema.json. */
export type JsonSchema = Record<string, unknown>;

/** What a key's compile function may use; every helper throws FieldError naming `field`. */
export interface CompileContext {
  /** This key's field below the entry, e.g. "trigger.all[1].reaches". */
  field: string;
  predicate(p: Predicate, field: string): Matcher;
  /** A named predicate of rules/common.yaml (checked to exist; resolved when first run). */
  ref(name: string, field: string): Matcher;
  names(n: Names, field: string): NameTest;
  globs(g: Names, field: string): NameTest;
  regex(src: string, field: string): RegExp;
  call(m: CallMatcher, field: string): CallTest;
  steps(sel: StepSelector, field: string): StepTest;
}

export interface VocabularyKey<V> {
  key: string;
  schema: JsonSchema;
  /** One line for the rules README: what must hold. */
  doc: string;
  compile(value: V, cx: CompileContext): Matcher;
}

type PredicateKey = VocabularyKey<never>;

/** Typed entry of PREDICATE_KEYS: `value` is the type of Predicate[K]. */
function key<K extends keyof Predicate>(e: VocabularyKey<NonNullable<Predicate[K]>> & { key: K }): PredicateKey {
  return e as unknown as PredicateKey;
}

const NAMES = { $ref: '#/definitions/names' };
const CALL = { $ref: '#/definitions/callMatcher' };
const PREDICATE = { $ref: '#/definitions/predicate' };
const unique = (list: string[]) => [...new Set(list)];

/** Record what matched in an evidence list; the key holds when anything did. */
function saw<T>(list: T[], hit: T[]): boolean {
  list.push(...hit);
  return hit.length > 0;
}

/** Calls of a list that match, unique, in order. */
function callHits(list: string[], m: CallTest, world: World): string[] {
  return unique(list).filter((c) => m.test(c, world));
}

/** The first line of `s.body` calling something that leads to `call`, and the column. */
function firstCallLeadingTo(s: Subject, call: CallTest, world: World): { line: number; col: number } | undefined {
  const lines = s.body.split('\n');
  for (let i = 0; i < lines.length; i++)
    for (const m of lines[i].matchAll(/\b([A-Za-z_]\w*)\s*\(/g)) if (m[1] !== s.name && world.leadsTo(m[1], call)) return { line: i, col: m.index ?? 0 };
  return undefined;
}

export const PREDICATE_KEYS: readonly PredicateKey[] = [
  key({
    key: 'all',
    schema: { type: 'array', minItems: 1, items: PREDICATE },
    doc: 'every predicate of the list holds',
    compile: (list, cx) => {
      const ms = list.map((q, i) => cx.predicate(q, `${cx.field}[${i}]`));
      return (s, env, ev) => ms.every((m) => m(s, env, ev));
    },
  }),
  key({
    key: 'any',
    schema: { type: 'array', minItems: 1, items: PREDICATE },
    doc: 'at least one predicate of the list holds (what each one that holds saw is kept)',
    compile: (list, cx) => {
      const ms = list.map((q, i) => cx.predicate(q, `${cx.field}[${i}]`));
      return (s, env, ev) => ms.map((m) => m(s, env, ev)).some(Boolean);
    },
  }),
  key({
    key: 'not',
    schema: PREDICATE,
    doc: 'the predicate does not hold',
    compile: (p, cx) => {
      const m = cx.predicate(p, cx.field);
      return (s, env) => !m(s, env, emptyEvidence());
    },
  }),
  key({
    key: 'ref',
    schema: { type: 'string', description: 'a named predicate from rules/common.yaml' },
    doc: 'the named predicate of `common.yaml` holds (`ref: close-path`)',
    compile: (name, cx) => cx.ref(name, cx.field),
  }),
  key({
    key: 'file',
    schema: { ...NAMES, description: 'picomatch globs on the file path' },
    doc: 'is in a file matching a glob (`drivers/vfio/pci/**`)',
    compile: (g, cx) => {
      const t = cx.globs(g, cx.field);
      return (s) => t(s.file);
    },
  }),
  key({
    key: 'name',
    schema: { ...NAMES, description: "the function's name" },
    doc: 'has this name (`/regex/` allowed; prefer `kbRole`, `role` or `kbPath` where the knowledge base or an initialiser knows it)',
    compile: (n, cx) => {
      const t = cx.names(n, cx.field);
      return (s) => t(s.name);
    },
  }),
  key({
    key: 'change',
    schema: { type: 'array', items: { enum: ['added', 'modified', 'removed'] } },
    doc: 'was added / modified / removed by the patch',
    compile: (list) => (s) => (list as string[]).includes(s.change),
  }),
  key({
    key: 'role',
    schema: { ...NAMES, description: 'callback role of the function (own, from the patch, or inherited from a caller)' },
    doc: 'is wired to a callback role (`.reset_done = fn`; from the patch, the series, the tree, or inherited from a caller)',
    compile: (n, cx) => {
      const t = cx.names(n, cx.field);
      return (s, env, ev) => {
        const hit = env.world.roles(s.name).filter((r) => t(r.role));
        return saw(ev.roles, hit.map((r) => r.role));
      };
    },
  }),
  key({
    key: 'newRole',
    schema: { ...NAMES, description: 'a callback role the patch newly assigns' },
    doc: 'is newly wired to a callback role by this patch',
    compile: (n, cx) => {
      const t = cx.names(n, cx.field);
      return (s, env, ev) => {
        const hit = env.world.newRoles(s.name).filter(t);
        return saw(ev.roles, hit);
      };
    },
  }),
  key({
    key: 'kbRole',
    schema: {
      ...NAMES,
      description:
        'a role the knowledge base gives the function itself (rules/kb/functions.yaml, plus restore-step / save-step for the functions of restore-steps.yaml): msix-mmio-writer, load, restore, ...',
    },
    doc: 'is a kernel function the knowledge base gives this role (`kb/functions.yaml`: `msix-mmio-writer`, `load`, ...; `restore-step` / `save-step` for the step functions): name the role rather than list functions, so a function added to the KB reaches the rules',
    compile: (n, cx) => {
      const t = cx.names(n, cx.field);
      return (s, env) => env.world.kbRoles(s.name).some(t);
    },
  }),
  ...(['calls', 'addsCall', 'removesCall', 'movesCall'] as const).map((k) =>
    key({
      key: k,
      schema: {
        ...CALL,
        description: {
          calls: 'a direct call in the post-patch body',
          addsCall: "a call on a '+' line",
          removesCall: "a call on a '-' line, not added back",
          movesCall: 'a call both removed and added (reordered)',
        }[k],
      },
      doc: {
        calls: 'calls a matching function (post-patch body)',
        addsCall: 'calls it on a `+` line',
        removesCall: 'calls it on a `-` line and not on a `+` line',
        movesCall: 'removes and re-adds it, and its order among the other matching calls changed',
      }[k],
      compile: (m: CallMatcher, cx: CompileContext): Matcher => {
        const t = cx.call(m, cx.field);
        return (s, env, ev) => {
          const w = env.world;
          let hit: string[];
          if (k === 'calls') hit = callHits(s.calls, t, w);
          else if (k === 'addsCall') hit = callHits(s.addedCalls, t, w);
          else if (k === 'removesCall') hit = callHits(s.removedCalls, t, w).filter((c) => !s.addedCalls.includes(c));
          else {
            const removed = new Set(s.removedCalls);
            const order = (seq: string[]) => unique(seq.filter((c) => t.test(c, w)));
            const before = order(s.oldSeq);
            const after = order(s.newSeq);
            const common = before.filter((c) => after.includes(c));
            const changed = common.join('\0') !== after.filter((c) => common.includes(c)).join('\0');
            hit = changed ? callHits(s.addedCalls, t, w).filter((c) => removed.has(c)) : [];
          }
          return saw(ev.calls, hit);
        };
      },
    }),
  ),
  key({
    key: 'reaches',
    schema: { ...CALL, description: 'a call reachable through helpers in the patch, the series or the tree' },
    doc: 'reaches a call through helpers of the patch, the series, or (with --tree) the post-patch call graph; `new: true` = through a call the patch adds',
    compile: (m, cx) => {
      const t = cx.call(m, cx.field);
      return (s, env, ev) => {
        const hit = env.world.reaches(s, t);
        return saw(ev.reaches, hit);
      };
    },
  }),
  ...(['identifier', 'removedIdentifier'] as const).map((k) =>
    key({
      key: k,
      schema: { ...NAMES, description: k === 'identifier' ? 'an identifier on an added line' : 'an identifier on a removed line' },
      doc: `has the identifier on a \`${k === 'identifier' ? '+' : '-'}\` line (\`state_saved\`, \`PCI_COMMAND_MEMORY\`)`,
      compile: (n: Names, cx: CompileContext): Matcher => {
        const t = cx.names(n, cx.field);
        return (s, _env, ev) => {
          const hit = (k === 'identifier' ? s.addedIdentifiers : s.removedIdentifiers).filter(t);
          return saw(ev.identifiers, hit);
        };
      },
    }),
  ),
  key({
    key: 'code',
    schema: { type: 'string', description: 'regex over the added lines of the function' },
    doc: 'an added line matches the regex',
    compile: (src, cx) => {
      const re = cx.regex(src, cx.field);
      return (s, _env, ev) => {
        const hit = s.added.filter((l) => re.test(l.text));
        return saw(ev.codeLines, hit.map((l) => l.line));
      };
    },
  }),
  key({
    key: 'body',
    schema: { type: 'string', description: 'regex over the post-patch body' },
    doc: 'the post-patch body (or the fragment seen) matches the regex',
    compile: (src, cx) => {
      const re = cx.regex(src, cx.field);
      return (s) => re.test(s.body);
    },
  }),
  key({
    key: 'before',
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['pattern', 'call'],
      properties: { pattern: { type: 'string' }, call: CALL },
      description: 'the regex matches a body line before the first call matching `call`',
    },
    doc: 'the regex `pattern` matches the body before the first call that leads to `call`',
    compile: (b, cx) => {
      const re = cx.regex(b.pattern, `${cx.field}.pattern`);
      const call = cx.call(b.call, `${cx.field}.call`);
      return (s, env) => {
        const at = firstCallLeadingTo(s, call, env.world);
        if (!at) return false;
        const lines = s.body.split('\n');
        return [...lines.slice(0, at.line), lines[at.line].slice(0, at.col)].some((l) => re.test(l));
      };
    },
  }),
  key({
    key: 'kbPath',
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        restoresOpenSnapshot: { type: 'boolean' },
        id: NAMES,
        kind: { enum: ['open', 'close', 'ioctl', 'power', 'error-handler'] },
      },
      description: 'the function is a vfio-pci path the KB knows',
    },
    doc: 'is a vfio-pci path of `kb/vfio-paths.yaml` (`restoresOpenSnapshot`, `id`, `kind`)',
    compile: (kp, cx) => {
      const id = kp.id === undefined ? undefined : cx.names(kp.id, `${cx.field}.id`);
      return (s, env) =>
        env.world.vfioPaths.some(
          (vp) =>
            vp.function === s.name &&
            (kp.restoresOpenSnapshot === undefined || vp.restoresOpenSnapshot === kp.restoresOpenSnapshot) &&
            (kp.kind === undefined || vp.kind === kp.kind) &&
            (!id || id(vp.id)),
        );
    },
  }),
  key({
    key: 'target',
    schema: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: {
        step: { $ref: '#/definitions/stepSelector' },
        fix: { type: 'string', description: 'the target carries this known fix' },
        fixMissing: { type: 'string', description: 'the target is known to lack it' },
        fixUnknown: { type: 'string', description: 'whether the target carries it is not known' },
        stateSavedGate: { type: 'boolean' },
        line: NAMES,
      },
    },
    doc: 'the target kernel has a step (`step: {id: tph}`), carries / lacks / may carry a known fix (`fix`, `fixMissing`, `fixUnknown`), has the `state_saved` gate, is a line',
    compile: (t, cx) => {
      const step = t.step ? cx.steps(t.step, `${cx.field}.step`) : undefined;
      const line = t.line === undefined ? undefined : cx.names(t.line, `${cx.field}.line`);
      return (_s, env, ev) => {
        if (step) {
          const hit = env.steps.filter((st) => step(st, []));
          if (!hit.length) return false;
          ev.steps.push(...hit);
        }
        if (t.fix !== undefined && env.target.fixes[t.fix] !== true) return false;
        if (t.fixMissing !== undefined && env.target.fixes[t.fixMissing] !== false) return false;
        if (t.fixUnknown !== undefined && env.target.fixes[t.fixUnknown] !== undefined) return false;
        if (t.stateSavedGate !== undefined && env.stateSavedGate !== t.stateSavedGate) return false;
        return !line || line(env.target.line);
      };
    },
  }),
  key({
    key: 'property',
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['id'],
      properties: {
        id: { enum: ['msix-memory-off', 'tph-zeroed', 'stale-user-state', 'gated-noop', 'unknown-step'] },
        via: { type: 'array', items: { enum: ['stack', 'enabler', 'event'] } },
        seen: { type: 'boolean' },
        kind: { type: 'array', items: { enum: ['call', 'write', 'return', 'moved', 'removed'] }, description: 'unknown-step: only these kinds of event' },
      },
      description:
        'a witness of a device-state property (src/state, rules/kb/effects.yaml) runs through the function: on the call stack (stack), producing the premise (enabler) or wired into the event by the patch (event); seen: the premise is visible, not assumed',
    },
    doc: 'a witness of a device-state property (`msix-memory-off`, `tph-zeroed`, `stale-user-state`, `gated-noop`; rules/kb/README.md) runs through the function: on its call stack (`via: [stack]`), producing the premise (`enabler`) or wired into the event by the patch (`event`); `seen: true` refuses assumed premises; `unknown-step` (the walk of `pci_save_state()`/`pci_restore_state()` and the step bodies) holds in the function with the added line, `kind:` picks its events (`call`, `write`, `return`, `moved`, `removed`); the witness becomes the trace',
    compile: (p) => (s, env, ev) => {
      const w = env.world.witness?.(p, s, env.target);
      if (!w) return false;
      ev.trace ??= w.trace;
      for (const c of w.conditions) if (!ev.conditions.includes(c)) ev.conditions.push(c);
      for (const [k, v] of Object.entries(w.bindings ?? {})) if (!(k in ev.bindings)) ev.bindings[k] = v;
      if (w.line !== undefined) ev.codeLines.push(w.line);
      for (const c of w.calls ?? []) if (!ev.calls.includes(c)) ev.calls.push(c);
      return true;
    },
  }),
  key({
    key: 'elsewhere',
    schema: { ...PREDICATE, description: 'another function in scope (patch, series, tree files) satisfies this' },
    doc: 'another function in scope (the patch, the series, the tree files) satisfies the predicate',
    compile: (p, cx) => {
      const m = cx.predicate(p, cx.field);
      return (s, env) => {
        const w = env.world;
        const others = [...new Set([...w.subjects, ...w.byName.values()])].filter((o) => o !== s && o.name !== s.name);
        return others.some((o) => m(o, env, emptyEvidence()));
      };
    },
  }),
  key({
    key: 'as',
    schema: { type: 'string', pattern: '^[A-Za-z][\\w-]*$', description: 'binds what the other keys of this object matched to {{NAME}}' },
    doc: 'binds what the other keys of this object matched (the callee reached or called, the step, the identifier) to the placeholder `{{NAME}}`: `reaches: {role: load}, as: load`',
    compile: (name) => (_s, _env, ev) => {
      const value = ev.reaches[0]?.callee ?? ev.calls[0] ?? ev.steps[0]?.function;
      const bound = value !== undefined ? `${value}()` : (ev.identifiers[0] ?? ev.roles[0]);
      if (bound !== undefined && !(name in ev.bindings)) ev.bindings[name] = bound;
      return true;
    },
  }),
];

/** A key of a call matcher: schema, doc line, and the callee test it compiles to (`new` is a flag). */
export interface CallKey {
  key: keyof CallMatcher;
  schema: JsonSchema;
  doc: string;
  test?: (value: never, cx: CompileContext) => CallTest['test'];
}

/** Typed entry of CALL_KEYS: `value` is the type of CallMatcher[K]. */
function callKey<K extends keyof CallMatcher>(e: {
  key: K;
  schema: JsonSchema;
  doc: string;
  test?: (value: NonNullable<CallMatcher[K]>, cx: CompileContext) => CallTest['test'];
}): CallKey {
  return e as unknown as CallKey;
}

/** The keys of a call matcher (`reaches: {role: load, new: true}`); all given must hold. */
export const CALL_KEYS: readonly CallKey[] = [
  callKey({
    key: 'name',
    schema: NAMES,
    doc: 'the callee has this name (`/regex/` allowed)',
    test: (n, cx) => {
      const t = cx.names(n, `${cx.field}.name`);
      return (c) => t(c);
    },
  }),
  callKey({
    key: 'role',
    schema: { ...NAMES, description: 'KB role of the callee: save, store, load, restore, reset, reset-raw, msix-mmio-writer, tph-enable, ...' },
    doc: 'a role of `kb/functions.yaml`: load, restore, reset-raw, tph-enable, msix-mmio-writer...',
    test: (n, cx) => {
      const t = cx.names(n, `${cx.field}.role`);
      return (c, w) => w.kbRoles(c).some(t);
    },
  }),
  callKey({
    key: 'kbStep',
    schema: { enum: ['restore', 'save'], description: 'the callee is a step of pci_restore_state()/pci_save_state() known to the KB' },
    doc: 'a step of `pci_restore_state()` / `pci_save_state()` the knowledge base knows',
    test: (of) => (c, w) => w.isKnownStep(c, of),
  }),
  callKey({
    key: 'unknownStep',
    schema: { enum: ['restore', 'save'], description: 'the callee is NOT a step the KB knows (and not excluded)' },
    doc: 'a call the knowledge base does not know at all (no step, no function, no known non-step call)',
    test: () => (c, w) => !w.isKnownStep(c, 'restore') && !w.isKnownStep(c, 'save') && !w.isKnownCall(c),
  }),
  callKey({
    key: 'exclude',
    schema: NAMES,
    doc: 'but not these names',
    test: (n, cx) => {
      const t = cx.names(n, `${cx.field}.exclude`);
      return (c) => !t(c);
    },
  }),
  callKey({
    key: 'new',
    schema: { type: 'boolean', description: 'reached through a call the patch adds (or a function it adds or newly wires up)' },
    doc: 'only through a call the patch adds (or in a function it adds or newly wires up)',
  }),
];

/** Compile a call matcher through CALL_KEYS. */
export function compileCall(m: CallMatcher, cx: CompileContext): CallTest {
  const tests = CALL_KEYS.filter((k) => k.test && m[k.key] !== undefined).map((k) => k.test!(m[k.key] as never, cx));
  return { test: (c, w) => tests.every((t) => t(c, w)), onlyNew: m.new === true };
}

/** Compile a step selector (`steps:` of a rule, `target.step`). */
export function compileSteps(sel: StepSelector, cx: CompileContext): StepTest {
  const id = sel.id === undefined ? undefined : cx.names(sel.id, `${cx.field}.id`);
  const fn = sel.function === undefined ? undefined : cx.names(sel.function, `${cx.field}.function`);
  return (st, calls) =>
    (!id || id(st.id)) &&
    (!fn || fn(st.function)) &&
    (sel.source === undefined || sel.source.includes(st.source)) &&
    (sel.mmio === undefined || Boolean(st.mmio) === sel.mmio) &&
    (sel.liveGate === undefined || st.liveGate === sel.liveGate) &&
    (!sel.fromCalls || calls.includes(st.function) || (st.saveFunction !== undefined && calls.includes(st.saveFunction)));
}

/** Look a key up (for the compiler); undefined for a key the vocabulary does not have. */
export function predicateKey(name: string): PredicateKey | undefined {
  return PREDICATE_KEYS.find((k) => k.key === name);
}

/** Thrown for keys the schema let through but the registry lacks: a bug, not a user error. */
export function unknownKey(field: string, name: string): never {
  throw new FieldError(`${field}.${name}`, 'is not a predicate key of src/rules/vocabulary.ts');
}
