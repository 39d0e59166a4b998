/**
 * The predicate part of rules/schema/rule.schema.json and the vocabulary tables of
 * rules/README.md are generated from the registry (src/rules/vocabulary.ts): they must be
 * current, and the registry, the schema and the Predicate type must name the same keys.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { generatedReadme, generatedSchema, vocabularyDefinitions } from '../../src/rules/generate.js';
import { GENERATED_VALIDATORS, generatedValidators } from '../../src/rules/generate-validators.js';
import { CALL_KEYS, PREDICATE_KEYS } from '../../src/rules/vocabulary.js';
import { PROJECT } from '../analyze/cases.js';

const SCHEMA = join(PROJECT, 'rules/schema/rule.schema.json');
const README = join(PROJECT, 'rules/README.md');

test('rule.schema.json carries the registry\'s predicate definitions (npm run gen:rules)', async () => {
  const text = await readFile(SCHEMA, 'utf8');
  assert.equal(text, `${JSON.stringify(generatedSchema(JSON.parse(text) as Record<string, unknown>), null, 2)}\n`, 'stale: run npm run gen:rules');
});

test('the compiled schema validators are current with the schemas (npm run gen:rules)', async () => {
  const text = await readFile(GENERATED_VALIDATORS, 'utf8');
  assert.equal(text, await generatedValidators(), 'stale: run npm run gen:rules');
});

test('rules/README.md carries the registry\'s tables (npm run gen:rules)', async () => {
  const text = await readFile(README, 'utf8');
  assert.equal(text, generatedReadme(text), 'stale: run npm run gen:rules');
  for (const k of [...PREDICATE_KEYS, ...CALL_KEYS]) assert.ok(text.includes(`| \`${k.key}\` |`), `README lacks a row for ${k.key}`);
});

test('each key is defined once, with a schema and a doc line', () => {
  for (const list of [PREDICATE_KEYS, CALL_KEYS]) {
    const names = list.map((k) => k.key);
    assert.equal(new Set(names).size, names.length, `duplicate keys: ${names.join(', ')}`);
    for (const k of list) {
      assert.ok(k.doc.length > 10, `${k.key}: no doc line`);
      assert.equal(typeof k.schema, 'object', `${k.key}: no schema`);
    }
  }
  const defs = vocabularyDefinitions();
  assert.deepEqual(Object.keys((defs.predicate as { properties: object }).properties), PREDICATE_KEYS.map((k) => k.key));
  assert.deepEqual(Object.keys((defs.namedPredicate as { properties: object }).properties), [...PREDICATE_KEYS.map((k) => k.key), 'phrase']);
});

test('gen:rules --check passes on the shipped files', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(PROJECT, 'scripts/gen-rules.ts'), '--check'], { cwd: PROJECT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});
