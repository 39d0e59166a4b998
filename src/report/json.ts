/**
 * `--format json`: the ReviewResult itself (patch models with findings filled), the contract
 * other tools read (issue #2). Keys come out in a stable order whatever order the stages built
 * objects in: the contract's leading keys first, then the rest alphabetically. The knowledge
 * base is never included, even when a caller passes the pipeline's `Reviewed` object.
 */
import type { ReviewResult } from '../model.js';

/** Keys that lead their object, in this order (a key absent from an object is skipped). */
const LEADING = [
  'tool',
  'version',
  'target',
  'patches',
  'errors',
  'source',
  'messageId',
  'subject',
  'from',
  'date',
  'kind',
  'rule',
  'type',
  'severity',
  'path',
  'file',
  'line',
  'function',
  'name',
  'title',
  'message',
];
const RANK = new Map(LEADING.map((k, i) => [k, i]));

function compareKeys(a: string, b: string): number {
  const ra = RANK.get(a) ?? Infinity;
  const rb = RANK.get(b) ?? Infinity;
  if (ra !== rb) return ra - rb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A deep copy with object keys ordered; undefined members dropped (as JSON would). */
export function ordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(ordered);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Map || value instanceof Set) return undefined; // not part of the contract
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort(compareKeys)) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = ordered(v);
  }
  return out;
}

export function renderJson(result: ReviewResult): string {
  const { kb: _kb, ...rest } = result as ReviewResult & { kb?: unknown };
  void _kb;
  return JSON.stringify(ordered(rest), null, 2) + '\n';
}
