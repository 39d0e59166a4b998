/**
 * Text we add around the reports' markdown: escaping for patch-derived strings, mention
 * neutralising, and the token redaction every log line goes through.
 */

/** Escape markdown and HTML in text that came from a patch (subjects, names). */
export function escapeMarkdown(s: string): string {
  return neutralize(
    s
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/([\\`*_{}[\]()#+\-.!|~])/g, '\\$1'),
  );
}

/**
 * `@name` and `#123` in posted text notify people and link issues; a zero-width space after
 * the sigil keeps the text readable and silences both. Idempotent.
 */
export function neutralize(s: string): string {
  return s.replace(/@(?=[A-Za-z0-9_-])/g, '@\u200b').replace(/#(?=\d)/g, '#\u200b');
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
