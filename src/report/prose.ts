/**
 * Rule text as the plain formats show it: the first paragraph of a message (what was seen),
 * the rule's short fix, backticks of the rules' own code spans dropped (plain text and mail
 * carry no markdown), and the target kernel said in words rather than as command-line advice.
 */
import type { Finding, ReviewResult } from '../model.js';
import type { KnowledgeBase } from '../kb/types.js';

/** The message's first paragraph: what was seen, where, in a few lines. */
export function firstParagraph(text: string): string {
  return text.trim().split(/\n[ \t]*\n/)[0] ?? '';
}

/** Plain text: the rules' `code spans` lose their backticks. */
export function plainProse(text: string): string {
  return text.replace(/`([^`\n]+)`/g, '$1');
}

/** The rule's one-sentence fix (rules/<id>.yaml `suggestion`), else the finding's own fix. */
export function shortFix(f: Finding, kb: KnowledgeBase): string {
  const rule = kb.rules.find((r) => r.id === f.rule);
  const s = typeof rule?.suggestion === 'string' ? rule.suggestion.trim() : '';
  return s || firstParagraph(f.suggestion);
}

/** The kernel the notes assume, in words a patch author can read without knowing our options. */
export function targetWords(result: ReviewResult, kb: KnowledgeBase): string {
  const t = result.target;
  const line = t?.line ?? kb.newestLine().id;
  if (!t || t.how === 'default') return `Linux ${line}, the newest kernel line it knows`;
  if (t.how === 'tree') return `the kernel tree it was run on, which matches the ${line} line`;
  const version = /--kernel ([^;)\s]+)/.exec(t.description)?.[1];
  return `Linux ${version ?? line}${version && version !== line ? ` (the ${line} line)` : ''}`;
}

/**
 * The references that apply to this note: links, and commits the note's own text names (a
 * rule lists the gate commit for the variant that talks about it, not for every patch).
 * Source-file pointers are for `explain`, not for notes.
 */
export function applicableReferences(f: Finding): Finding['references'] {
  const text = `${f.message}\n${f.suggestion}`;
  return f.references.filter((r) => {
    if (r.url && /^https?:\/\/\S+$/.test(r.url)) return true;
    return !!r.commit && text.includes(r.commit.slice(0, 7));
  });
}

/** "title (commit abc123)" / "title <url>" for plain text. */
export function referenceText(r: Finding['references'][number]): string {
  return `${r.title}${r.commit ? ` (commit ${r.commit.slice(0, 12)})` : ''}${r.url ? ` <${r.url}>` : ''}`;
}
