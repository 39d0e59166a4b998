/**
 * `--format sarif`: valid against the official SARIF 2.1.0 schema (vendored, see
 * test/fixtures/sarif/README.md), rule metadata from the knowledge base, locations, fingerprints.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Log } from 'sarif';
import { render } from '../../src/report/index.js';
import { FINGERPRINT_KEY, relativeUri } from '../../src/report/sarif.js';
import { makeKb } from '../fixtures/findings/kb.js';
import { cleanResult, emptyResult, hostileResult, outsideResult, sampleResult, seriesResult } from '../fixtures/findings/results.js';
import { assertGolden } from './golden.js';

const kb = makeKb();
const schema = JSON.parse(readFileSync(new URL('../fixtures/sarif/sarif-schema-2.1.0.json', import.meta.url), 'utf8'));
// ajv-formats is CommonJS: its default export may arrive wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv) => Ajv;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);

function explain(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((e) => `${e.instancePath} ${e.message}`).join('\n');
}

function sarif(result = sampleResult()): Log {
  return JSON.parse(render('sarif', result, { kb })) as Log;
}

test('sarif: the vendored schema is the official 2.1.0 draft-07 schema', () => {
  assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
  assert.equal(schema.title, 'Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema');
  assert.equal(readFileSync(new URL('../fixtures/sarif/sarif-schema-2.1.0.json', import.meta.url)).length, 112318);
});

test('sarif: every fixture renders to a document valid against the schema', () => {
  for (const [name, make] of Object.entries({ emptyResult, cleanResult, sampleResult, outsideResult, seriesResult, hostileResult })) {
    const doc = sarif(make());
    assert.ok(validate(doc), `${name}:\n${explain(validate.errors)}`);
  }
});

test('sarif: the validator does reject what the schema forbids', () => {
  const doc = sarif() as unknown as { runs: { results: { level: string }[] }[] };
  doc.runs[0].results[0].level = 'warn';
  assert.equal(validate(doc), false);
  assert.equal(validate({ version: '2.1.0' }), false, 'runs is required');
});

test('sarif: the sample matches the golden render', () => {
  assertGolden('sample.sarif.json', render('sarif', sampleResult(), { kb }));
});

test('sarif: rule metadata comes from the knowledge base', () => {
  const rules = sarif().runs[0].tool.driver.rules!;
  assert.deepEqual(rules.map((r) => r.id), kb.rules.map((r) => r.id));
  const stale = rules.find((r) => r.id === 'snapshot/stale-restore')!;
  assert.equal(stale.name, 'SNAPSHOT_STALE_RESTORE');
  assert.equal(stale.shortDescription?.text, 'Restore of a stale snapshot outside the release path');
  assert.match(stale.fullDescription!.text, /^A saved snapshot is loaded/);
  assert.match(stale.help!.text, /More: vfio-review explain snapshot\/stale-restore/);
  assert.match(stale.help!.text, /commit a2f1e22390ac/);
  assert.equal(stale.defaultConfiguration?.level, 'warning');
  assert.equal(rules.find((r) => r.id === 'kb/unknown-restore-step')!.defaultConfiguration?.level, 'note');
  assert.equal(rules.find((r) => r.id === 'snapshot/state-saved-assumption')!.defaultConfiguration?.level, 'error');
});

test('sarif: results carry level, location, function, fingerprint and a valid ruleIndex', () => {
  const log = sarif(outsideResult());
  const run = log.runs[0];
  assert.equal(run.results!.length, 4);
  for (const r of run.results!) {
    assert.equal(run.tool.driver.rules![r.ruleIndex!].id, r.ruleId);
    const loc = r.locations![0].physicalLocation!;
    assert.equal(loc.artifactLocation!.uri, 'drivers/vfio/pci/vfio_pci_core.c');
    assert.ok(loc.region!.startLine! >= 1);
    assert.match(r.partialFingerprints![FINGERPRINT_KEY], /^[a-z]{2}-[0-9a-f]{16}$/);
  }
  const [first, , , last] = run.results!;
  assert.equal(first.level, 'warning');
  assert.equal(first.locations![0].physicalLocation!.region!.startLine, 2294);
  assert.deepEqual(first.locations![0].logicalLocations, [{ name: 'vfio_pci_core_aer_reset_done', kind: 'function' }]);
  assert.match(first.message.text!, /^Restore of a stale snapshot outside the release path\n\n/);
  assert.equal(last.level, 'note');
  assert.equal(last.properties?.outsideDiff, true);
  assert.match(String(run.properties?.target), /^6\.19\+/);
});

test('sarif: a rule the knowledge base lacks still gets a descriptor; input errors become notifications', () => {
  const result = sampleResult();
  result.patches[0].findings[0] = { ...result.patches[0].findings[0], rule: 'new/rule', type: 'NEW_RULE' };
  result.errors.push({ source: 'in.mbox#2', message: 'no diff found' });
  const log = sarif(result);
  assert.ok(validate(log), explain(validate.errors));
  const rules = log.runs[0].tool.driver.rules!;
  assert.equal(rules.at(-1)!.id, 'new/rule');
  assert.equal(log.runs[0].results![0].ruleIndex, rules.length - 1);
  const notes = log.runs[0].invocations![0].toolExecutionNotifications!;
  assert.deepEqual(notes, [{ level: 'error', message: { text: 'in.mbox#2: no diff found' } }]);
});

test('sarif: uris are relative references, percent-encoded per segment', () => {
  assert.equal(relativeUri('drivers/vfio/pci/vfio_pci_core.c'), 'drivers/vfio/pci/vfio_pci_core.c');
  assert.equal(relativeUri('/a dir/ä#1.c'), 'a%20dir/%C3%A4%231.c');
});
