/** `--format b4`: b4's review check protocol, one entry for our tool, worst status wins. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { render } from '../../src/report/index.js';
import { buildB4 } from '../../src/report/b4.js';
import type { ReviewResult } from '../../src/model.js';
import { makeKb } from '../fixtures/findings/kb.js';
import { cleanResult, emptyResult, outsideFinding, sampleResult, seriesResult, staleRestore } from '../fixtures/findings/results.js';
import { assertGolden } from './golden.js';

const kb = makeKb();

function withFindings(severities: ('error' | 'warning' | 'check')[]): ReviewResult {
  const r = sampleResult();
  r.patches[0].findings = severities.map((severity, i) => ({ ...staleRestore(), severity, fingerprint: `fp-${i}` }));
  return r;
}

test('b4: the sample prints the golden JSON array', () => {
  assertGolden('sample.b4.json', render('b4', sampleResult(), { kb }));
});

test('b4: one entry with worst status, a counts summary and checkpatch-like details', () => {
  const out = JSON.parse(render('b4', sampleResult(), { kb }));
  assert.ok(Array.isArray(out));
  assert.equal(out.length, 1);
  const [e] = out;
  assert.deepEqual(Object.keys(e).sort(), ['details', 'status', 'summary', 'tool']);
  assert.equal(e.tool, 'vfio-review');
  assert.equal(e.status, 'warn');
  assert.equal(e.summary, '3 warnings (target 6.19+)');
  assert.equal(typeof e.details, 'string', 'b4 stores details as text');
  const details = JSON.parse(e.details);
  assert.deepEqual(details[0], {
    status: 'warn',
    context: 'snapshot/stale-restore',
    description: 'drivers/vfio/pci/vfio_pci_core.c:2294: WARNING:SNAPSHOT_STALE_RESTORE: Restore of a stale snapshot outside the release path',
  });
});

test('b4: status mapping error->fail, warning->warn, check->warn (as b4 maps checkpatch CHECK), worst wins', () => {
  assert.equal(buildB4(withFindings(['check']))[0].status, 'warn');
  assert.equal(buildB4(withFindings(['check']))[0].summary, '1 check (target 6.19+)');
  assert.equal(JSON.parse(buildB4(withFindings(['check']))[0].details!).length, 1);
  assert.equal(buildB4(withFindings(['check', 'warning']))[0].status, 'warn');
  assert.equal(buildB4(withFindings(['warning', 'error', 'check']))[0].status, 'fail');
  assert.equal(buildB4(withFindings(['warning', 'error', 'check']))[0].summary, '1 error, 1 warning, 1 check (target 6.19+)');
});

test('b4: clean patches pass; no patch at all prints []', () => {
  assert.deepEqual(buildB4(cleanResult()), [{ tool: 'vfio-review', status: 'pass', summary: 'no PCI save/restore problems found (target 6.19+)' }]);
  assert.equal(render('b4', emptyResult(), { kb }), '[]\n');
});

test('b4: input we could not read fails instead of looking clean; a mangled patch warns', () => {
  const bad = emptyResult();
  bad.errors.push({ source: 'stdin', message: 'no patch or diff in the message' });
  const [e] = buildB4(bad);
  assert.equal(e.status, 'fail');
  assert.equal(e.summary, 'could not read the input: no patch or diff in the message');
  const mangled = cleanResult();
  Object.assign(mangled.patches[0], { mangled: true, mangledReason: 'format=flowed' });
  assert.equal(buildB4(mangled)[0].status, 'warn');
  assert.equal(buildB4(mangled)[0].summary, 'patch not analysed (mangled in transport)');
});

test('b4: a series names the patch of each detail', () => {
  const r = seriesResult();
  r.patches[2].findings.push({ ...outsideFinding(), file: 'include/linux/vfio_pci_core.h', line: 94 });
  const details = JSON.parse(buildB4(r)[0].details!);
  assert.equal(details.length, 4);
  assert.match(details[0].description, /^\[3\/4\] drivers\/vfio\/pci\/vfio_pci_core\.c:2294: /);
  assert.match(details[3].description, /^\[4\/4\] include\/linux\/vfio_pci_core\.h:94: CHECK:KB_UNKNOWN_RESTORE_STEP: /);
});

test('b4: details list the most severe first', () => {
  const details = JSON.parse(buildB4(withFindings(['check', 'warning', 'error']))[0].details!);
  assert.deepEqual(details.map((d: { status: string }) => d.status), ['fail', 'warn', 'warn']);
});
