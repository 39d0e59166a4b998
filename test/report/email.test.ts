/** `--format email` / renderEmailBody: a plain-text, kernel-list-style reply body. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { render, renderEmailBody } from '../../src/report/index.js';
import { rfc2822Date, replySubject } from '../../src/report/email.js';
import { makeKb } from '../fixtures/findings/kb.js';
import { cleanResult, outsideResult, sampleResult, seriesResult } from '../fixtures/findings/results.js';
import { assertGolden } from './golden.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectMessages } from '../../src/ingest/index.js';

const kb = makeKb();

function sampleBody(): string {
  const r = sampleResult();
  return renderEmailBody(r.patches[0], r, { kb });
}

/**
 * Lines that are prose: not quotes, not the step table, not a line ending in a URL, not the
 * attribution line or the preview's headers (mail clients do not wrap those either).
 */
function proseLines(body: string): string[] {
  const tableRow = /^[* ] {1,3}\S|^  -|^\* = /;
  const exempt = /^(>|On |Subject: |In-Reply-To: |References: |From vfio-review )|https?:\/\/\S+$/;
  return body.split('\n').filter((l) => !exempt.test(l) && !tableRow.test(l));
}

test('email: sample patch 3/4 body matches the golden render', () => {
  assertGolden('sample-body.eml', sampleBody());
});

test('email: a note outside the diff is told after the quotes', () => {
  const r = outsideResult();
  const body = renderEmailBody(r.patches[0], r, { kb });
  assertGolden('outside-body.eml', body);
  const quoteEnd = body.lastIndexOf('\n> ');
  const outside = body.indexOf('Outside the lines quoted above:');
  assert.ok(outside > quoteEnd, 'the outside note comes after the last quote');
  assert.match(body, /In drivers\/vfio\/pci\/vfio_pci_core\.c:2400, vfio_pci_core_err_handlers\(\):/);
  assert.ok(body.includes('CHECK:KB_UNKNOWN_RESTORE_STEP: A restore step the knowledge base does'));
});

test('email: quotes only the noted lines, verbatim, with "> " and a few lines above', () => {
  const body = sampleBody();
  const quoted = body.split('\n').filter((l) => l.startsWith('>'));
  assert.deepEqual(quoted, [
    '> diff --git a/drivers/vfio/pci/vfio_pci_core.c b/drivers/vfio/pci/vfio_pci_core.c',
    '> @@ -2283,6 +2283,17 @@ pci_ers_result_t vfio_pci_core_aer_err_detected(struct pci_dev *pdev,',
    '> [...]',
    '> +\t\treturn;',
    '> +',
    '> +\tpci_load_saved_state(pdev, vdev->pci_saved_state);',
    '> +\tpci_restore_state(pdev);',
  ]);
  // The second hunk (the callback table) and the context after the function are trimmed.
  assert.ok(!body.includes('vfio_pci_core_sriov_configure'));
  assert.ok(!body.includes('.reset_done = '));
});

test('email: each cause sits under the line it concerns; one cause is one note', () => {
  const r = sampleResult();
  // Two causes: stale-restore on a line of its own, the others on the restore.
  Object.assign(r.patches[0].findings[0], { line: 2290, cause: 'a' });
  const body = renderEmailBody(r.patches[0], r, { kb });
  const first = body.indexOf('WARNING:SNAPSHOT_STALE_RESTORE');
  const restore = body.indexOf('> +\tpci_restore_state(pdev);');
  const second = body.indexOf('WARNING:SNAPSHOT_STALE_TPH');
  assert.ok(first > 0 && first < restore && restore < second, 'quote, note, quote, note');
  assert.match(body, /^- WARNING:MSIX_MEMORY_BIT: /m, 'the MSI-X finding is a sub-point of the TPH note');
  // The second quote continues where the first stopped: no line is quoted twice.
  assert.equal(body.split('> +\tpci_restore_state(pdev);').length, 2);
});

test('email: prose wrapped at 72 columns, quoted code never re-wrapped', () => {
  for (const body of [sampleBody(), render('email', outsideResult(), { kb })]) {
    for (const l of proseLines(body)) assert.ok(l.length <= 72, `over 72 columns: ${JSON.stringify(l)}`);
  }
  // The long quoted diff header stays on one line.
  assert.ok(sampleBody().includes('\n> @@ -2283,6 +2283,17 @@ pci_ers_result_t vfio_pci_core_aer_err_detected(struct pci_dev *pdev,\n'));
});

