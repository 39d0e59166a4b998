/** `--format json`: the ReviewResult, stable key order, no knowledge base. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { render } from '../../src/report/index.js';
import { makeKb } from '../fixtures/findings/kb.js';
import { outsideResult, sampleResult } from '../fixtures/findings/results.js';
import { assertGolden } from './golden.js';

const kb = makeKb();

/** The same object with every object's keys in reverse insertion order. */
function reversedKeys<T>(v: T): T {
  if (Array.isArray(v)) return v.map(reversedKeys) as T;
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversedKeys(x)])) as T;
}

test('json: the sample result matches the golden render', () => {
  assertGolden('sample.json', render('json', sampleResult(), { kb }));
});

test('json: it is the review result, findings filled, nothing lost', () => {
  const result = outsideResult();
  const parsed = JSON.parse(render('json', result, { kb }));
  // The only addition: each finding's cause (derived when the analysis left it unset).
  const causes = parsed.patches[0].findings.map((f: { cause?: string }) => f.cause);
  assert.deepEqual(causes.slice(0, 3), Array(3).fill('at:drivers/vfio/pci/vfio_pci_core.c:vfio_pci_core_aer_reset_done:2294'), 'the three on the restore call share one');
  assert.notEqual(causes[3], causes[0]);
  for (const f of parsed.patches[0].findings) delete f.cause;
  assert.deepEqual(parsed, JSON.parse(JSON.stringify(result)));
  assert.equal(parsed.patches[0].findings.length, 4);
  assert.equal(parsed.patches[0].findings[3].outsideDiff, true);
});

test('json: key order does not depend on how the stages built the objects', () => {
  const a = render('json', sampleResult(), { kb });
  const b = render('json', reversedKeys(sampleResult()), { kb });
  assert.equal(a, b);
  const top = Object.keys(JSON.parse(a));
  assert.deepEqual(top.slice(0, 5), ['tool', 'version', 'target', 'patches', 'errors']);
  const finding = Object.keys(JSON.parse(a).patches[0].findings[0]);
  assert.deepEqual(finding.slice(0, 9), ['rule', 'type', 'severity', 'file', 'line', 'function', 'title', 'message', 'suggestion']);
});

test('json: the knowledge base is never serialised, even if the caller passes it', () => {
  const withKb = { ...sampleResult(), kb };
  const out = render('json', withKb, { kb });
  assert.ok(!('kb' in JSON.parse(out)));
  assert.equal(out, render('json', sampleResult(), { kb }));
});
