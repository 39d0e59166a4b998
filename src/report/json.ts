/**
 * `--format json`: the ReviewResult itself (patch models with findings filled), the contract
 * other tools read (issue #2). Keys come out in a stable order whatever order the stages built
 * objects in: the contract's leading keys first, then the rest alphabetically. The knowledge
 * base is never included, even when a caller passes the pipeline's `Reviewed` object.
 */
import type { ReviewResult } from '../model.js';
import { causeKey } from './causes.js';

/**
 * Field orders of the model's objects (as declared in src/model.ts), each recognised by a key
 * only it has. Keys not listed (added later) follow in alphabetical order; objects of other
 * shapes are fully alphabetical. Either way the output does not depend on insertion order.
 */
const ORDERS: { has: string; keys: string[] }[] = [
  { has: 'patches', keys: ['tool', 'version', 'target', 'patches', 'errors'] },
  {
    has: 'findings',
    keys: ['source', 'messageId', 'subject', 'from', 'date', 'kind', 'series', 'inReplyTo', 'references', 'baseCommit',
      'changeId', 'trailers', 'commitMessage', 'mangled', 'mangledReason', 'files', 'functions', 'callbacks', 'findings'],
  },
  {
    has: 'fingerprint',
    keys: ['rule', 'type', 'severity', 'file', 'line', 'outsideDiff', 'function', 'title', 'message', 'suggestion',
      'steps', 'fingerprint', 'references', 'target', 'related', 'cause', 'trace', 'conditions', 'messageKeys', 'replacement'],
  },
  { has: 'hunks', keys: ['path', 'oldPath', 'status', 'binary', 'oldMode', 'newMode', 'similarity', 'hunks'] },
  { has: 'oldStart', keys: ['oldStart', 'oldLines', 'newStart', 'newLines', 'section', 'lines'] },
  { has: 'addedCalls', keys: ['file', 'name', 'change', 'newLine', 'oldLine', 'newEndLine', 'oldEndLine'] },
  { has: 'field', keys: ['file', 'field', 'value', 'structType', 'variable', 'change', 'newLine', 'oldLine'] },
  { has: 'kind', keys: ['kind', 'text', 'oldLine', 'newLine'] },
  { has: 'how', keys: ['line', 'how', 'description', 'fixes'] },
  { has: 'effect', keys: ['event', 'function', 'file', 'line', 'effect'] },
];

function keyOrder(obj: object): (a: string, b: string) => number {
  const order = ORDERS.find((o) => o.has in obj)?.keys ?? [];
  const rank = (k: string) => {
    const i = order.indexOf(k);
    return i < 0 ? Infinity : i;
  };
  return (a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** A deep copy with object keys ordered; undefined members dropped (as JSON would). */
export function ordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(ordered);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Map || value instanceof Set) return undefined; // not part of the contract
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort(keyOrder(value))) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = ordered(v);
  }
  return out;
}

export function renderJson(result: ReviewResult): string {
  const { kb: _kb, ...rest } = result as ReviewResult & { kb?: unknown };
  void _kb;
  // Every finding stays its own result; `cause` says which ones the human formats tell as one note.
  const patches = rest.patches.map((p) => ({ ...p, findings: p.findings.map((f) => (f.cause ? f : { ...f, cause: causeKey(p, f) })) }));
  return JSON.stringify(ordered({ ...rest, patches }), null, 2) + '\n';
}