test('email: plain text, list style, the step table once, no trailers', () => {
  const body = sampleBody();
  assert.ok(!/\*\*|```|`|<details>|^#+ |\]\(http/m.test(body), 'no markdown, no backticks');
  assert.ok(!/\[(error|warning|check)\]/.test(body), 'no [level] labels');
  assert.ok(!/<[a-z]+[ >]/i.test(body.replace(/<[^>\s]+@[^>\s]+>/g, '')), 'no HTML');
  assert.ok(!/^(Reviewed|Acked|Tested)-by:/m.test(body), 'no review trailers');
  assert.ok(!/--kernel|--tree|--ignore/.test(body), 'no command-line advice to the author');
  assert.ok(!/one way out|Could this happen/.test(body), 'no canned joins');
  assert.match(body, /assuming Linux 6\.19\+, the newest kernel line it knows/);
  assert.match(body, /^On Wed, 3 Jun 2026 18:00:02 \+0000, Sample Author <author@example\.org> wrote:$/m);
  assert.equal((body.match(/^Restore steps of pci_restore_state\(\)/gm) ?? []).length, 1);
  assert.match(body, /^- from the snapshot: pci_restore_pcie_state, .*\n(  .*\n)*/m, 'the steps the notes are about, by source');
  assert.match(body, /pci_restore_tph_state\n?\s*\(if tph_enabled\)/);
  assert.doesNotMatch(body, /pci_restore_iov_state/, 'only those steps');
  assert.ok(!body.includes('\t\n') && !/ $/m.test(body.replace(/^-- $/m, '')), 'no trailing whitespace but the signature line');
});

test('email: footer after "-- ": names the bot, how to run it from a clone, how to push back', () => {
  const body = sampleBody();
  assert.match(body, /\n-- \n/);
  const footer = body.slice(body.indexOf('\n-- \n'));
  assert.ok(footer.includes('not a human review (no Reviewed-by)'));
  assert.ok(footer.includes('node bin/vfio-review.js review'));
  assert.ok(!footer.includes('npx vfio-review'), 'no unpublished npm name');
  assert.ok(footer.includes('Reply saying which one and why'));
  assert.ok(!/edit|rules\//.test(footer), 'never asks the submitter to edit our files');
  assert.ok(footer.includes('https://lore.kernel.org/r/6526efa4ea8d82bd92c71d7a925dd898c11abf6b.1795476367.git.author%40example.org'));
});

test('email: several replies come out as one mbox', async () => {
  const r = seriesResult();
  const p3 = r.patches.find((p) => p.findings.length)!;
  const again = structuredClone(p3);
  Object.assign(again, { messageId: 'other@example.org', subject: '[PATCH v18 5/4] again' });
  r.patches.push(again);
  const out = render('email', r, { kb });
  assert.equal((out.match(/^From vfio-review /gm) ?? []).length, 2);
  assert.ok(out.startsWith('From vfio-review '));
  assert.match(out, /^Subject: Re: \[PATCH v18 5\/4\] again$/m);
  // A mail reader (here our own mbox reader) sees two messages, threaded under their patches.
  const file = join(mkdtempSync(join(tmpdir(), 'vfio-review-mbox-')), 'replies.mbox');
  writeFileSync(file, out);
  const { messages } = await collectMessages([file], { inputFormat: 'mbox' });
  assert.deepEqual(messages.map((m) => m.inReplyTo), [p3.messageId, 'other@example.org']);
});

test('email: a bare diff without a subject is named after its files', () => {
  const r = sampleResult();
  Object.assign(r.patches[0], { source: '/tmp/x/fix.diff', subject: 'fix', messageId: undefined, from: undefined });
  const out = render('email', r, { kb });
  assert.match(out, /^Subject: Re: diff to drivers\/vfio\/pci\/vfio_pci_core\.c$/m);
});

test('email: render() previews one reply per patch with notes, none for clean patches', () => {
  const out = render('email', seriesResult(), { kb });
  assert.equal((out.match(/^Subject: /gm) ?? []).length, 1);
  assert.match(out, /^Subject: Re: \[PATCH v18 3\/4\] vfio\/pci: Add a reset_done callback for vfio-pci driver$/m);
  assert.match(out, /^In-Reply-To: <6526efa4ea8d82bd92c71d7a925dd898c11abf6b\.1795476367\.git\.author@example\.org>$/m);
  assert.equal(render('email', cleanResult(), { kb }), '');
});

test('email: helpers', () => {
  assert.equal(replySubject('[PATCH v2] x'), 'Re: [PATCH v2] x');
  assert.equal(replySubject('Re: [PATCH v2] x'), 'Re: [PATCH v2] x');
  assert.equal(rfc2822Date('2026-06-03T18:00:02.000Z'), 'Wed, 3 Jun 2026 18:00:02 +0000');
  assert.equal(rfc2822Date('not a date'), 'not a date');
});

test('email: greeting uses the display name only', () => {
  const r = sampleResult();
  const body = (from: string | undefined) => {
    r.patches[0].from = from;
    return renderEmailBody(r.patches[0], r, { kb }).split('\n', 1)[0];
  };
  assert.equal(body('Sample Author <author@example.org>'), 'Hi Sample,');
  assert.equal(body('"Doe, Jane" <jd@example.org>'), 'Hi,');
  assert.equal(body('"Jane Doe" <jd@example.org>'), 'Hi Jane,');
  assert.equal(body('jd@example.org'), 'Hi,');
  assert.equal(body(undefined), 'Hi,');
});

test('email: a positive reply (no notes) says so, with no count and no empty sections', () => {
  const r = cleanResult();
  const body = renderEmailBody(r.patches[0], r, { kb });
  assert.match(body.replace(/\n/g, " "), /has no notes on PCI save\/restore in this patch, assuming Linux 6\.19\+/);
  assert.doesNotMatch(body, /no findings|Restore steps of/);
  assert.match(body, /\n-- \n/);
});
