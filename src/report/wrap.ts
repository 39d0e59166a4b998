/**
 * Word wrapping for plain-text reports (email at 72 columns, text at 80). Only prose is
 * re-wrapped: lines that look like code (leading tab or 4+ spaces) or table rows stay as they
 * are, because re-flowing code or quoted patch lines would corrupt them.
 */

/** Greedy wrap of one paragraph; a word longer than the width (a URL) gets its own line. */
export function wrapParagraph(text: string, width: number, firstIndent = '', indent = firstIndent): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let cur = firstIndent;
  let empty = true;
  for (const word of words) {
    if (!empty && cur.length + 1 + word.length > width) {
      lines.push(cur);
      cur = indent + word;
    } else {
      cur += (empty ? '' : ' ') + word;
    }
    empty = false;
  }
  if (!empty) lines.push(cur);
  return lines;
}

/** A line we must not re-flow: code (tab / 4 spaces), a table row, or an already-quoted line. */
function isVerbatim(line: string): boolean {
  return /^(\t| {4})/.test(line) || /^\s*[|+]/.test(line) || line.startsWith('>');
}

const LIST_ITEM = /^(\s*(?:[-*]|\d+[.)])\s+)/;

/**
 * Wrap plain text: paragraphs are separated by blank lines; inside one, list items start a
 * new wrapped block with a hanging indent, verbatim lines pass through, the rest is joined and
 * re-wrapped. `indent` prefixes every produced line.
 */
export function wrapText(text: string, width: number, indent = ''): string {
  const out: string[] = [];
  for (const para of text.replace(/\r\n/g, '\n').split(/\n[ \t]*\n/)) {
    if (out.length) out.push('');
    out.push(...wrapBlock(para, width, indent));
  }
  return out.join('\n');
}

function wrapBlock(para: string, width: number, indent: string): string[] {
  const out: string[] = [];
  let pending: { text: string; first: string; rest: string } | undefined;
  const flush = () => {
    if (pending) out.push(...wrapParagraph(pending.text, width, pending.first, pending.rest));
    pending = undefined;
  };
  for (const line of para.split('\n')) {
    if (isVerbatim(line)) {
      flush();
      out.push(indent + line);
      continue;
    }
    const item = LIST_ITEM.exec(line);
    if (item) {
      flush();
      const bullet = item[1];
      pending = { text: line.slice(bullet.length), first: indent + bullet, rest: indent + ' '.repeat(bullet.length) };
    } else if (pending) {
      pending.text += ' ' + line;
    } else {
      pending = { text: line, first: indent, rest: indent };
    }
  }
  flush();
  return out;
}
