/**
 * Message templates: `{{name}}` placeholders filled from what a rule saw. Rules hold the words;
 * the engine supplies only the generic values listed in PLACEHOLDERS, and a rule binds its own
 * (`as: load` on a predicate, `defaults:`); the meta-test checks both ways.
 */
import type { KnowledgeBase } from '../kb/types.js';

/** Every placeholder a rule message may use, with what it holds. `{{fix.ID}}` names a known fix. */
export const PLACEHOLDERS: Record<string, string> = {
  function: 'the function the note is about',
  file: 'its file',
  change: 'added, modified or removed',
  role: 'its callback role (reset_done, error_detected, ...) or "none"',
  context: 'a phrase naming where it runs: the `.reset_done` callback, an ioctl path, ...',
  callee: 'the call in the function that triggered the note',
  via: '" through helper()" when the trigger is reached through a helper, else ""',
  path: 'the call chain from the function to the triggering kernel call',
  target: 'the kernel line the note assumed, as "Linux 6.19+" (Finding.target says how it was chosen)',
  line: 'the knowledge-base line of that kernel (6.12, 6.19+, ...)',
  steps: 'the restore steps the note is about (function names)',
  stepCount: 'how many',
  snapshotSteps: 'the target restore steps that write values from the snapshot',
  liveSteps: 'the target restore steps that write live state',
  calls: 'the calls that matched (added, removed or moved)',
  identifiers: 'the identifiers that matched',
  calleeSource: "a guess, from the helper's body in the patch, whether the step reads the snapshot or live state",
  ordering: "the target line's ordering facts",
  msixWriters: 'the functions that write the MSI-X table through MMIO on the target line (rules/kb/effects.yaml)',
};

export type Values = Record<string, string>;

const PLACEHOLDER = /\{\{\s*([\w.-]+)\s*\}\}/g;

/** The placeholder names a template uses. */
export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]);
}

/** Is `name` a placeholder the engine fills (given the KB's known fixes)? */
export function isKnownPlaceholder(name: string, kb?: KnowledgeBase): boolean {
  if (name in PLACEHOLDERS) return true;
  const m = /^fix\.(.+)$/.exec(name);
  return Boolean(m && (!kb || kb.fixes.some((f) => f.id === m[1])));
}

/** Fill a template. Unknown placeholders become "" (the meta-test forbids them). */
export function render(template: string, values: Values, kb?: KnowledgeBase): string {
  return template
    .replace(PLACEHOLDER, (_, name: string) => {
      if (name in values) return values[name];
      const m = /^fix\.(.+)$/.exec(name);
      if (m) {
        const fix = kb?.fixes.find((f) => f.id === m[1]);
        if (!fix) return m[1];
        return fix.commits.length ? `"${fix.title}" (${fix.commits[0]})` : `"${fix.title}"`;
      }
      return '';
    })
    .replace(/[ \t]+\n/g, '\n')
    .trim();
}

/** "a, b and c" */
export function joinList(items: string[], none = 'none'): string {
  if (items.length === 0) return none;
  if (items.length === 1) return items[0];
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
