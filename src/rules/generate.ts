/**
 * What the vocabulary registry (src/rules/vocabulary.ts) generates: the predicate part of
 * rules/schema/rule.schema.json (definitions predicate, namedPredicate, callMatcher,
 * commonFile) and the vocabulary tables of rules/README.md. `npm run gen:rules` writes them
 * (scripts/gen-rules.ts); test/rules/generated.test.ts checks the files are current.
 */
import { CALL_KEYS, PREDICATE_KEYS, type JsonSchema } from './vocabulary.js';

/** The schema's generated definitions, from the registry. */
export function vocabularyDefinitions(): Record<string, JsonSchema> {
  const props = Object.fromEntries(PREDICATE_KEYS.map((k) => [k.key, k.schema]));
  const predicate = {
    type: 'object',
    additionalProperties: false,
    minProperties: 1,
    description: 'Keys of one object must all hold. Generated from src/rules/vocabulary.ts (npm run gen:rules).',
    properties: props,
  };
  const namedPredicate = {
    ...predicate,
    description: 'A named predicate of rules/common.yaml: a predicate, and the phrase {{context}} uses when it holds.',
    properties: { ...props, phrase: { type: 'string', minLength: 3, description: 'the words {{context}} uses for a function this predicate holds for (no callback role)' } },
  };
  const callMatcher = {
    type: 'object',
    additionalProperties: false,
    minProperties: 1,
    description: 'Matches a callee; every key given must hold. Generated from src/rules/vocabulary.ts.',
    properties: Object.fromEntries(CALL_KEYS.map((k) => [k.key, k.schema])),
  };
  const commonFile = {
    type: 'object',
    additionalProperties: false,
    required: ['predicates'],
    description: 'rules/common.yaml',
    properties: {
      unknownContext: { type: 'string', minLength: 3, description: '{{context}} when no callback role and no phrase applies' },
      predicates: { type: 'object', additionalProperties: { $ref: '#/definitions/namedPredicate' } },
    },
  };
  return { callMatcher, predicate, namedPredicate, commonFile };
}

/** rule.schema.json with its generated definitions replaced (key order of the file kept). */
export function generatedSchema(current: Record<string, unknown>): Record<string, unknown> {
  const defs = { ...(current.definitions as Record<string, unknown>), ...vocabularyDefinitions() };
  return { ...current, definitions: defs };
}

const escapeCell = (s: string) => s.replace(/\|/g, '\\|');

/** The two Markdown tables of rules/README.md's vocabulary section. */
export function vocabularyTables(): string {
  const rows = (keys: readonly { key: string; doc: string }[]) => keys.map((k) => `| \`${k.key}\` | ${escapeCell(k.doc)} |`);
  return [
    '| key | holds when the function ... |',
    '|---|---|',
    ...rows(PREDICATE_KEYS),
    '',
    'A call matcher (the value of `calls`, `addsCall`, `removesCall`, `movesCall`, `reaches`, `before.call`, an anchor\'s `call`/`removed`):',
    '',
    '| key | the callee ... |',
    '|---|---|',
    ...rows(CALL_KEYS),
  ].join('\n');
}

export const README_START = '<!-- vocabulary: generated from src/rules/vocabulary.ts by `npm run gen:rules`; do not edit -->';
export const README_END = '<!-- end of generated vocabulary -->';

/** README text with the generated section replaced; throws when the markers are missing. */
export function generatedReadme(current: string): string {
  const a = current.indexOf(README_START);
  const b = current.indexOf(README_END);
  if (a < 0 || b < a) throw new Error(`rules/README.md lacks the markers ${README_START} ... ${README_END}`);
  return `${current.slice(0, a + README_START.length)}\n${vocabularyTables()}\n${current.slice(b)}`;
}
