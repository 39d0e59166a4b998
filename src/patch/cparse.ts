/**
 * C parsing with tree-sitter-c (web-tree-sitter + the .wasm tree-sitter-c ships), with kernel
 * annotations blanked first so names and boundaries survive. Shared by the patch stage, the
 * knowledge-base verifier and the call graph. (Owned by the patch-model work.)
 *
 * The wasm files are found next to their packages; a bundled dist/ points elsewhere with
 * VFIO_REVIEW_WASM_DIR (a folder holding web-tree-sitter.wasm and tree-sitter-c.wasm) or
 * setWasmDir() before the first parse.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { fileURLToPath } from 'node:url';
import type { Node, Parser } from 'web-tree-sitter';
import { blankAnnotations } from './blank.js';
import { LimitError } from '../errors.js';
import { LIMITS, longestIdentifier, nestingDepth, type Budget, type Limits } from '../ingest/limits.js';
import type { Blanked } from './blank.js';

/** A function definition found in a C source text. */
export interface CFunction {
  name: string;
  /** 1-based, inclusive, lines of the text given. */
  startLine: number;
  endLine: number;
  /** The definition's text (signature and body). */
  text: string;
  /** Callee names in body order (duplicates kept), macros invoked like calls included. */
  calls: string[];
  /** Annotations seen before the name: static, inline, __init, __must_check, ... */
  annotations: string[];
  /** False when the text ends before the body's closing brace (a diff fragment). */
  closed?: boolean;
  /** Line of the function's name (the signature may start earlier). */
  nameLine?: number;
}

/** A token seen at a line: a call site or an identifier. */
export interface LineToken {
  name: string;
  line: number;
}

/** `.field = value` inside a struct initialiser. */
export interface InitPair {
  field: string;
  value: string;
  line: number;
  structType?: string;
  variable?: string;
}

/** Everything one parse tells the patch stage. */
export interface CFacts {
  functions: CFunction[];
  /** Every call site in the text, inside functions or not (fragments parse as top-level code). */
  calls: LineToken[];
  /** identifier and field_identifier tokens outside comments and strings. */
  identifiers: LineToken[];
  initializers: InitPair[];
  /** Names of functions declared by a prototype. */
  prototypes: string[];
}

let wasmDir = process.env.VFIO_REVIEW_WASM_DIR;
let parserPromise: Promise<Parser> | undefined;

/** Where the two .wasm files are, for a bundle that copies them next to itself. */
export function setWasmDir(dir: string | undefined): void {
  wasmDir = dir;
  parserPromise = undefined;
}

/**
 * The explicit folder if set; else the copy a bundle carries: in the Action this module sits at
 * dist/src/patch/cparse.js (the copy in dist/), in the CLI at <package>/src/patch/cparse.js (the
 * copy in build/, which a source checkout's build makes too); else the installed package's file.
 * Copies first: resolving a package's file through its exports map cost a cold start 15 ms.
 */
function wasmPath(pkgFile: string, name: string): string {
  if (wasmDir) return join(wasmDir, name);
  const copy = [`../../${name}`, `../../build/${name}`].map((p) => fileURLToPath(new URL(p, import.meta.url))).find((p) => existsSync(p));
  if (copy) return copy;
  return createRequire(import.meta.url).resolve(pkgFile);
}

async function makeParser(): Promise<Parser> {
  const runtime = wasmPath('web-tree-sitter/web-tree-sitter.wasm', 'web-tree-sitter.wasm');
  const grammar = wasmPath('tree-sitter-c/tree-sitter-c.wasm', 'tree-sitter-c.wasm');
  // Checked here: emscripten would print an abort trace of its own before rejecting.
  for (const f of [runtime, grammar]) {
    if (!existsSync(f)) throw new Error(`tree-sitter wasm file not found: ${f} (VFIO_REVIEW_WASM_DIR names their folder)`);
  }
  // Baseline (Liftoff) code only, set before the first module is compiled: the optimising tier
  // recompiles tree-sitter's large lexer and parse functions on background threads, which costs
  // a cold review more time and memory (about 50 MiB) than the faster code saves on a patch's C.
  setFlagsFromString('--liftoff-only');
  // Loaded here, not at start: a patch with no C to parse never starts tree-sitter.
  const { Language, Parser } = await import('web-tree-sitter');
  // Both wasm files handed over as bytes: left to find them itself, web-tree-sitter reads the
  // grammar through node:fs/promises, which a cold start would load for this one read.
  await Parser.init({ locateFile: () => runtime, wasmBinary: readFileSync(runtime) });
  const lang = await Language.load(readFileSync(grammar));
  const parser = new Parser();
  parser.setLanguage(lang);
  return parser;
}

