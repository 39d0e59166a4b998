/**
 * `npm run gen:rules`: regenerate the predicate part of rules/schema/rule.schema.json and the
 * vocabulary tables of rules/README.md from src/rules/vocabulary.ts, then the validators
 * compiled from the schemas (src/rules/schema-validators.generated.js). `--check` writes
 * nothing and exits 1 when a file is stale (test/rules/generated.test.ts does the same check).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { generatedReadme, generatedSchema } from '../src/rules/generate.js';
import { GENERATED_VALIDATORS, generatedValidators } from '../src/rules/generate-validators.js';

const SCHEMA = new URL('../rules/schema/rule.schema.json', import.meta.url).pathname;
const README = new URL('../rules/README.md', import.meta.url).pathname;
const check = process.argv.includes('--check');

const schemaText = await readFile(SCHEMA, 'utf8');
const readmeText = await readFile(README, 'utf8');
const outputs: [string, string, string][] = [
  [SCHEMA, schemaText, `${JSON.stringify(generatedSchema(JSON.parse(schemaText) as Record<string, unknown>), null, 2)}\n`],
  [README, readmeText, generatedReadme(readmeText)],
];
let stale = 0;
for (const [path, before, after] of outputs) {
  if (before === after) continue;
  stale++;
  if (check) process.stderr.write(`${path}: stale, run npm run gen:rules\n`);
  else await writeFile(path, after);
}
// After the schema is written: the validators are compiled from it.
const validatorsText = await readFile(GENERATED_VALIDATORS, 'utf8').catch(() => '');
const validators = await generatedValidators();
if (validatorsText !== validators) {
  stale++;
  if (check) process.stderr.write(`${GENERATED_VALIDATORS}: stale, run npm run gen:rules\n`);
  else await writeFile(GENERATED_VALIDATORS, validators);
}
process.exitCode = check && stale ? 1 : 0;
