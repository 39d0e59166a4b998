/**
 * loadRules: schema validation with errors naming file, entry and field; id = path; TYPE unique;
 * regexes, refs and message keys checked at load.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, cp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRules } from '../../src/kb/rules.js';
import { RULES_DIR } from '../../src/kb/index.js';
import { UserError } from '../../src/errors.js';

const GOOD = `id: demo/sample
type: DEMO_SAMPLE
severity: warning
title: A demo rule for the loader tests
description: Fires on any function that calls pci_restore_state().
messages:
  what: "{{function}} calls {{restore}}."
  why: "Because the loader test says so."
  fix: "Do not call it in a test."
references:
  - title: nothing
trigger:
  calls: { name: pci_restore_state }
`;

async function withRules(files: Record<string, string>, fn: (dir: string) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), 'vfio-review-rules-'));
  try {
    await cp(join(RULES_DIR, 'common.yaml'), join(dir, 'common.yaml'));
    for (const [name, text] of Object.entries(files)) {
      await mkdir(join(dir, name, '..'), { recursive: true });
      await writeFile(join(dir, name), text);
    }
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function loadError(files: Record<string, string>): Promise<UserError> {
  let caught: unknown;
  await withRules(files, async (dir) => {
    caught = await loadRules(dir).then(() => undefined, (e: unknown) => e);
  });
  assert.ok(caught instanceof UserError, `expected a UserError, got ${String(caught)}`);
  return caught as UserError;
}

test('a good rule loads, with its metadata and path', async () => {
  await withRules({ 'demo/sample.yaml': GOOD }, async (dir) => {
    const rules = await loadRules(dir);
    assert.equal(rules.length, 1);
    assert.equal(rules[0].id, 'demo/sample');
    assert.match(rules[0].file, /demo\/sample\.yaml$/);
  });
});

test('a missing field names file, entry and field', async () => {
  const e = await loadError({ 'demo/sample.yaml': GOOD.replace(/^severity: warning\n/m, '') });
  assert.match(e.line(), /demo\/sample\.yaml: entry demo\/sample, field severity: is required/);
});

test('an unknown field in a trigger names its path', async () => {
  const e = await loadError({ 'demo/sample.yaml': GOOD.replace('calls: { name: pci_restore_state }', 'all: [{ callz: x }]') });
  assert.match(e.line(), /entry demo\/sample, field trigger\.all\[0\]\.callz: is not a known field/);
});

test('a bad severity lists the allowed ones', async () => {
  const e = await loadError({ 'demo/sample.yaml': GOOD.replace('severity: warning', 'severity: fatal') });
  assert.match(e.line(), /field severity: must be one of error, warning, check/);
});

test('id must equal the path', async () => {
  const e = await loadError({ 'demo/other.yaml': GOOD });
  assert.match(e.line(), /demo\/other\.yaml: entry demo\/sample, field id: must equal the file's path 'demo\/other'/);
});

test('TYPE must be unique', async () => {
  const e = await loadError({ 'demo/sample.yaml': GOOD, 'demo/second.yaml': GOOD.replace('id: demo/sample', 'id: demo/second') });
  assert.match(e.line(), /demo\/second\.yaml: entry demo\/second, field type: DEMO_SAMPLE is already used by demo\/sample/);
});

test('a bad regex, an unknown ref and an unknown message key are caught at load', async () => {
  let e = await loadError({ 'demo/sample.yaml': GOOD.replace('calls: { name: pci_restore_state }', "code: '(unclosed'") });
  assert.match(e.line(), /field trigger\.code: is not a valid regular expression/);
  e = await loadError({ 'demo/sample.yaml': GOOD.replace('calls: { name: pci_restore_state }', 'ref: no-such-predicate') });
  assert.match(e.line(), /field trigger\.ref: no predicate named 'no-such-predicate'/);
  e = await loadError({ 'demo/sample.yaml': `${GOOD}variants:\n  - when: { name: x }\n    add: [nope]\n` });
  assert.match(e.line(), /field variants\[0\]: message 'nope' is not in messages/);
});

test('invalid YAML names the file and line', async () => {
  const e = await loadError({ 'demo/sample.yaml': `${GOOD}bad: [unclosed\n` });
  assert.match(e.line(), /demo\/sample\.yaml: invalid YAML/);
});

test('facts in rules/kb/ are not taken for rules; a kb/ rule with a trigger is', async () => {
  await withRules({ 'kb/facts.yaml': 'steps: []\n', 'kb/sample.yaml': GOOD.replace('id: demo/sample', 'id: kb/sample') }, async (dir) => {
    const rules = await loadRules(dir);
    assert.deepEqual(rules.map((r) => r.id), ['kb/sample']);
  });
});

test('the shipped rules load', async () => {
  const rules = await loadRules(RULES_DIR);
  assert.ok(rules.length >= 5);
});