/** Has tree-sitter been started in this process (a patch without C never starts it)? */
export function parserStarted(): boolean {
  return parserPromise !== undefined;
}

function getParser(): Promise<Parser> {
  parserPromise ??= makeParser();
  return parserPromise;
}

/** Every function definition in `source`, in order. */
export async function parseFunctions(source: string): Promise<CFunction[]> {
  return (await analyzeC(source, { functionsOnly: true })).functions;
}

/** What bounds one parse: the identifier and nesting limits, and the message's time budget. */
export interface CParseOptions {
  limits?: Partial<Pick<Limits, 'identifier' | 'nesting'>>;
  budget?: Budget;
}

/**
 * Refuse C text past the identifier and nesting limits before tree-sitter and the rules see it
 * (a rule may build a pattern from a name; error recovery on deep nesting is slow). The error
 * shows the start of the name only.
 */
export function checkCLimits(source: string, limits: CParseOptions['limits'] = {}): void {
  const maxId = limits.identifier ?? LIMITS.identifier;
  const long = longestIdentifier(source);
  if (long.length > maxId) {
    const line = source.slice(0, long.at).split('\n').length;
    const start = source.slice(long.at, long.at + 24);
    throw new LimitError(`too large: an identifier of ${long.length} characters (${start}…, line ${line} of the C text), over the limit of ${maxId}`);
  }
  const maxDepth = limits.nesting ?? LIMITS.nesting;
  const depth = nestingDepth(source);
  if (depth > maxDepth) throw new LimitError(`too deep: brackets nested ${depth} levels in the C text, over the limit of ${maxDepth}`);
}

/**
 * One parse of `source` (annotations blanked) and all the facts the patch stage reads from it.
 * `functionsOnly` skips identifiers, initialisers and prototypes (parseFunctions' callers).
 */
export async function analyzeC(source: string, opts: { functionsOnly?: boolean } & CParseOptions = {}): Promise<CFacts> {
  checkCLimits(source, opts.limits);
  const parser = await getParser();
  const { text, blanked } = blankAnnotations(source);
  const budget = opts.budget;
  opts.budget?.check('parsing C');
  // tree-sitter calls back as it goes; returning true cancels the parse (parse() gives null).
  const tree = parser.parse(text, null, budget ? { progressCallback: (() => budget.expired()) as () => void } : undefined);
  if (!tree) {
    parser.reset(); // a cancelled parse would otherwise resume on the next call
    throw budget?.expired() ? budget.error('parsing C') : new Error('tree-sitter returned no tree');
  }
  try {
    const root = tree.rootNode;
    const calls = callSites(root);
    const defs = outermost(root.descendantsOfType('function_definition'));
    const facts: CFacts = {
      functions: defs.map((n, i) => {
        if ((i & 255) === 0) opts.budget?.check('reading C functions');
        return toFunction(n, source, blanked, calls);
      }),
      calls: calls.map(({ name, line }) => ({ name, line })),
      identifiers: [],
      initializers: [],
      prototypes: [],
    };
    if (opts.functionsOnly) return facts;
    facts.identifiers = root
      .descendantsOfType(['identifier', 'field_identifier'])
      .map((n) => ({ name: n!.text, line: n!.startPosition.row + 1 }));
    facts.initializers = root.descendantsOfType('initializer_pair').flatMap((n) => initPair(n));
    facts.prototypes = prototypes(root);
    return facts;
  } finally {
    tree.delete();
  }
}

/** Definitions not nested in another (error recovery can nest them). */
function outermost(defs: (Node | null)[]): Node[] {
  const out: Node[] = [];
  for (const d of defs) {
    if (!d) continue;
    const last = out[out.length - 1];
    if (last && d.startIndex >= last.startIndex && d.endIndex <= last.endIndex) continue;
    out.push(d);
  }
  return out;
}

/** A call site and where it is, for splitting the file's calls among functions. */
interface CallAt extends LineToken {
  at: number;
}

function toFunction(def: Node, source: string, blanked: Blanked[], calls: CallAt[]): CFunction {
  const nameNode = declaratorName(def.childForFieldName('declarator'));
  const body = def.childForFieldName('body');
  const nameAt = nameNode?.startIndex ?? def.startIndex;
  const inBody = body ? callsWithin(calls, body.startIndex, body.endIndex) : [];
  return {
    name: nameNode?.text ?? '',
    startLine: def.startPosition.row + 1,
    endLine: def.endPosition.row + 1 - (def.endPosition.column === 0 ? 1 : 0),
    text: source.slice(def.startIndex, def.endIndex),
    calls: inBody.map((c) => c.name),
    annotations: annotationsOf(def, source, blanked, nameAt),
    closed: body ? isClosed(body) : false,
    nameLine: (nameNode ?? def).startPosition.row + 1,
  };
}

