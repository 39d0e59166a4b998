import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadKnowledgeBase, renderStepTable } from '../../src/kb/index.js';
import { UserError } from '../../src/errors.js';

const kb = await loadKnowledgeBase();

test('text table: every step in order, nested steps indented, within 72 columns', () => {
  const out = renderStepTable(kb, '6.19+', { format: 'text' });
  const lines = out.trimEnd().split('\n');
  assert.ok(lines.every((l) => l.length <= 72), lines.find((l) => l.length > 72));
  const fns = lines.slice(2).map((l) => l.trim().split(/\s+/)[0]);
  assert.deepEqual(fns.slice(0, 4), ['pci_restore_pcie_state', 'pci_restore_ltr_state', 'pci_restore_aspm_l1ss_state', 'pci_restore_pasid_state']);
  assert.match(out, /^pci_restore_tph_state\s+snapshot\s+tph_enabled\s+yes, gated$/m);
  assert.match(out, /^pci_aer_clear_status\s+clears-hw\s+n\/a$/m);
  assert.match(out, /^ {2}__pci_restore_msix_state\s+live\s+msix_enabled\s+no$/m);
});

test('text table with marks flags the steps and explains the mark', () => {
  const out = renderStepTable(kb, '6.19+', { format: 'text', mark: ['tph', 'config-space', 'msix'] });
  const marked = out.split('\n').filter((l) => l.startsWith('* ') && !l.startsWith('* =')).map((l) => l.slice(2).trim().split(/\s+/)[0]);
  assert.deepEqual(marked, ['pci_restore_tph_state', 'pci_restore_config_space', '__pci_restore_msix_state']);
  assert.match(out, /\* = a step the notes above are about\n$/);
});

test('markdown table: numbered top-level steps, bold marks, the gate note for gated lines', () => {
  const md = renderStepTable(kb, '6.13-6.18', { format: 'markdown', mark: ['tph'] });
  assert.match(md, /^\| # \| Step \| Function \| Source \| Gate \| Snapshot-dependent\? \|$/m);
  assert.match(md, /^\| 9 \| \*\*`tph`\*\* \| \*\*`pci_restore_tph_state\(\)`\*\* \| \*\*🟧 snapshot\*\* \|/m);
  assert.match(md, /^\| 2 \| `pasid` \| `pci_restore_pasid_state\(\)` \| 🟩 live \|/m, 'snapshot vs live at a glance');
  assert.match(md, /\*\*yes \(gated on live tph_enabled\)\*\* \|$/m);
  assert.match(md, /returns early when `!dev->state_saved`/);
  assert.doesNotMatch(renderStepTable(kb, '6.19+', { format: 'markdown' }), /returns early when `!dev->state_saved`/);
});

test('an unknown line is a UserError', () => {
  assert.throws(() => renderStepTable(kb, '4.19', { format: 'text' }), UserError);
});

test('`vfio-review kb table` prints a line\'s table; an unknown --kernel exits 2', async () => {
  const { spawnSync } = await import('node:child_process');
  const run = (...args: string[]) => spawnSync(process.execPath, ['bin/vfio-review.js', 'kb', 'table', ...args], { encoding: 'utf8' });
  const md = run('--kernel', '6.12.117', '--format', 'markdown');
  assert.equal(md.status, 0, md.stderr);
  assert.match(md.stdout, /^\*\*pci_restore_state\(\) steps, 6\.12 \(from --kernel 6\.12\.117; a2f1e22390ac present/);
  assert.doesNotMatch(md.stdout, /pci_restore_tph_state/);
  const bad = run('--kernel', '5.15');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^vfio-review: --kernel: unknown kernel '5\.15'; known lines: 6\.1 /);
});
