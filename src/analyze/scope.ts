/**
 * The world a rule looks at: every function the patch changes (the subjects), the helpers the
 * series and the --tree call graph add, the callback roles each function plays, and the calls
 * each one reaches. Pure data built once per patch; compiled predicates (src/rules/) only read
 * it, through the World interface.
 */
import type { CallGraph, CallbackAssignment, FunctionChange, GraphFunction, PatchModel, TargetInfo } from '../model.js';
import type { KernelLine, KnowledgeBase, RestoreStep, VfioPath } from '../kb/types.js';
import type { CallTest, Reach, RoleInfo, Subject, SubjectLine, World } from '../rules/world.js';
import { targetStepIds } from '../kb/target.js';
import { callRegExp } from '../regex.js';

export type { Reach, Subject } from '../rules/world.js';

const MAX_DEPTH = 6;

/**
 * Restore steps of a target in call order, each nested step right after the step that calls it.
 * A target read from a --tree (TargetInfo.steps) gives the tree's own pci_restore_state() steps;
 * otherwise, or given a bare line id, the line's. Nesting is the line's (the tree's shape only
 * lists the top-level calls).
 */
export function expandSteps(kb: KnowledgeBase, target: Pick<TargetInfo, 'line' | 'steps'> | string): RestoreStep[] {
  const t = typeof target === 'string' ? { line: target } : target;
  const line = kb.line(t.line);
  const top = targetStepIds(kb, t);
  const out: RestoreStep[] = [];
  const add = (id: string) => {
    const st = kb.steps.get(id);
    if (st && !out.includes(st)) out.push(st);
  };
  for (const id of top) {
    add(id);
    for (const n of line?.nested?.[id] ?? []) if (!top.includes(n)) add(n);
  }
  return out;
}

export class Scope implements World {
  readonly subjects: Subject[];
  /** Every function known by name (patch first, then series, then tree). */
  readonly byName = new Map<string, Subject>();
  private readonly callers = new Map<string, Set<string>>();
  private readonly roleMap = new Map<string, RoleInfo[]>();
  private readonly restoreSteps: Set<string>;
  private readonly saveSteps: Set<string>;
  private readonly nonSteps: Set<string>;
  /** Step functions of other kernel lines than the target's: not known steps here. */
  private readonly otherLineSteps: Set<string>;
  readonly vfioPaths: readonly VfioPath[];

  constructor(
    readonly patch: PatchModel,
    readonly kb: KnowledgeBase,
    series: PatchModel[] = [],
    graph?: CallGraph,
    target?: TargetInfo,
  ) {
    this.subjects = patch.functions.map((fc) => fromChange(fc, patch, 'patch'));
    const others: Subject[] = [];
    for (const p of series) for (const fc of p.functions) if (fc.change !== 'removed') others.push(fromChange(fc, p, 'series'));
    for (const g of graph?.functions ?? []) others.push(fromGraph(g));
    for (const s of [...this.subjects, ...others]) {
      if (s.change === 'removed') continue;
      const prev = this.byName.get(s.name);
      if (!prev) this.byName.set(s.name, s);
    }
    for (const s of this.byName.values())
      for (const c of s.calls) {
        if (!this.callers.has(c)) this.callers.set(c, new Set());
        this.callers.get(c)!.add(s.name);
      }
    const callbacks: CallbackAssignment[] = [...patch.callbacks, ...series.flatMap((p) => p.callbacks)];
    const add = (fn: string, r: RoleInfo) => {
      const list = this.roleMap.get(fn) ?? [];
      const same = list.find((x) => x.role === r.role);
      if (same) same.added ||= r.added;
      else list.push(r);
      this.roleMap.set(fn, list);
    };
    for (const cb of callbacks) if (cb.change !== 'removed') add(cb.value, { role: cb.field, added: cb.change === 'added' });
    for (const s of this.subjects) for (const r of s.fc?.assignedTo ?? []) add(s.name, { role: r });
    for (const [fn, roles] of graph?.roles ?? []) for (const r of roles) add(fn, { role: r });
    // A function the patch only wires up (`.reset_done = existing_fn`) is introduced by the patch too.
    for (const cb of patch.callbacks) {
      if (cb.change !== 'added' || this.subjects.some((x) => x.name === cb.value)) continue;
      const known = this.byName.get(cb.value);
      if (!known || cb.newLine === undefined) continue;
      const text = patch.files.find((f) => f.path === cb.file)?.hunks.flatMap((h) => h.lines).find((l) => l.newLine === cb.newLine)?.text ?? `.${cb.field} = ${cb.value},`;
      // its lines belong to another patch (or to the tree): only the assignment is in this diff
      const wired: Subject = { ...known, origin: 'patch', added: [], removed: [], diffLines: [], wiredAt: { line: cb.newLine, text } };
      this.subjects.push(wired);
      this.byName.set(cb.value, wired);
    }
    // Steps are the target line's (a tree's own restore sequence with --tree): a step that only
    // another kernel line has (L1SS or TPH added to a 6.1 pci_restore_state()) is unknown here.
    const all = stepFunctions(kb, kb.lines);
    const line = target ? kb.lines.find((l) => l.id === target.line) : undefined;
    const mine = line ? stepFunctions(kb, [target?.steps ? { ...line, restore: target.steps } : line]) : all;
    this.restoreSteps = mine.restore;
    this.saveSteps = mine.save;
    this.otherLineSteps = new Set([...all.restore, ...all.save].filter((f) => !mine.restore.has(f) && !mine.save.has(f)));
    this.nonSteps = new Set(kb.nonStepCalls ?? []);
    this.vfioPaths = kb.vfioPaths;
    for (const f of kb.functions.values()) {
      if (this.otherLineSteps.has(f.name)) continue;
      if (f.roles.includes('restore-step')) this.restoreSteps.add(f.name);
      if (f.roles.includes('save-step')) this.saveSteps.add(f.name);
    }
  }