/** First index in a list sorted by `key` whose key is >= `at` (binary search). */
function lowerBound<T>(xs: T[], at: number, key: (x: T) => number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (key(xs[mid]) < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The calls between two offsets. Calls are in source order, so a slice: filtering the whole
 * list for every function was quadratic on a text of many small definitions.
 */
function callsWithin(calls: CallAt[], from: number, to: number): CallAt[] {
  return calls.slice(lowerBound(calls, from, (c) => c.at), lowerBound(calls, to, (c) => c.at));
}

/** Follow a declarator down to the identifier it declares. */
export function declaratorName(node: Node | null): Node | null {
  let n = node;
  while (n) {
    if (n.type === 'identifier' || n.type === 'field_identifier') return n;
    n = n.childForFieldName('declarator') ?? n.namedChildren.find((c) => c?.type.endsWith('declarator')) ?? null;
  }
  return null;
}

/** A body whose closing brace was really there (tree-sitter inserts a MISSING one otherwise). */
function isClosed(body: Node): boolean {
  const last = body.lastChild;
  return !!last && last.type === '}' && !last.isMissing;
}

/**
 * Annotations before the name: specifier children (only those before the name are read, so a
 * definition that error recovery gave 100,000 children costs nothing), and blanked macros from
 * the start of its line (looked back at most 4096 characters, found by binary search).
 */
function annotationsOf(def: Node, source: string, blanked: Blanked[], nameAt: number): string[] {
  let lineStart = def.startIndex;
  while (lineStart > 0 && def.startIndex - lineStart < 4096 && source[lineStart - 1] !== '\n') lineStart--;
  const out: string[] = [];
  for (let i = 0; i < def.childCount; i++) {
    const c = def.child(i);
    if (!c || c.startIndex >= nameAt) break;
    if (c.type === 'storage_class_specifier' || c.type === 'type_qualifier') out.push(c.text);
  }
  const from = lowerBound(blanked, lineStart, (b) => b.start);
  const to = lowerBound(blanked, nameAt, (b) => b.start);
  return [...out, ...blanked.slice(from, Math.max(from, to)).map((b) => b.text.replace(/\s+/g, ' '))];
}

/** Call sites `name(...)` in source order; `guard(rcu)()` yields `guard`. */
function callSites(node: Node): CallAt[] {
  const out: CallAt[] = [];
  for (const call of node.descendantsOfType('call_expression')) {
    const fn = call?.childForFieldName('function');
    if (fn?.type === 'identifier') out.push({ name: fn.text, line: fn.startPosition.row + 1, at: fn.startIndex });
  }
  return out;
}

function initPair(pair: Node | null): InitPair[] {
  if (!pair) return [];
  const designators = pair.childrenForFieldName('designator');
  const last = designators[designators.length - 1];
  const field = last?.type === 'field_designator' ? last.namedChildren[0]?.text : undefined;
  const value = pair.childForFieldName('value');
  if (!field || value?.type !== 'identifier') return [];
  return [{ field, value: value.text, line: pair.startPosition.row + 1, ...initOwner(pair) }];
}

/** The variable and struct type an initialiser pair belongs to (not for nested members). */
function initOwner(pair: Node): { structType?: string; variable?: string } {
  let n = pair.parent;
  while (n && n.type !== 'init_declarator') {
    if (n.type === 'initializer_pair') return {}; // `.driver = { .pm = ... }`: a member's member
    n = n.parent;
  }
  if (!n) return {};
  const variable = declaratorName(n.childForFieldName('declarator'))?.text;
  const type = n.parent?.childForFieldName('type');
  const structType = type?.type === 'struct_specifier' ? type.childForFieldName('name')?.text : undefined;
  return { variable, structType };
}

function prototypes(root: Node): string[] {
  const out: string[] = [];
  for (const decl of root.descendantsOfType('declaration')) {
    for (const d of decl?.childrenForFieldName('declarator') ?? []) {
      if (d && declaresFunction(d)) {
        const name = declaratorName(d)?.text;
        if (name) out.push(name);
      }
    }
  }
  return out;
}

/** `f(void)`, `*f(void)`: a declarator chain with a function declarator (not a pointer to one). */
function declaresFunction(d: Node): boolean {
  let n: Node | null = d;
  while (n && n.type === 'pointer_declarator') n = n.childForFieldName('declarator');
  return n?.type === 'function_declarator' && n.childForFieldName('declarator')?.type === 'identifier';
}
