/**
 * C parsing with tree-sitter-c (web-tree-sitter + the .wasm tree-sitter-c ships), with kernel
 * annotations blanked first so names and boundaries survive. Shared by the patch stage, the
 * knowledge-base verifier and the call graph. (Owned by the patch-model work.)
 *
 * The wasm files are found next to their packages; a bundled dist/ points elsewhere with
 * VFIO_REVIEW_WASM_DIR (a folder holding web-tree-sitter.wasm and tree-sitter-c.wasm) or
 * setWasmDir() before the first parse.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Node, Parser } from 'web-tree-sitter';
import { blankAnnotations } from './blank.js';
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
 * The explicit folder if set; else the installed package's file; else the copy a bundle
 * carries: in the Action this module sits at dist/src/patch/cparse.js (the copy in dist/), in
 * the installed CLI at <package>/src/patch/cparse.js (the copy in build/).
 */
function wasmPath(pkgFile: string, name: string): string {
  if (wasmDir) return join(wasmDir, name);
  try {
    return createRequire(import.meta.url).resolve(pkgFile);
  } catch {
    const copies = [`../../${name}`, `../../build/${name}`].map((p) => fileURLToPath(new URL(p, import.meta.url)));
    return copies.find((p) => existsSync(p)) ?? copies[0];
  }
}

async function makeParser(): Promise<Parser> {
  const runtime = wasmPath('web-tree-sitter/web-tree-sitter.wasm', 'web-tree-sitter.wasm');
  const grammar = wasmPath('tree-sitter-c/tree-sitter-c.wasm', 'tree-sitter-c.wasm');
  // Checked here: emscripten would print an abort trace of its own before rejecting.
  for (const f of [runtime, grammar]) {
    if (!existsSync(f)) throw new Error(`tree-sitter wasm file not found: ${f} (VFIO_REVIEW_WASM_DIR names their folder)`);
  }
  // Loaded here, not at start: a patch with no C to parse never starts tree-sitter.
  const { Language, Parser } = await import('web-tree-sitter');
  await Parser.init({ locateFile: () => runtime });
  const lang = await Language.load(grammar);
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

/**
 * One parse of `source` (annotations blanked) and all the facts the patch stage reads from it.
 * `functionsOnly` skips identifiers, initialisers and prototypes (parseFunctions' callers).
 */
export async function analyzeC(source: string, opts: { functionsOnly?: boolean } = {}): Promise<CFacts> {
  const parser = await getParser();
  const { text, blanked } = blankAnnotations(source);
  const tree = parser.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    const root = tree.rootNode;
    const calls = callSites(root);
    const defs = outermost(root.descendantsOfType('function_definition'));
    const facts: CFacts = {
      functions: defs.map((n) => toFunction(n, source, blanked, calls)),
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
  const inBody = body ? calls.filter((c) => c.at >= body.startIndex && c.at < body.endIndex) : [];
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

function annotationsOf(def: Node, source: string, blanked: Blanked[], nameAt: number): string[] {
  const lineStart = source.lastIndexOf('\n', def.startIndex - 1) + 1;
  const out: string[] = [];
  for (const c of def.children) {
    if (c && (c.type === 'storage_class_specifier' || c.type === 'type_qualifier') && c.startIndex < nameAt) {
      out.push(c.text);
    }
  }
  const seen = blanked.filter((b) => b.start >= lineStart && b.start < nameAt).map((b) => b.text.replace(/\s+/g, ' '));
  return [...out, ...seen];
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
