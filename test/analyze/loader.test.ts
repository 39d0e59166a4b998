/**
 * loadRules + compileRules: schema validation with errors naming file, entry and field; id =
 * path; TYPE unique; every regex, glob, ref and message key checked when the rules compile,
 * in a rule and in rules/common.yaml alike; the plain data survives a JSON round trip (a
 * snapshot) and compiles the same.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, cp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRules } from '../../src/rules/load.js';
import { compileRules } from '../../src/rules/compile.js';
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
    if (!('common.yaml' in files)) await cp(join(RULES_DIR, 'common.yaml'), join(dir, 'common.yaml'));
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
    caught = await loadRules(dir).then(compileRules).then(() => undefined, (e: unknown) => e);
  });
  assert.ok(caught instanceof UserError, `expected a UserError, got ${String(caught)}`);
  return caught as UserError;
}

test('a good rule loads, with its metadata and path', async () => {
  await withRules({ 'demo/sample.yaml': GOOD }, async (dir) => {
    const { rules } = await loadRules(dir);
    assert.equal(rules.length, 1);
    assert.equal(rules[0].id, 'demo/sample');
    assert.match(rules[0].file, /demo\/sample\.yaml$/);
  });
});

test('a missing field names file, entry and field', async () => {
  const e = await loadError({ 'demo/sample.yaml': GOOD.replace(/^severity: warning\n/m, '') });
  assert.match(e.line(), /demo\/sample\.yaml: rule 'demo\/sample', field 'severity': is required$/);
});

test('an unknown field in a trigger names its path', async () => {
  const e = await loadError({ 'demo/sample.yaml': GOOD.replace('calls: { name: pci_restore_state }', 'all: [{ callz: x }]') });
  assert.match(e.line(), /rule 'demo\/sample', field 'trigger\.all\[0\]\.callz': is not a known field$/);
});

test('a bad severity lists the allowed ones', async () => {
  const e = await loadError({ 'demo/sample.yaml': GOOD.replace('severity: warning', 'severity: fatal') });
  assert.match(e.line(), /field 'severity': must be one of error, warning, check$/);
});

test('id must equal the path', async () => {
  const e = await loadError({ 'demo/other.yaml': GOOD });
  assert.match(e.line(), /demo\/other\.yaml: rule 'demo\/sample', field 'id': must equal the file's path 'demo\/other'$/);
});

test('TYPE must be unique', async () => {
  const e = await loadError({ 'demo/sample.yaml': GOOD, 'demo/second.yaml': GOOD.replace('id: demo/sample', 'id: demo/second') });
  assert.match(e.line(), /demo\/second\.yaml: rule 'demo\/second', field 'type': DEMO_SAMPLE is already used by demo\/sample$/);
});

test('a bad regex, an unknown ref and an unknown message key are caught at load', async () => {
  let e = await loadError({ 'demo/sample.yaml': GOOD.replace('calls: { name: pci_restore_state }', "code: '(unclosed'") });
  assert.match(e.line(), /demo\/sample\.yaml: rule 'demo\/sample', field 'trigger\.code': '\(unclosed' is not a valid regular expression \(/);
  e = await loadError({ 'demo/sample.yaml': GOOD.replace('calls: { name: pci_restore_state }', 'ref: no-such-predicate') });
  assert.match(e.line(), /field 'trigger\.ref': no predicate named 'no-such-predicate' in \S*common\.yaml$/);
  e = await loadError({ 'demo/sample.yaml': `${GOOD}variants:\n  - when: { name: x }\n    add: [nope]\n` });
  assert.match(e.line(), /field 'variants\[0\]': message 'nope' is not in messages$/);
});

test('invalid YAML names the file and line', async () => {
  const e = await loadError({ 'demo/sample.yaml': `${GOOD}bad: [unclosed\n` });
  assert.match(e.line(), /demo\/sample\.yaml: YAML syntax error at line \d+/);
});

test('facts in rules/kb/ are not taken for rules; a kb/ rule with a trigger is', async () => {
  await withRules({ 'kb/facts.yaml': 'steps: []\n', 'kb/sample.yaml': GOOD.replace('id: demo/sample', 'id: kb/sample') }, async (dir) => {
    const { rules } = await loadRules(dir);
    assert.deepEqual(rules.map((r) => r.id), ['kb/sample']);
  });
});

test('a bad pattern anywhere fails at load, naming file, entry and field', async () => {
  const cases: [Record<string, string>, RegExp][] = [
    // a /regex/ in a name list, in a call matcher, in an anchor, a glob, a regex in a step selector
    [{ 'demo/sample.yaml': GOOD.replace('calls: { name: pci_restore_state }', "name: ['a', '/(b/']") }, /rule 'demo\/sample', field 'trigger\.name\[1\]': '\/\(b\/' is not a valid regular expression/],
    [{ 'demo/sample.yaml': GOOD.replace('calls: { name: pci_restore_state }', "reaches: { exclude: '/[z-a]/' }") }, /field 'trigger\.reaches\.exclude': '\/\[z-a\]\/' is not a valid regular expression/],
    [{ 'demo/sample.yaml': `${GOOD}anchor:\n  - code: 'x)'\n` }, /field 'anchor\[0\]\.code': 'x\)' is not a valid regular expression/],
    [{ 'demo/sample.yaml': GOOD.replace('calls: { name: pci_restore_state }', "file: 'drivers/{pci'") }, /field 'trigger\.file': 'drivers\/\{pci' is not a valid glob/],
    [{ 'demo/sample.yaml': `${GOOD}steps:\n  - id: '/(/'\n` }, /field 'steps\[0\]\.id': '\/\(\/' is not a valid regular expression/],
    [{ 'demo/sample.yaml': GOOD.replace('calls: { name: pci_restore_state }', "before: { pattern: '[', call: { role: restore } }") }, /field 'trigger\.before\.pattern': '\[' is not a valid regular expression/],
  ];
  for (const [files, re] of cases) assert.match((await loadError(files)).line(), re);
});

test('a bad pattern in rules/common.yaml names the shared predicate, not the rule using it', async () => {
  const common = "predicates:\n  ok: { name: fine }\n  broken:\n    any:\n      - role: release\n      - name: '/(_close$/'\n";
  const e = await loadError({ 'common.yaml': common, 'demo/sample.yaml': GOOD.replace('calls: { name: pci_restore_state }', 'ref: broken') });
  assert.match(e.line(), /common\.yaml: predicate 'broken', field 'any\[1\]\.name': '\/\(_close\$\/' is not a valid regular expression/);
  const loop = "predicates:\n  a: { ref: b }\n  b: { not: { ref: a } }\n";
  assert.match((await loadError({ 'common.yaml': loop, 'demo/sample.yaml': GOOD })).line(), /common\.yaml: predicate '[ab]', field '.*ref': predicate '[ab]' refers to itself/);
  const schema = "predicates:\n  a: { phrase: an ioctl path, callz: x }\n";
  assert.match((await loadError({ 'common.yaml': schema, 'demo/sample.yaml': GOOD })).line(), /common\.yaml: predicate 'a', field 'callz': is not a known field$/);
});

test('the CLI reports a bad pattern as one line and exit 2', async () => {
  const { spawnSync } = await import('node:child_process');
  await withRules({ 'demo/sample.yaml': GOOD.replace('calls: { name: pci_restore_state }', "code: '(unclosed'") }, async (dir) => {
    const bin = new URL('../../bin/vfio-review.js', import.meta.url).pathname;
    const r = spawnSync(process.execPath, [bin, 'rules', '--rules', dir], { encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /demo\/sample\.yaml: rule 'demo\/sample', field 'trigger\.code': '\(unclosed' is not a valid regular expression/);
  });
});

test('the CLI with --rules DIR: a rule that breaks the schema is one line and exit 2; a good one is listed', async () => {
  const { spawnSync } = await import('node:child_process');
  const bin = new URL('../../bin/vfio-review.js', import.meta.url).pathname;
  const bad = GOOD.replace('calls: { name: pci_restore_state }', 'callz: { name: pci_restore_state }');
  await withRules({ 'demo/sample.yaml': bad }, async (dir) => {
    const r = spawnSync(process.execPath, [bin, 'rules', '--rules', dir], { encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /demo\/sample\.yaml: rule 'demo\/sample', field 'trigger\.callz': is not a known field$/m);
  });
  await withRules({ 'demo/sample.yaml': GOOD.replace('severity: warning', 'severity: fatal') }, async (dir) => {
    const r = spawnSync(process.execPath, [bin, 'rules', '--rules', dir], { encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /demo\/sample\.yaml: rule 'demo\/sample', field 'severity': must be one of error, warning, check$/m);
  });
  await withRules({ 'demo/sample.yaml': GOOD }, async (dir) => {
    const r = spawnSync(process.execPath, [bin, 'rules', '--rules', dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /DEMO_SAMPLE/);
  });
});

test('the shipped rules load; their plain data compiles the same after a JSON round trip (a snapshot)', async () => {
  const set = await loadRules(RULES_DIR);
  assert.ok(set.rules.length >= 5);
  const copy = JSON.parse(JSON.stringify(set)) as typeof set;
  assert.deepEqual(copy, set, 'the loaded rule set is plain JSON data');
  const a = compileRules(set);
  const b = compileRules(copy);
  assert.deepEqual(b.map((r) => r.id), a.map((r) => r.id));
  assert.ok(b.every((r) => typeof r.compiled.trigger === 'function'));
  assert.deepEqual(JSON.parse(JSON.stringify(set)), copy, 'compiling does not change its input');
});
