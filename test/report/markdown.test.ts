/** `--format markdown`: summary, the marked step table, notes grouped by patch, all escaped. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { render } from '../../src/report/index.js';
import { makeKb } from '../fixtures/findings/kb.js';
import { cleanResult, hostileResult, outsideResult, seriesResult } from '../fixtures/findings/results.js';
import { assertGolden } from './golden.js';

const kb = makeKb();

test('markdown: series matches the golden render', () => {
  assertGolden('series.md', render('markdown', seriesResult(), { kb }));
});

test('markdown: summary, step table with the affected steps marked, notes grouped by patch', () => {
  const out = render('markdown', seriesResult(), { kb });
  assert.match(out, /^## vfio-review: 3 warnings$/m);
  assert.match(out, /^3 patches reviewed; target kernel: 6\.19\+ \(default: /m);
  // Union of the notes' steps is bold in the summary table; an untouched step is not.
  const summary = out.slice(0, out.indexOf('### \\[PATCH'));
  assert.match(summary, /^\| 9 \| \*\*`tph`\*\* \|/m);
  assert.match(summary, /^\| 14 \| \*\*`msi`\*\* \|/m);
  assert.match(summary, /^\| 2 \| `pasid` \|/m);
  // Patch sections in order; the clean ones say so.
  const order = ['1/4', '3/4', '4/4'].map((n) => out.indexOf(`### \\[PATCH v18 ${n}\\]`));
  assert.ok(order.every((i) => i > 0) && order[0] < order[1] && order[1] < order[2], String(order));
  assert.equal((out.match(/No PCI save\/restore problems found\./g) ?? []).length, 2);
  assert.equal((out.match(/^#### ⚠️ Warning: /gm) ?? []).length, 1, 'one note per cause');
  assert.match(out, /^- ⚠️ Warning: .+ \(`snapshot\/stale-tph`\)$/m, 'the other findings as sub-points');
  assert.match(out, /<details><summary>Why, in full \(3 points\)<\/summary>/);
  assert.ok(out.includes('`SNAPSHOT_STALE_RESTORE` (`snapshot/stale-restore`) at `drivers/vfio/pci/vfio_pci_core.c:2294` in `vfio_pci_core_aer_reset_done()`'));
});

test('markdown: outside-the-diff note says so; check level icon', () => {
  const out = render('markdown', outsideResult(), { kb });
  assert.ok(out.includes('at `drivers/vfio/pci/vfio_pci_core.c:2400` (outside the diff)'));
  assert.match(out, /^#### 🔎 Check: A restore step the knowledge base does not know$/m);
});

test('markdown: clean input', () => {
  const out = render('markdown', cleanResult(), { kb });
  assert.match(out, /^## vfio-review: no PCI save\/restore problems found$/m);
  assert.ok(!out.includes('| # |'), 'no step table without notes');
});

test('markdown: patch-controlled text is escaped (no HTML, no mentions, no references)', () => {
  const out = render('markdown', hostileResult(), { kb });
  assert.ok(!/<img|<script|<b>/i.test(out), 'no raw HTML from the patch');
  assert.ok(!/@(octocat|torvalds|github)/.test(out), 'no live @mention');
  assert.ok(!/#\d/.test(out), 'no live #123 reference');
  assert.ok(out.includes('\\[link\\](javascript:alert(1))'), 'the link syntax is escaped');
  assert.ok(!/(^|[^\\])\[link/.test(out), 'no live javascript: link');
  assert.ok(out.includes('&lt;img src=x onerror=alert(1)&gt;'), 'the subject is shown as text');
});

test('markdown: a reference appears only where it applies (a commit the note names, or a link)', () => {
  const r = seriesResult();
  const p3 = r.patches.find((p) => p.findings.length)!;
  const out = () => render('markdown', r, { kb });
  assert.doesNotMatch(out(), /commit `a2f1e22390ac`/, 'the gate commit is not named by the note');
  p3.findings[0].message += '\n\nSince a2f1e22390ac every restore writes the snapshot back.';
  assert.match(out(), /commit `a2f1e22390ac`/);
});
