/**
 * The fixed parts of an email reply: greeting, attribution line, reply subject, the name of a
 * bare diff, and the footer (after the `-- ` line) saying who we are, how to run the tool from
 * a clone and how to push back.
 */
import type { PatchModel } from '../model.js';
import { loreLink, patchName } from './common.js';
import { TOOL, VERSION } from '../version.js';


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
  const who = patch.from ?? 'the patch';
  const when = patch.date ? rfc2822Date(patch.date) : undefined;
  if (!patch.from) return `${patchName(patch)}:`;
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

/** The signature block: `-- `, then who we are, where the patch is, how to reproduce, how to push back. */
export function footer(patch: PatchModel): string {
  const lines = ['-- '];
  lines.push(`${TOOL} ${VERSION}: automated notes, not a human review (no Reviewed-by).`);
  if (patch.messageId) lines.push(`Patch: ${loreLink(patch.messageId)}`);
  lines.push('In a clone of vfio-review: npm ci; node bin/vfio-review.js review PATCH');
  lines.push('A note is wrong? Reply saying which one and why.');
  return lines.join('\n');
}
