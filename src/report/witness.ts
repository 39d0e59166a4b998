/**
 * The witness of a note (Finding.trace) and its conditions, as plain text and markdown: the
 * shortest event sequence the device-state model found, numbered, each step with its function,
 * file:line (the target's tree, or the patch) and what it does to the device.
 */
import type { Finding, TraceStep } from '../model.js';
import { wrapText } from './wrap.js';

const where = (t: TraceStep) => (t.file ? ` ${t.file}${t.line ? `:${t.line}` : ''}` : '');

/** "Conditions: ..." and the numbered trace, wrapped for plain text; "" when the note has neither. */
export function witnessText(f: Finding, width: number): string {
  const out: string[] = [];
  if (f.conditions?.length) out.push(wrapText(`Conditions: ${f.conditions.join(' ')}`, width));
  if (f.trace?.length) {
    const lines = ['How it happens (the shortest sequence the state model found):'];
    let event = '';
    f.trace.forEach((t, i) => {
      if (t.event !== event) lines.push(`  [${(event = t.event)}]`);
      const head = `  ${String(i + 1).padStart(2)}. ${t.function}()${where(t)}`;
      // a long location goes on its own line, so the list keeps to the width
      const heads = head.length <= width || !t.file ? [head] : [`  ${String(i + 1).padStart(2)}. ${t.function}()`, `       ${where(t)}`];
      lines.push(...heads, ...wrapText(t.effect, width - 8).split('\n').map((l) => `        ${l}`));
    });
    out.push(lines.join('\n'));
  }
  return out.join('\n\n');
}

/** The same as a markdown details block. */
export function witnessMarkdown(f: Finding, escape: (s: string) => string): string {
  const out: string[] = [];
  if (f.conditions?.length) out.push(`**Conditions:** ${escape(f.conditions.join(' '))}`);
  if (f.trace?.length) {
    const rows = f.trace.map((t, i) => `${i + 1}. *${escape(t.event)}*: \`${t.function}()\`${t.file ? ` \`${t.file}${t.line ? `:${t.line}` : ''}\`` : ''}: ${escape(t.effect)}`);
    out.push(`<details><summary>How it happens (shortest sequence the state model found)</summary>\n\n${rows.join('\n')}\n\n</details>`);
  }
  return out.join('\n\n');
}