  /** Callback roles of a function: its own, then those of its callers (nearest first). */
  roles(name: string): RoleInfo[] {
    const out: RoleInfo[] = [...(this.roleMap.get(name) ?? [])];
    const seen = new Set([name]);
    let frontier = [name];
    for (let depth = 0; depth < MAX_DEPTH && frontier.length; depth++) {
      const next: string[] = [];
      for (const fn of frontier)
        for (const caller of this.callers.get(fn) ?? []) {
          if (seen.has(caller)) continue;
          seen.add(caller);
          next.push(caller);
          for (const r of this.roleMap.get(caller) ?? [])
            if (!out.some((o) => o.role === r.role)) out.push({ role: r.role, via: caller, added: r.added });
        }
      frontier = next;
    }
    return out;
  }

  /** Roles the patch newly assigns to this function. */
  newRoles(name: string): string[] {
    return (this.roleMap.get(name) ?? []).filter((r) => r.added).map((r) => r.role);
  }

  /** The roles the knowledge base gives a kernel function. */
  kbRoles(name: string): readonly string[] {
    return this.kb.functions.get(name)?.roles ?? [];
  }

  /** Does the knowledge base know this call (a function or a non-step call; steps: isKnownStep)? */
  isKnownCall(callee: string): boolean {
    return (this.kb.functions.has(callee) && !this.otherLineSteps.has(callee)) || this.nonSteps.has(callee);
  }

  /** Is this callee a step of pci_restore_state()/pci_save_state() the KB knows? */
  isKnownStep(callee: string, of: 'restore' | 'save'): boolean {
    return (of === 'restore' ? this.restoreSteps : this.saveSteps).has(callee);
  }

  /** Does calling `callee` end up in a call matching `m` (itself, or through helpers in scope)? */
  leadsTo(callee: string, m: CallTest): boolean {
    const seen = new Set<string>();
    let frontier = [callee];
    for (let depth = 0; depth < MAX_DEPTH && frontier.length; depth++) {
      const next: string[] = [];
      for (const fn of frontier) {
        if (seen.has(fn)) continue;
        seen.add(fn);
        if (m.test(fn, this)) return true;
        next.push(...(this.byName.get(fn)?.calls ?? []));
      }
      frontier = next;
    }
    return false;
  }

  /** Calls reachable from a subject that match, through helpers known to the scope. */
  /** A device-state witness through the subject: set by analyze (src/analyze/property.ts runs the model). */
  witness?: World['witness'];

  reaches(s: Subject, m: CallTest): Reach[] {
    const wholeIsNew = s.change === 'added' || this.newRoles(s.name).length > 0;
    const direct = s.calls.length ? s.calls : s.addedCalls;
    const added = new Set(s.addedCalls);
    const hits: Reach[] = [];
    const firstSeen = new Set<string>();
    for (const first of direct) {
      if (firstSeen.has(first)) continue;
      firstSeen.add(first);
      const isNew = s.origin === 'patch' && (wholeIsNew || added.has(first));
      if (m.onlyNew && !isNew) continue;
      // breadth-first through helpers
      const seen = new Set<string>([s.name]);
      let frontier: { fn: string; path: string[] }[] = [{ fn: first, path: [first] }];
      for (let depth = 0; depth < MAX_DEPTH && frontier.length; depth++) {
        const next: { fn: string; path: string[] }[] = [];
        for (const { fn, path } of frontier) {
          if (seen.has(fn)) continue;
          seen.add(fn);
          if (m.test(fn, this)) hits.push({ callee: fn, first, path, isNew });
          const helper = this.byName.get(fn);
          if (helper && helper !== s) for (const c of helper.calls) next.push({ fn: c, path: [...path, c] });
        }
        frontier = next;
      }
    }
    return hits;
  }
}

