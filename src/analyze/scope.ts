/**
 * The world a rule looks at: every function the patch changes (the subjects), the helpers the
 * series and the --tree call graph add, the callback roles each function plays, and the calls
 * each one reaches. Pure data built once per patch; predicates only read it.
 */
import type { CallbackAssignment, FunctionChange, PatchModel, TargetInfo } from '../model.js';
import type { KnowledgeBase, RestoreStep } from '../kb/types.js';
import type { CallMatcher, Names } from '../kb/rules.js';
import { targetStepIds } from '../kb/target.js';

/** One function of the call graph built from a --tree (post-patch files). */
export interface GraphFunction {
  name: string;
  file: string;
  calls: string[];
  text: string;
  startLine: number;
}

/** The post-patch call graph of the files a patch touches (with --tree). */
export interface CallGraph {
  functions: GraphFunction[];
  /** Struct initialisers seen in those files: function name -> roles (`.reset_done = foo`). */
  roles: Map<string, string[]>;
}

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

/** Does `name` match a name list (exact, or /regex/)? */
export function matchNames(names: Names | undefined, name: string): boolean {
  if (names === undefined) return true;
  const list = Array.isArray(names) ? names : [names];
  return list.some((n) => {
    const m = /^\/(.*)\/([a-z]*)$/.exec(n);
    return m ? new RegExp(m[1], m[2]).test(name) : n === name;
  });
}

export class Scope {
  readonly subjects: Subject[];
  /** Every function known by name (patch first, then series, then tree). */
  readonly byName = new Map<string, Subject>();
  private readonly callers = new Map<string, Set<string>>();
  private readonly roleMap = new Map<string, RoleInfo[]>();
  private readonly restoreSteps: Set<string>;
  private readonly saveSteps: Set<string>;
  private readonly nonSteps: Set<string>;

  constructor(
    readonly patch: PatchModel,
    readonly kb: KnowledgeBase,
    series: PatchModel[] = [],
    graph?: CallGraph,
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
    this.restoreSteps = new Set();
    this.saveSteps = new Set();
    for (const line of kb.lines) {
      const nested = Object.values(line.nested ?? {}).flat();
      for (const id of [...line.restore, ...nested]) {
        const st = kb.steps.get(id);
        if (st?.function) this.restoreSteps.add(st.function);
      }
      for (const id of [...line.save, ...nested]) {
        const st = kb.steps.get(id);
        if (st?.saveFunction) this.saveSteps.add(st.saveFunction);
      }
    }
    this.nonSteps = new Set(kb.nonStepCalls ?? []);
    for (const f of kb.functions.values()) {
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

  /** Does a callee match a call matcher (by name, KB role, known/unknown step)? */
  matchCall(m: CallMatcher, callee: string): boolean {
    if (m.exclude !== undefined && matchNames(m.exclude, callee)) return false;
    if (m.name !== undefined && !matchNames(m.name, callee)) return false;
    if (m.role !== undefined) {
      const roles = this.kb.functions.get(callee)?.roles ?? [];
      if (!roles.some((r) => matchNames(m.role, r))) return false;
    }
    if (m.kbStep !== undefined && !(m.kbStep === 'restore' ? this.restoreSteps : this.saveSteps).has(callee)) return false;
    if (m.unknownStep !== undefined) {
      if (this.restoreSteps.has(callee) || this.saveSteps.has(callee) || this.nonSteps.has(callee)) return false;
      if (this.kb.functions.has(callee)) return false;
    }
    return true;
  }

  /** Is this callee a step of pci_restore_state()/pci_save_state() the KB knows? */
  isKnownStep(callee: string, of: 'restore' | 'save'): boolean {
    return (of === 'restore' ? this.restoreSteps : this.saveSteps).has(callee);
  }

  /** Does calling `callee` end up in a call matching `m` (itself, or through helpers in scope)? */
  leadsTo(callee: string, m: CallMatcher): boolean {
    const seen = new Set<string>();
    let frontier = [callee];
    for (let depth = 0; depth < MAX_DEPTH && frontier.length; depth++) {
      const next: string[] = [];
      for (const fn of frontier) {
        if (seen.has(fn)) continue;
        seen.add(fn);
        if (this.matchCall({ ...m, new: undefined }, fn)) return true;
        next.push(...(this.byName.get(fn)?.calls ?? []));
      }
      frontier = next;
    }
    return false;
  }

  /** Calls reachable from a subject that match, through helpers known to the scope. */
  reaches(s: Subject, m: CallMatcher): Reach[] {
    const wholeIsNew = s.change === 'added' || this.newRoles(s.name).length > 0;
    const direct = s.calls.length ? s.calls : s.addedCalls;
    const added = new Set(s.addedCalls);
    const hits: Reach[] = [];
    const firstSeen = new Set<string>();
    for (const first of direct) {
      if (firstSeen.has(first)) continue;
      firstSeen.add(first);
      const isNew = s.origin === 'patch' && (wholeIsNew || added.has(first));
      if (m.new && !isNew) continue;
      // breadth-first through helpers
      const seen = new Set<string>([s.name]);
      let frontier: { fn: string; path: string[] }[] = [{ fn: first, path: [first] }];
      for (let depth = 0; depth < MAX_DEPTH && frontier.length; depth++) {
        const next: { fn: string; path: string[] }[] = [];
        for (const { fn, path } of frontier) {
          if (seen.has(fn)) continue;
          seen.add(fn);
          if (this.matchCall(m, fn)) hits.push({ callee: fn, first, path, isNew });
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
      (h) => new RegExp(`\\b${fc.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\(`).test(h.section) || h.lines.some((l) => l.newLine !== undefined && l.kind === '+' && addedSet.has(l.newLine)),
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
