/** `vfio-review rules` and `vfio-review explain RULE` through the real bin. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT } from './cases.js';

const BIN = join(PROJECT, 'bin/vfio-review.js');
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: PROJECT, encoding: 'utf8' });

test('rules lists id, severity, TYPE and title of every rule', () => {
  const r = run('rules');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^ID\s+SEVERITY\s+TYPE\s+TITLE/);
  for (const id of ['snapshot/stale-restore', 'snapshot/stale-tph', 'msix/memory-bit', 'kb/unknown-restore-step', 'snapshot/state-saved-assumption'])
    assert.match(r.stdout, new RegExp(`^${id}\\s+(error|warning|check)( \\([a-z, ]+\\))?\\s+[A-Z_]+\\s+\\S`, 'm'));
  const json = JSON.parse(run('rules', '--format', 'json').stdout) as { id: string; type: string }[];
  assert.ok(json.some((x) => x.id === 'msix/memory-bit' && x.type === 'MSIX_RESTORE_MEMORY_OFF'));
});

test('explain prints what, why, fix, the marked steps, references and test cases', () => {
  for (const name of ['snapshot/stale-restore', 'SNAPSHOT_STALE_RESTORE', 'stale-restore']) {
    const r = run('explain', name);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^snapshot\/stale-restore \(SNAPSHOT_STALE_RESTORE, warning \(error, check\)\)/);
    assert.match(r.stdout, /^Severity: warning by default; error when /m, 'each variant level, as the reports use them');
    for (const h of ['## What it finds', '## Why it matters', '## How to fix', '## References', '## Test cases']) assert.ok(r.stdout.includes(h), h);
    assert.match(r.stdout, /^\* pci_restore_config_space/m, 'snapshot steps are marked in the table');
    assert.match(r.stdout, /a2f1e22390ac/);
  }
  const k = run('explain', 'snapshot/stale-tph', '--kernel', '6.12');
  assert.equal(k.status, 0, k.stderr);
  assert.doesNotMatch(k.stdout, /^\* pci_restore_tph_state/m, '6.12 has no TPH step to mark');
});

test('explain of an unknown rule is a usage error (exit 2), with a hint', () => {
  const r = run('explain', 'nope');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /no rule 'nope'/);
  const amb = run('explain', 'snapshot');
  assert.equal(amb.status, 2);
  assert.match(amb.stderr, /did you mean/);
});
