/**
 * Regular expressions built from names (functions, identifiers) that come from patches and the
 * knowledge base: always escaped, so a name never becomes syntax. Names are bounded by the
 * identifier limit (src/ingest/limits.ts) before they get here.
 */

/** `name` with every regex metacharacter escaped. */
export function escapeRegExp(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A call of `name`: `name (` as a whole word. */
export function callRegExp(name: string, flags?: string): RegExp {
  return new RegExp(`\\b${escapeRegExp(name)}\\s*\\(`, flags);
}

/** `name` as a whole word. */
export function wordRegExp(name: string, flags?: string): RegExp {
  return new RegExp(`\\b${escapeRegExp(name)}\\b`, flags);
}
