/**
 * The reporters on the real thing: the bundled v18 sample through the real pipeline (ingest,
 * patch model, rules/ knowledge base, engine). Checks properties, not bytes, so the rule
 * authors can reword notes without touching these tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { collectMessages } from '../../src/ingest/index.js';
import { reviewMessages } from '../../src/pipeline.js';
import { render, renderEmailBody } from '../../src/report/index.js';
import { buildGithubReview, parseMarker } from '../../src/report/github.js';
import type { PatchModel } from '../../src/model.js';

const SAMPLE = fileURLToPath(new URL('../../samples/vfio-pci-reset-done-v18.mbox', import.meta.url));
const REQUIRED = ['snapshot/stale-restore', 'snapshot/stale-tph', 'msix/memory-bit'];

async function review() {
  const { messages, errors } = await collectMessages([SAMPLE], {});
  const { kb, ...result } = await reviewMessages(messages, errors, {});
  return { kb, result };
}

/** All rule ids a patch's notes speak for: their own and the ones merged into them. */
function rulesOf(p: PatchModel): string[] {
  return p.findings.flatMap((f) => [f.rule, ...(f.related ?? []).map((r) => r.rule)]);
}

test('pipeline: text names the three notes on patch 3/4 with the step table', async () => {
  const { kb, result } = await review();
  const p3 = result.patches.find((p) => /3\/4/.test(p.subject))!;
  for (const rule of REQUIRED) assert.ok(rulesOf(p3).includes(rule), `${rule} reported on 3/4`);
  const out = render('text', result, { kb });
  assert.match(out, /^(ERROR|WARNING):SNAPSHOT_STALE_RESTORE: /m);
  assert.match(out, /^#\d+: FILE: drivers\/vfio\/pci\/vfio_pci_core\.c:\d+:$/m);
  assert.match(out, /^pci_restore_config_space +snapshot/m, 'step table of the noted steps');
  assert.match(out, /^total: \d+ errors, \d+ warnings, \d+ checks, \d+ lines checked$/m);
  assert.match(out, /^Target kernel: /m);
  // The benign patches: their name and their totals, nothing else.
  for (const n of ['1/4', '2/4', '4/4']) assert.match(out, new RegExp(`^\\[PATCH v18 ${n}\\] .*\ntotal: 0 errors, 0 warnings, 0 checks, \\d+ lines checked$`, 'm'));
});

test('pipeline: the email reply quotes the function and stays within 72 columns', async () => {
  const { kb, result } = await review();
  const p3 = result.patches.find((p) => /3\/4/.test(p.subject))!;
  const body = renderEmailBody(p3, result, { kb });
  assert.ok(body.includes('vfio_pci_core_aer_reset_done()'));
  assert.ok(body.includes('> +\tpci_restore_state(pdev);'));
  const prose = body.split('\n').filter((l) => !/^(>|On )|https?:\/\/\S+$/.test(l));
  for (const l of prose) assert.ok(l.length <= 72, `over 72 columns: ${JSON.stringify(l)}`);
  assert.ok(!/^(Reviewed|Acked|Tested)-by:/m.test(body));
});

test('pipeline: SARIF with the real rules is valid against the schema', async () => {
  const { kb, result } = await review();
  const schema = JSON.parse(readFileSync(new URL('../fixtures/sarif/sarif-schema-2.1.0.json', import.meta.url), 'utf8'));
  const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv) => Ajv;
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  const doc = JSON.parse(render('sarif', result, { kb })) as { runs: { tool: { driver: { rules: { id: string }[] } } }[] };
  assert.ok(validate(doc), JSON.stringify(validate.errors, null, 1));
  const ids = doc.runs[0].tool.driver.rules.map((r) => r.id);
  for (const rule of REQUIRED) assert.ok(ids.includes(rule), `${rule} described`);
});

test('pipeline: the GitHub review anchors every inline note on a line of its hunks', async () => {
  const { kb, result } = await review();
  const review3 = buildGithubReview(result, { kb });
  assert.ok(review3.comments.length >= 1);
  const p3 = result.patches.find((p) => /3\/4/.test(p.subject))!;
  for (const c of review3.comments) {
    const lines = p3.files.filter((f) => f.path === c.path).flatMap((f) => f.hunks.flatMap((h) => h.lines));
    assert.ok(lines.some((l) => l.kind !== '-' && l.newLine === c.line), `${c.path}:${c.line} is in the diff`);
    assert.ok(parseMarker(c.body));
    assert.ok(c.body.includes('vfio_pci_core_aer_reset_done'));
  }
});

test('pipeline: b4 and json', async () => {
  const { kb, result } = await review();
  const [entry] = JSON.parse(render('b4', result, { kb }));
  assert.ok(entry.status === 'warn' || entry.status === 'fail');
  assert.equal(entry.tool, 'vfio-review');
  const json = JSON.parse(render('json', result, { kb }));
  assert.equal(json.tool, 'vfio-review');
  assert.ok(!('kb' in json));
  assert.equal(json.patches.length, result.patches.length);
});