function linesOf(patch: PatchModel, fc: FunctionChange) {
  const added: SubjectLine[] = [];
  const removed: SubjectLine[] = [];
  const diffLines: SubjectLine[] = [];
  const file = patch.files.find((f) => f.path === fc.file);
  const addedSet = new Set(fc.addedLines ?? []);
  // Without an end line (fragment mode) the function ends at its last added line as far as we know.
  const end = fc.newEndLine ?? Math.max(fc.newLine ?? 0, ...addedSet);
  // Without any position (a hunk inside a function, fragment mode) the function owns the hunks
  // whose header names it or that hold its added lines.
  const positioned = fc.newLine !== undefined || fc.oldLine !== undefined;
  const owned = new Set(
    (file?.hunks ?? []).filter(
      (h) => callRegExp(fc.name).test(h.section) || h.lines.some((l) => l.newLine !== undefined && l.kind === '+' && addedSet.has(l.newLine)),
    ),
  );
  let current: unknown;
  const inNew = (n: number) =>
    addedSet.has(n) || (positioned ? fc.newLine !== undefined && n >= fc.newLine && n <= end : owned.has(current as never));
  const inOld = (n: number) =>
    positioned
      ? fc.oldLine !== undefined && n >= fc.oldLine && n <= (fc.oldEndLine ?? (fc.newEndLine === undefined ? fc.oldLine + (end - (fc.newLine ?? end)) : Infinity))
      : owned.has(current as never);
  const oldSeq: string[] = [];
  const newSeq: string[] = [];
  const callsIn = (text: string) => [...text.replace(/\/\*.*?\*\/|\/\/.*$/g, '').matchAll(/\b([A-Za-z_]\w*)\s*\(/g)].map((m) => m[1]);
  for (const h of file?.hunks ?? []) {
    current = h;
    let lastNew = h.newStart - 1;
    const pendingRemoved: string[] = [];
    for (const l of h.lines) {
      if (l.kind !== '+' && l.oldLine !== undefined && inOld(l.oldLine)) oldSeq.push(...callsIn(l.text));
      if (l.kind !== '-' && l.newLine !== undefined && inNew(l.newLine)) newSeq.push(...callsIn(l.text));
      if (l.kind === '-') {
        if (l.oldLine !== undefined && inOld(l.oldLine)) pendingRemoved.push(l.text);
        continue;
      }
      if (l.newLine === undefined) continue;
      lastNew = l.newLine;
      for (const text of pendingRemoved.splice(0)) removed.push({ line: l.newLine, text });
      if (!inNew(l.newLine)) continue;
      diffLines.push({ line: l.newLine, text: l.text });
      if (l.kind === '+') added.push({ line: l.newLine, text: l.text });
    }
    for (const text of pendingRemoved) removed.push({ line: Math.max(1, lastNew), text });
  }
  return { added, removed, diffLines, oldSeq, newSeq };
}

function fromChange(fc: FunctionChange, patch: PatchModel, origin: 'patch' | 'series'): Subject {
  const { added, removed, diffLines, oldSeq, newSeq } = linesOf(patch, fc);
  return {
    name: fc.name,
    file: fc.file,
    change: fc.change,
    origin,
    calls: fc.calls?.length ? fc.calls : fc.addedCalls,
    addedCalls: fc.addedCalls ?? [],
    removedCalls: fc.removedCalls ?? [],
    addedIdentifiers: fc.addedIdentifiers ?? [],
    removedIdentifiers: fc.removedIdentifiers ?? [],
    added,
    removed,
    diffLines,
    oldSeq,
    newSeq,
    body: fc.body ?? added.map((a) => a.text).join('\n'),
    newLine: fc.newLine,
    fc,
  };
}

function fromGraph(g: GraphFunction): Subject {
  return {
    name: g.name,
    file: g.file,
    change: 'unchanged',
    origin: 'tree',
    calls: g.calls,
    addedCalls: [],
    removedCalls: [],
    addedIdentifiers: [],
    removedIdentifiers: [],
    added: [],
    removed: [],
    diffLines: [],
    oldSeq: [],
    newSeq: [],
    body: g.text,
    newLine: g.startLine,
  };
}

/** The restore and save step functions (nested ones included) of some kernel lines. */
function stepFunctions(kb: KnowledgeBase, lines: readonly KernelLine[]): { restore: Set<string>; save: Set<string> } {
  const restore = new Set<string>();
  const save = new Set<string>();
  for (const line of lines) {
    const nested = Object.values(line.nested ?? {}).flat();
    for (const id of [...line.restore, ...nested]) {
      const st = kb.steps.get(id);
      if (st?.function) restore.add(st.function);
    }
    for (const id of [...line.save, ...nested]) {
      const st = kb.steps.get(id);
      if (st?.saveFunction) save.add(st.saveFunction);
    }
  }
  return { restore, save };
}
