/**
 * Escaping for what we post on GitHub. Everything a patch author controls (function names,
 * code, paths, commit messages, and the rule messages that quote them) goes through here:
 * it must not render as markdown or HTML, must not notify anyone (@user, @org/team), must not
 * link or cross-reference issues (#123, GH-123), and must not forge our hidden marker.
 */

/** U+200D ZERO WIDTH JOINER: invisible, and GitHub's mention/reference parser stops at it. */
export const ZWJ = '\u200D';

/** U+200B ZERO WIDTH SPACE: what the posting stage's last pass uses (src/post/text.ts). */
export const ZWSP = '\u200B';

/**
 * Break @mentions and #123 / GH-123 references so GitHub neither notifies nor links: an
 * invisible `mark` (ZWJ by default) after the sigil. Idempotent, and text already broken with
 * either mark is left alone.
 */
export function neutralizeMentions(text: string, mark: string = ZWJ): string {
  return text
    .replace(/@(?=[A-Za-z0-9_-])/g, `@${mark}`)
    .replace(/#(?=\d)/g, `#${mark}`)
    .replace(/\b(GH-)(?=\d)/gi, `$1${mark}`);
}

/** HTML-escape (for attributes and raw HTML contexts). */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * Plain text -> markdown that renders as the same text. HTML is entity-escaped (so `<script>`,
 * `<!-- -->` and autolinks stay text), inline markdown punctuation is backslash-escaped, and
 * characters that start a block (heading, list, quote) are escaped at line starts.
 * Line breaks are kept as they are; callers decide about paragraphs.
 */
export function escapeMarkdown(text: string): string {
  const inline = noControls(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*[\]|~!])/g, '\\$1')
    // An underscore inside a word never opens emphasis in GFM: C names stay readable.
    .replace(/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, '\\_');
  const blocks = inline
    .split('\n')
    .map((line) => line.replace(/^(\s*)([#+=-])/, '$1\\$2').replace(/^(\s*\d+)([.)])(?=\s|$)/, '$1\\$2'))
    .join('\n');
  return neutralizeMentions(blocks);
}

/** One line of escaped markdown: newlines become spaces (for headings, table cells, list items). */
export function escapeMarkdownLine(text: string): string {
  return escapeMarkdown(text.replace(/\s*\n\s*/g, ' '));
}

/** Longest run of backticks in a string. */
function longestBacktickRun(text: string): number {
  let max = 0;
  for (const m of text.matchAll(/`+/g)) max = Math.max(max, m[0].length);
  return max;
}

/**
 * Keep code verbatim in markdown yet unable to forge our hidden `<!-- vfio-review ... -->`
 * marker in the raw comment text: an invisible joiner inside `<!--` / `-->`.
 */
function defangComments(text: string): string {
  return text.replace(/<!--/g, `<${ZWJ}!--`).replace(/--(?=>)/g, `--${ZWJ}`);
}

/**
 * A code span that shows `text` literally, whatever backticks it holds (CommonMark rules).
 * GitHub does not link mentions inside code, but spans hold short names (functions, paths)
 * where an invisible joiner costs nothing, so they are neutralized too: defence in depth.
 */
export function inlineCode(text: string): string {
  const flat = neutralizeMentions(defangComments(noControls(text.replace(/\r?\n/g, ' '))));
  const fence = '`'.repeat(longestBacktickRun(flat) + 1);
  // A span starting or ending with a backtick (or a space) needs one space of padding.
  const pad = /^[`\s]|[`\s]$/.test(flat) ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/**
 * A fenced code block whose fence is longer than any backtick run inside. The code is kept
 * byte for byte (GitHub links no mentions in fenced code); only our marker is defanged.
 */
export function codeBlock(text: string, lang = ''): string {
  const body = defangComments(noControls(text));
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(body) + 1));
  return `${fence}${lang}\n${body}\n${fence}`;
}

/** A markdown link whose target we trust only if it is http(s); anything else is shown as text. */
export function safeLink(title: string, url: string | undefined): string {
  const label = escapeMarkdownLine(title);
  if (!url || !/^https?:\/\/[^\s<>()]+$/.test(url)) return label;
  return `[${label}](${url})`;
}

/**
 * Plain text for a terminal or a mail: C0 control characters other than tab, newline and form
 * feed (old kernel sources use ^L) become U+FFFD, so a patch cannot smuggle terminal escape
 * sequences or carriage returns into what we print or send.
 */
export function plainText(text: string): string {
  return noControls(text);
}

/**
 * C0 control characters other than tab, newline and form feed become U+FFFD: in markdown too,
 * where an escape sequence or a bare CR would reach whoever reads the raw text in a terminal.
 */
function noControls(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b\u000d-\u001f\u007f]/g, '\uFFFD');
}
