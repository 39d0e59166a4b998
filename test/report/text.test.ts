/** `--format text`: checkpatch's shape, on the shared fixture results. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { render } from '../../src/report/index.js';
import { makeKb } from '../fixtures/findings/kb.js';
import { cleanResult, emptyResult, outsideResult, sampleResult, seriesResult } from '../fixtures/findings/results.js';
import { assertGolden } from './golden.js';

const kb = makeKb();

test('text: sample patch 3/4 matches the golden render', () => {
  assertGolden('sample.txt', render('text', sampleResult(), { kb }));
});

test('text: series of three (two clean) matches the golden render', () => {
  assertGolden('series.txt', render('text', seriesResult(), { kb }));
});

test('text: checkpatch report shape for each finding', () => {
  const out = render('text', sampleResult(), { kb });
  for (const type of ['SNAPSHOT_STALE_RESTORE', 'SNAPSHOT_STALE_TPH', 'MSIX_MEMORY_BIT']) {
    assert.match(out, new RegExp(`^WARNING:${type}: .+\\n#\\d+: FILE: drivers/vfio/pci/vfio_pci_core\\.c:2294:\\n\\+\\tpci_restore_state\\(pdev\\);$`, 'm'));
  }
  assert.match(out, /^total: 0 errors, 3 warnings, 0 checks, 29 lines checked$/m);
  assert.match(out, /^Target kernel: 6\.19\+ \(default: /m);
  // The restore-step table is shown with the note's steps marked.
  assert.match(out, /^\* pci_restore_tph_state +snapshot/m);
  assert.ok(out.includes('See: vfio-review explain snapshot/stale-tph'));
});

test('text: #N is the line position in the diff, counted from the first diff --git line', () => {
  // diff --git, ---, +++, @@ (4 lines), then the hunk: pci_restore_state(pdev) is its 12th line.
  const out = render('text', sampleResult(), { kb });
  assert.match(out, /^#16: FILE: drivers\/vfio\/pci\/vfio_pci_core\.c:2294:$/m);
});

test('text: a clean patch says so in one line', () => {
  const out = render('text', cleanResult(), { kb });
  const lines = out.trimEnd().split('\n');
  assert.equal(lines[0], '[PATCH v18 1/4] vfio/pci: Use guard(rcu) in vfio_pci_core_aer_err_detected(): no obvious PCI save/restore problems (16 lines checked).');
  assert.ok(!out.includes('WARNING'));
  assert.ok(!out.includes('total:'));
  assert.match(out, /Target kernel: 6\.19\+/);
});

test('text: a finding outside the diff is reported without a code line', () => {
  const out = render('text', outsideResult(), { kb });
  assert.match(out, /^CHECK:KB_UNKNOWN_RESTORE_STEP: A restore step the knowledge base does not know\nFILE: drivers\/vfio\/pci\/vfio_pci_core\.c:2400: \(outside the diff\)$/m);
  assert.match(out, /^total: 0 errors, 3 warnings, 1 checks, 29 lines checked$/m);
});

test('text: --terse prints exactly one line per finding, nothing else', () => {
  const out = render('text', outsideResult(), { kb, terse: true });
  assertGolden('outside-terse.txt', out);
  const lines = out.trimEnd().split('\n');
  assert.equal(lines.length, 4);
  for (const l of lines) assert.match(l, /^drivers\/vfio\/pci\/vfio_pci_core\.c:\d+: (ERROR|WARNING|CHECK):[A-Z_]+: \S/);
  assert.equal(render('text', cleanResult(), { kb, terse: true }), '');
});

test('text: no patches in the input', () => {
  assert.equal(render('text', emptyResult(), { kb }), 'vfio-review: no patches to review in the input.\n');
});

test('text: a mangled patch is named, not analysed', () => {
  const r = sampleResult();
  Object.assign(r.patches[0], { mangled: true, mangledReason: 'format=flowed', findings: [] });
  assert.match(render('text', r, { kb }), /: not analysed: format=flowed$/m);
});

test('text and email: a hostile title cannot send terminal escapes', () => {
  const r = sampleResult();
  r.patches[0].findings[0].title = 'x\u001b]52;c;ZXZpbA==\u0007\r y';
  for (const out of [render('text', r, { kb }), render('text', r, { kb, terse: true }), render('email', r, { kb })]) {
    assert.ok(!/[\u001b\u0007\r]/.test(out), JSON.stringify(out.slice(0, 80)));
  }
});

test('text: notes in line order, as checkpatch prints them', () => {
  const r = outsideResult();
  const [a, b, c, d] = r.patches[0].findings;
  r.patches[0].findings = [d, c, b, a]; // the engine may emit them in any order
  r.patches[0].findings[0].line = 2293; // the check moves above the warnings...
  r.patches[0].findings[0].outsideDiff = false; // ...onto a line of the diff
  const terse = render('text', r, { kb, terse: true }).trimEnd().split('\n');
  assert.match(terse[0], /:2293: CHECK:KB_UNKNOWN_RESTORE_STEP: /);
  assert.deepEqual(terse.slice(1).map((l) => l.split(': ')[1]), ['WARNING:MSIX_MEMORY_BIT', 'WARNING:SNAPSHOT_STALE_TPH', 'WARNING:SNAPSHOT_STALE_RESTORE']);
  const full = render('text', r, { kb });
  assert.ok(full.indexOf('CHECK:KB_UNKNOWN') < full.indexOf('WARNING:MSIX'));
});
