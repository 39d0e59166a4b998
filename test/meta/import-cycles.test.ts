/**
 * No import cycle anywhere in src/, across folders or inside one: the rooms stack (ingest ->
 * patch -> rules + kb -> analyze -> report -> post, jobs), and a cycle is how a room starts to
 * depend on one above it. `import type` counts too: a type cycle is the same coupling. The graph
 * is read from the sources (relative specifiers of import/export ... from, import(), bare
 * import), comments stripped first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const SRC = join(ROOT, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.ts$/.test(n) && !n.endsWith('.d.ts') ? [p] : [];
  });
}

/** Relative imports of one file, resolved to .ts paths. */
export function importsOf(file: string, text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const specs = [
    ...code.matchAll(/\b(?:import|export)\b[^;'"`]*?\bfrom\s*['"](\.[^'"]+)['"]/g),
    ...code.matchAll(/\bimport\s*\(\s*['"](\.[^'"]+)['"]\s*\)/g),
    ...code.matchAll(/^\s*import\s*['"](\.[^'"]+)['"]/gm),
  ].map((m) => m[1]);
  return specs.map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

/** Strongly connected components with more than one file (or a file importing itself). */
export function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const scc: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      scc.push(w);
    } while (w !== v);
    if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

test('the import graph reader sees every kind of relative import', () => {
  const text = [
    "import type { A } from './a.js';",
    "import {\n  b,\n  c,\n} from '../b.js';",
    "export { d } from './d.js';",
    "export type * from './e.js';",
    "const f = await import('./f.js');",
    "import './g.js';",
    "// import { h } from './h.js';",
    "/* import { i } from './i.js'; */",
    "import { j } from 'node:fs';",
  ].join('\n');
  const got = importsOf('/x/src/m/file.ts', text).map((p) => relative('/x/src', p));
  assert.deepEqual(got.sort(), ['b.ts', 'm/a.ts', 'm/d.ts', 'm/e.ts', 'm/f.ts', 'm/g.ts']);
  assert.deepEqual(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]])), [['a', 'b', 'c']]);
  assert.deepEqual(cycles(new Map([['a', ['a']]])), [['a']]);
});

test('src/ has no import cycle', () => {
  const files = sources(SRC);
  const known = new Set(files);
  const graph = new Map(files.map((f) => [f, importsOf(f, readFileSync(f, 'utf8')).filter((d) => known.has(d))]));
  assert.ok(graph.size > 50, 'the graph covers src/');
  assert.ok([...graph.values()].some((d) => d.length > 3), 'imports were read');
  const found = cycles(graph).map((c) => c.map((f) => relative(ROOT, f)).join(' <-> '));
  assert.deepEqual(found, [], `import cycles:\n  ${found.join('\n  ')}`);
});

/** Static value imports (not `import type`, not import()) of one file: relative ones resolved, bare ones as written. */
function valueImports(file: string): string[] {
  const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  return [...code.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^;'"`]*?\bfrom\s*['"]([^'"]+)['"]/gm), ...code.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm)].map((m) =>
    m[1].startsWith('.') ? resolve(dirname(file), m[1].replace(/\.js$/, '.ts')) : m[1],
  );
}

test('compiling rules (a snapshot of their plain data) loads neither yaml nor ajv', () => {
  const seen = new Set<string>();
  const bare = new Set<string>();
  const walk = (f: string) => {
    if (seen.has(f)) return;
    seen.add(f);
    for (const d of valueImports(f)) if (d.startsWith('/')) walk(d);
      else bare.add(d);
  };
  walk(join(SRC, 'rules/compile.ts'));
  assert.ok(seen.size >= 4, 'the closure was read');
  for (const pkg of ['yaml', 'ajv']) assert.ok(!bare.has(pkg), `src/rules/compile.ts reaches a static import of ${pkg}`);
});
