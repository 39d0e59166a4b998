/**
 * Text we add around the reports' markdown: the posting stage's mention neutralising, the
 * size cap, and the token redaction every log line goes through. Escaping itself lives in
 * the reports (src/report/escape.ts); this module only applies it.
 */
import { ZWSP, neutralizeMentions } from '../report/escape.js';

/**
 * The last pass over everything posted (defence in depth, and for artifacts a fork wrote):
 * `@name`, `#123` and `GH-123` get a zero-width space after the sigil, which keeps the text
 * readable and silences them. Idempotent; text the reports already neutralised is unchanged.
 */
export function neutralize(s: string): string {
  return neutralizeMentions(s, ZWSP);
}

/** Remove every occurrence of the secrets from a text (error messages can echo request data). */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('***');
  return out;
}

/** Cut a markdown text to GitHub's size limits, saying so. */
export function cap(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = '\n\n_(truncated: the full report is in the job summary and the SARIF file)_\n';
  return text.slice(0, max - note.length) + note;
}
