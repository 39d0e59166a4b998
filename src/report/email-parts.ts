/**
 * The fixed parts of an email reply: greeting, attribution line, reply subject, and the
 * footer saying who we are, how to reproduce the notes and how to push back.
 */
import type { PatchModel } from '../model.js';
import { loreLink } from './common.js';
import { wrapText } from './wrap.js';
import { TOOL, VERSION } from '../version.js';

const WIDTH = 72;

/** "Re: <subject>", without stacking a second "Re:". */
export function replySubject(subject: string): string {
  return /^re:/i.test(subject.trim()) ? subject.trim() : `Re: ${subject.trim()}`;
}

/**
 * "Hi <first word of the display name>," - or just "Hi," rather than guess: no display name,
 * or a "Last, First" one whose first word is not what the person is called.
 */
export function greeting(patch: PatchModel): string {
  const display = /^\s*"?([^"<]*?)"?\s*</.exec(patch.from ?? '')?.[1] ?? '';
  const name = display.includes(',') ? undefined : /^[^\s@]+/.exec(display)?.[0];
  return name ? `Hi ${name},` : 'Hi,';
}

/** "On Wed, 3 Jun 2026 18:00:02 +0000, Name <addr> wrote:" (date left out when unknown). */
export function attribution(patch: PatchModel): string {
  const who = patch.from ?? 'the author';
  const when = patch.date ? rfc2822Date(patch.date) : undefined;
  return when ? `On ${when}, ${who} wrote:` : `${who} wrote:`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** ISO 8601 -> "Wed, 3 Jun 2026 18:00:02 +0000" in UTC (the model keeps no zone); the input if unparsable. */
export function rfc2822Date(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const hh = (n: number) => String(n).padStart(2, '0');
  return (
    `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${hh(d.getUTCHours())}:${hh(d.getUTCMinutes())}:${hh(d.getUTCSeconds())} +0000`
  );
}

/** Who we are, how to reproduce, how to push back. No signature delimiter, no trailers. */
export function footer(patch: PatchModel): string {
  const rules = [...new Set(patch.findings.map((f) => f.rule))];
  const lines = wrapText(
    `${TOOL} ${VERSION}: automated notes on PCI save/restore in vfio/pci patches. ` +
      'Not a human review, so no Reviewed-by, Acked-by or Tested-by.',
    WIDTH,
  ).split('\n');
  if (patch.messageId) lines.push(`Patch: ${loreLink(patch.messageId)}`);
  lines.push('Run it locally:  npx vfio-review review <mbox>');
  for (const r of rules) lines.push(`Explain a note:  vfio-review explain ${r}`);
  lines.push(
    ...wrapText(
      'False positive? Reply to this message saying which note and why, so ' +
        'the rule can be fixed. Locally, --ignore RULE silences a rule.',
      WIDTH,
    ).split('\n'),
  );
  return lines.join('\n');
}
