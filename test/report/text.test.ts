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

test('text: one note per cause: the three findings on the restore call are one note with sub-points', () => {
  const out = render('text', sampleResult(), { kb });
  // The headline in checkpatch's three lines; the other findings of the cause as sub-points.
  assert.match(out, /^WARNING:SNAPSHOT_STALE_RESTORE: .+\n#\d+: FILE: drivers\/vfio\/pci\/vfio_pci_core\.c:2294:\n\+\tpci_restore_state\(pdev\);$/m);
  assert.match(out, /^ - WARNING:SNAPSHOT_STALE_TPH: /m);
  assert.match(out, /^ - WARNING:MSIX_MEMORY_BIT: /m);
  assert.equal((out.match(/^#\d+: FILE: /gm) ?? []).length, 1, 'one located note');
  assert.match(out, /^total: 0 errors, 3 warnings, 0 checks, 24 lines checked$/m);
  assert.match(out, /^Target kernel: 6\.19\+ \(default: /m);
  // The step table once, only the steps the notes are about; every step with --verbose.
  assert.equal((out.match(/^Restore steps of pci_restore_state\(\)/gm) ?? []).length, 1);
  assert.match(out, /^pci_restore_tph_state +snapshot/m);
  assert.doesNotMatch(out, /^pci_restore_pasid_state/m);
  const verbose = render('text', sampleResult(), { kb, verbose: true });
  assert.match(verbose, /^  pci_restore_pasid_state +live/m);
  assert.match(verbose, /^\* pci_restore_tph_state +snapshot/m);
  assert.ok(verbose.length > out.length);
});

test('text: short by default: at most 8 lines of why and fix under the quoted line', () => {
  const out = render('text', sampleResult(), { kb });
  const lines = out.split('\n');
  const from = lines.findIndex((l) => l.startsWith('WARNING:SNAPSHOT_STALE_RESTORE')) + 3;
  const to = lines.findIndex((l, i) => i > from && l.startsWith('Restore steps of'));
  const prose = lines.slice(from, to).filter((l) => l.trim() && !/^ - |^   \S/.test(l));
  assert.ok(prose.length <= 8, prose.join('\n'));
  assert.ok(prose.some((l) => l.startsWith('Fix: ')));
});

test('text: #N is the line in the patch file when the patch stage numbered the hunks', () => {
  const r = sampleResult();
  r.patches[0].files[0].hunks[0].patchLine = 25;
  const out = render('text', r, { kb });
  // the @@ line is line 25, pci_restore_state(pdev) the hunk's 12th line
  assert.match(out, /^#37: FILE: drivers\/vfio\/pci\/vfio_pci_core\.c:2294:$/m);
});

test('text: without hunk numbers, #N counts from the first diff --git line', () => {
  const out = render('text', sampleResult(), { kb });
  assert.match(out, /^#17: FILE: drivers\/vfio\/pci\/vfio_pci_core\.c:2294:$/m);
});

test('text: a clean patch gets its name and a totals line', () => {
  const out = render('text', cleanResult(), { kb });
  const lines = out.trimEnd().split('\n');
  assert.equal(lines[0], '[PATCH v18 1/4] vfio/pci: Use guard(rcu) in vfio_pci_core_aer_err_detected()');
  assert.equal(lines[1], 'total: 0 errors, 0 warnings, 0 checks, 12 lines checked');
  assert.ok(!out.includes('WARNING'));
  assert.match(out, /Target kernel: 6\.19\+/);
});

test('text: a finding outside the diff is reported without a code line', () => {
  const out = render('text', outsideResult(), { kb });
  assert.match(out, /^CHECK:KB_UNKNOWN_RESTORE_STEP: A restore step the knowledge base does not know\nFILE: drivers\/vfio\/pci\/vfio_pci_core\.c:2400: \(outside the diff, in vfio_pci_core_err_handlers\(\)\)$/m);
  assert.match(out, /^total: 0 errors, 3 warnings, 1 checks, 24 lines checked$/m);
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
  assert.ok(full.indexOf('CHECK:KB_UNKNOWN') < full.indexOf('WARNING:SNAPSHOT_STALE_RESTORE'));
});
