/**
 * The review to post: the reports' GitHub payload, plus which commit introduced each note and
 * the notes of individual commits that the pull request as a whole no longer has.
 */
import { buildGithubReview, fingerprintMarker, type ReviewPayload } from '../report/github.js';
import { escapeMarkdownLine } from '../report/escape.js';
import type { PullReview } from './review.js';
import type { PullCommit } from './fetch.js';

export function buildPayload(r: PullReview): ReviewPayload {
  const p = buildGithubReview(r.result, { kb: r.result.kb });
  const comments = p.comments.map((c) => {
    const by = r.introducedBy.get(c.fingerprint);
    if (!by?.length) return c;
    const marker = fingerprintMarker(c.fingerprint);
    const line = `\n\n_Introduced by ${by.map(commitRef).join(', ')}._\n\n`;
    const body = c.body.includes(marker) ? c.body.replace(marker, `${line.trimStart()}${marker}`) : c.body + line;
    return { ...c, body };
  });
  return { ...p, comments, body: p.body + commitOnlySection(r) };
}

function commitRef(c: PullCommit): string {
  return `${c.sha.slice(0, 12)} ("${escapeMarkdownLine(c.message.split('\n', 1)[0])}")`;
}

function commitOnlySection(r: PullReview): string {
  if (r.commitOnly.length === 0) return '';
  const items = r.commitOnly.map(
    ({ commit, finding: f }) =>
      `- **${f.severity}** \`${f.rule}\` in ${commitRef(commit)}, ${escapeMarkdownLine(f.file)}:${f.line}` +
      `${f.function ? ` (${escapeMarkdownLine(f.function)})` : ''}: ${escapeMarkdownLine(f.title)}`,
  );
  return `\n\n### Notes on individual commits\n\nThese hold at a commit of this pull request but not at its head (a later commit changes the code):\n\n${items.join('\n')}\n`;
}
