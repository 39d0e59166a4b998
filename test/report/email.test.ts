/** `--format email` / renderEmailBody: a plain-text, kernel-list-style reply body. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { render, renderEmailBody } from '../../src/report/index.js';
import { rfc2822Date, replySubject } from '../../src/report/email.js';
import { makeKb } from '../fixtures/findings/kb.js';
import { cleanResult, outsideResult, sampleResult, seriesResult } from '../fixtures/findings/results.js';
import { assertGolden } from './golden.js';

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
  const exempt = /^(>|On |Subject: |In-Reply-To: )|https?:\/\/\S+$/;
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
  assert.ok(body.includes('[check] kb/unknown-restore-step: A restore step the knowledge base does'));
});

test('email: quotes only the noted lines, verbatim, with "> " and a few lines above', () => {
  const body = sampleBody();
  const quoted = body.split('\n').filter((l) => l.startsWith('>'));
  assert.deepEqual(quoted, [
    '> diff --git a/drivers/vfio/pci/vfio_pci_core.c b/drivers/vfio/pci/vfio_pci_core.c',
    '> @@ -2283,6 +2283,17 @@ pci_ers_result_t vfio_pci_core_aer_err_detected(struct pci_dev *pdev,',
    '> [...]',
    '> +static void vfio_pci_core_aer_reset_done(struct pci_dev *pdev)',
    '> +{',
    '> +\tstruct vfio_pci_core_device *vdev = dev_get_drvdata(&pdev->dev);',
    '> +',
    '> +\tif (!vdev->pci_saved_state)',
    '> +\t\treturn;',
    '> +',
    '> +\tpci_load_saved_state(pdev, vdev->pci_saved_state);',
    '> +\tpci_restore_state(pdev);',
  ]);
  // The second hunk (the callback table) and the context after the function are trimmed.
  assert.ok(!body.includes('vfio_pci_core_sriov_configure'));
  assert.ok(!body.includes('.reset_done = '));
});

test('email: each note sits under the line it concerns', () => {
  const r = sampleResult();
  r.patches[0].findings[0].line = 2293; // stale-restore on the load, the others on the restore
  const body = renderEmailBody(r.patches[0], r, { kb });
  const load = body.indexOf('> +\tpci_load_saved_state(');
  const note1 = body.indexOf('[warning] snapshot/stale-restore');
  const restore = body.indexOf('> +\tpci_restore_state(pdev);');
  const note2 = body.indexOf('[warning] snapshot/stale-tph');
  assert.ok(load < note1 && note1 < restore && restore < note2, 'quote, note, quote, note');
  // The second quote continues where the first stopped: no line is quoted twice.
  assert.equal(body.split('> +\tpci_load_saved_state(').length, 2);
});

test('email: prose wrapped at 72 columns, quoted code never re-wrapped', () => {
  for (const body of [sampleBody(), render('email', outsideResult(), { kb })]) {
    for (const l of proseLines(body)) assert.ok(l.length <= 72, `over 72 columns: ${JSON.stringify(l)}`);
  }
  // The long quoted diff header stays on one line.
  assert.ok(sampleBody().includes('\n> @@ -2283,6 +2283,17 @@ pci_ers_result_t vfio_pci_core_aer_err_detected(struct pci_dev *pdev,\n'));
});

test('email: plain text, questions, the step table, no trailers', () => {
  const body = sampleBody();
  assert.ok(!/\*\*|```|<details>|^#+ |\]\(http/m.test(body), 'no markdown');
  assert.ok(!/<[a-z]+[ >]/i.test(body.replace(/<[^>\s]+@[^>\s]+>/g, '').replace(/<mbox>/g, '')), 'no HTML');
  assert.ok(!/^(Reviewed|Acked|Tested)-by:/m.test(body), 'no review trailers');
  assert.equal((body.match(/^Could this happen here\?/gm) ?? []).length, 3, 'each note asks');
  assert.match(body, /^On Wed, 3 Jun 2026 18:00:02 \+0000, Sample Author <author@example\.org> wrote:$/m);
  assert.match(body, /^\* pci_restore_tph_state +snapshot/m, 'step table, steps marked');
  assert.match(body, /^\* pci_restore_msi_state +live/m);
  assert.match(body, /^  pci_restore_iov_state +live/m, 'unmarked step');
  assert.ok(!body.includes('\t\n') && !/ $/m.test(body), 'no trailing whitespace');
});

test('email: footer names the bot, how to run it, how to push back', () => {
  const body = sampleBody();
  const footer = body.slice(body.indexOf('vfio-review 0.1.0: automated notes'));
  assert.ok(footer.includes('Not a human review, so no Reviewed-by'));
  assert.ok(footer.includes('Run it locally:  npx vfio-review review <mbox>'));
  assert.ok(footer.includes('Explain a note:  vfio-review explain snapshot/stale-restore'));
  assert.ok(footer.includes('False positive? Reply to this message'));
  assert.ok(footer.includes('https://lore.kernel.org/r/6526efa4ea8d82bd92c71d7a925dd898c11abf6b.1795476367.git.author%40example.org'));
  assert.ok(!/^-- $/m.test(body), 'no signature block');
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
