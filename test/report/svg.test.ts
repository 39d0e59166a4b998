/** `kb table --format svg`: the restore-step picture, snapshot vs live by colour, notes' steps marked. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { renderStepSvg } from '../../src/report/svg.js';
import { loadKnowledgeBase } from '../../src/kb/index.js';

const kb = await loadKnowledgeBase();

test('svg: one row per step in call order, coloured by source, marked steps flagged', () => {
  const svg = renderStepSvg(kb, '6.19+', { mark: ['tph', 'msix'] });
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" /);
  assert.ok(svg.trimEnd().endsWith('</svg>'));
  const steps = [...svg.matchAll(/>(?:↳ )?(\w+)\(\)<\/text>/g)].map((m) => m[1]);
  const expected = kb.line('6.19+')!.restore.flatMap((id) => [id, ...(kb.line('6.19+')!.nested?.[id] ?? [])]).map((id) => kb.steps.get(id)!.function);
  assert.deepEqual(steps, expected, 'every step, in order');
  assert.equal((svg.match(/◀ noted<\/text>/g) ?? []).length, 2, 'two marked rows');
  assert.match(svg, /font-weight="bold">pci_restore_tph_state\(\)/);
  assert.doesNotMatch(svg, /font-weight="bold">pci_restore_pasid_state/);
  // snapshot and live cells have different fills
  assert.ok(svg.includes('fill="#f6b73c"') && svg.includes('fill="#5cb85c"'));
});

test('svg: kb table --format svg with --mark; an unknown step is exit 2', () => {
  const run = (...a: string[]) => spawnSync(process.execPath, ['bin/vfio-review.js', 'kb', 'table', ...a], { encoding: 'utf8' });
  const ok = run('--format', 'svg', '--mark', 'pci_restore_config_space,tph', '--kernel', '6.12');
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /pci_restore_state\(\) on 6\.12/);
  assert.equal((ok.stdout.match(/◀ noted<\/text>/g) ?? []).length, 1, 'TPH is not a step of 6.12');
  const bad = run('--format', 'svg', '--mark', 'nope');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^vfio-review: --mark: unknown restore step 'nope'/);
});
