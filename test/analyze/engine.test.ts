/**
 * The analysis engine end to end (real pipeline, real knowledge base): the bundled v18 sample,
 * fingerprints, --ignore, the target shaping the notes, merging, and reachability through the
 * --tree call graph.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadKnowledgeBase, resolveTarget } from '../../src/kb/index.js';
import { analyzePatch, fingerprint, isIgnored, normaliseCode } from '../../src/analyze/index.js';
import { buildCallGraph } from '../../src/patch/callgraph.js';
import { buildPatch } from '../../src/patch/index.js';
import type { SourceTree } from '../../src/ingest/tree.js';
import type { Finding } from '../../src/model.js';
import { PROJECT } from './cases.js';
import { TREE_612 } from '../support/kernels.js';
import { patchToMessage, reviewPatchFiles } from './support.js';

const kb = await loadKnowledgeBase();
const SAMPLE = join(PROJECT, 'samples/vfio-pci-reset-done-v18');
const sampleFiles = (await readdir(SAMPLE)).filter((f) => /^v18-000[1-4]/.test(f)).sort().map((f) => join(SAMPLE, f));
const RULES = join(PROJECT, 'rules');
const HEADLINE = ['msix/memory-bit', 'snapshot/stale-restore', 'snapshot/stale-tph'];

const byRule = (fs: Finding[]) => new Map(fs.map((f) => [f.rule, f]));

test('sample v18 series: 3/4 gets the three headline notes on vfio_pci_core_aer_reset_done, the rest nothing', async () => {
  const { findings } = await reviewPatchFiles(sampleFiles, { kb });
  assert.equal(findings.length, 4);
  assert.deepEqual(findings[0], [], '1/4 (guard(rcu))');
  assert.deepEqual(findings[1], [], '2/4 (pci_dbg)');
  assert.deepEqual(findings[3], [], '4/4 (header comment)');
  const three = byRule(findings[2]);
  for (const id of HEADLINE) {
    const f = three.get(id);
    assert.ok(f, `3/4 lacks ${id}`);
    assert.equal(f.function, 'vfio_pci_core_aer_reset_done');
    assert.equal(f.file, 'drivers/vfio/pci/vfio_pci_core.c');
    assert.equal(f.line, 2294, `${id} should point at the added pci_restore_state() line`);
    assert.equal(f.outsideDiff, undefined);
    assert.match(f.fingerprint, /^[0-9a-f]{16}$/);
    assert.ok(f.target && f.target.length > 0, 'the note says which target it assumed');
    assert.ok(f.references.length > 0);
    assert.ok(f.steps.length > 0);
    assert.ok(!/\{\{|\}\}/.test(f.message + f.suggestion), 'placeholders all filled');
    // the notes with one root cause list each other
    assert.deepEqual((f.related ?? []).map((r) => r.rule).sort(), findings[2].filter((g) => g !== f && g.line === f.line).map((g) => g.rule).sort());
  }
  // only the headline notes the model witnesses reach warning; the TPH note rests on an
  // assumed TPH enable (nothing in the series enables TPH), so it is a check with a condition
  assert.deepEqual(findings[2].filter((f) => f.severity !== 'check').map((f) => f.rule).sort(), ['msix/memory-bit', 'snapshot/stale-restore']);
  const tph = three.get('snapshot/stale-tph')!;
  assert.equal(tph.severity, 'check');
  assert.match(tph.conditions?.join(' ') ?? '', /TPH gets enabled/);
  assert.ok(tph.trace?.some((t) => t.function === 'vfio_pci_core_aer_reset_done' && t.line === 2294), 'the TPH trace runs through the patch line');
  // the MSI-X note's witness: Memory cleared by the user, saved by the core before the reset,
  // written back by pci_dev_restore() before reset_done runs
  const msix = three.get('msix/memory-bit')!;
  const fns = msix.trace?.map((t) => t.function) ?? [];
  assert.ok(fns.includes('vfio_basic_config_write') && fns.includes('pci_dev_restore') && fns.includes('__pci_restore_msix_state'), fns.join(' '));
  const ur = msix.trace!.findIndex((t) => /Memory Space off/.test(t.effect));
  const cb = msix.trace!.findIndex((t) => /reset_done: vfio_pci_core_aer_reset_done/.test(t.effect));
  assert.ok(ur > 0 && cb > ur, 'the MMIO write with Memory off comes before reset_done runs');
  assert.ok(msix.trace!.some((t) => t.function === 'vfio_pci_core_aer_reset_done' && t.line === 2294));
  assert.match(msix.message, /pci_dev_save_and_disable\(\) saved just before the reset/);
  const stale = three.get('snapshot/stale-restore')!;
  assert.deepEqual(stale.steps, ['pcie', 'ltr', 'l1ss', 'vc', 'dpc', 'ptm', 'tph', 'aer', 'config-space', 'pcix']);
  assert.match(stale.message, /reset_done/);
  assert.match(stale.message, /pci_dev_restore\(\)/, 'says the core has already restored');
  assert.match(stale.message, /pci_restore_tph_state\(\)/);
  assert.deepEqual(three.get('snapshot/stale-tph')!.steps, ['tph']);
  assert.deepEqual(three.get('msix/memory-bit')!.steps, ['config-space', 'msix']);
});

test('the target kernel shapes the notes', async () => {
  const three = sampleFiles[2];
  const k612 = await reviewPatchFiles([three], { kb, kernel: '6.12' });
  const rules612 = k612.findings[0].map((f) => f.rule);
  assert.ok(!rules612.includes('snapshot/stale-tph'), '6.12 has no TPH restore step');
  const stale = byRule(k612.findings[0]).get('snapshot/stale-restore')!;
  assert.ok(!stale.steps.includes('tph'));
  assert.match(stale.message, /Linux 6\.12/);
  assert.equal(stale.target, k612.target);
  const k61 = await reviewPatchFiles([three], { kb, kernel: '6.1' });
  assert.match(byRule(k61.findings[0]).get('snapshot/stale-restore')!.message, /still returns early when state_saved is false/);
  const fixed = await reviewPatchFiles([three], { kb, kernel: '6.12.117' });
  const msix = byRule(fixed.findings[0]).get('msix/memory-bit')!;
  assert.equal(msix.severity, 'check');
  assert.match(msix.message, /carries/);
});

test('fingerprints: stable across versions of a patch, different per rule', async () => {
  const a = await reviewPatchFiles([sampleFiles[2]], { kb });
  const b = await reviewPatchFiles([join(RULES, 'snapshot/stale-tph/tph-enable-with-reset-done.patch')], { kb });
  const fa = byRule(a.findings[0]);
  const fb = b.findings[0].filter((f) => f.function === 'vfio_pci_core_aer_reset_done');
  for (const f of fb) {
    const same = fa.get(f.rule)!;
    assert.notEqual(same.line, f.line, 'the fixture moves the function');
    assert.equal(same.fingerprint, f.fingerprint, `${f.rule}: fingerprint must not depend on line numbers`);
  }
  assert.equal(new Set(a.findings[0].map((f) => f.fingerprint)).size, a.findings[0].length);
  assert.equal(normaliseCode('\tpci_restore_state( pdev ) ;  /* x */'), 'pci_restore_state(pdev);');
  assert.equal(fingerprint('r', 'f', 'fn', 'a(b);'), fingerprint('r', 'f', 'fn', '  a( b ) ;'));
});

test('--ignore takes rule ids, TYPEs and areas', async () => {
  const r = await reviewPatchFiles([sampleFiles[2]], { kb, ignore: ['snapshot/stale-tph', 'MSIX_RESTORE_MEMORY_OFF'] });
  assert.deepEqual(r.findings[0].map((f) => f.rule).sort(), ['snapshot/load-unchecked', 'snapshot/stale-restore']);
  const area = await reviewPatchFiles([sampleFiles[2]], { kb, ignore: ['snapshot/'] });
  assert.deepEqual(area.findings[0].map((f) => f.rule), ['msix/memory-bit']);
  assert.ok(isIgnored({ id: 'a/b', type: 'A_B' }, ['a_b']));
  assert.ok(!isIgnored({ id: 'a/b', type: 'A_B' }, ['a/c']));
});

test('a helper on the same path is one note, on the callback, pointing at the helper call', async () => {
  const r = await reviewPatchFiles([join(RULES, 'snapshot/stale-restore/reset-done-helper.patch')], { kb });
  const stale = r.findings[0].filter((f) => f.rule === 'snapshot/stale-restore');
  assert.equal(stale.length, 1);
  assert.equal(stale[0].function, 'vfio_pci_core_aer_reset_done');
  assert.match(stale[0].message, /through vfio_pci_core_restore_open_state\(\)/);
  assert.ok((stale[0].related ?? []).some((x) => /vfio_pci_core_restore_open_state/.test(x.title)));
});

test('setting PCI_COMMAND_MEMORY before the restore changes the MSI-X note', async () => {
  const r = await reviewPatchFiles([join(RULES, 'msix/memory-bit/reset-done-memory-before-restore.patch')], { kb });
  const msix = byRule(r.findings[0]).get('msix/memory-bit')!;
  assert.match(msix.message, /sets PCI_COMMAND_MEMORY before the restore/);
  assert.match(msix.message, /set it before pci_save_state\(\)/);
  const plain = byRule((await reviewPatchFiles([sampleFiles[2]], { kb })).findings[0]).get('msix/memory-bit')!;
  assert.doesNotMatch(plain.message, /sets PCI_COMMAND_MEMORY/);
});

/** A read-only tree over the extracted Debian 6.12 sources (.ci/kernels.sh puts them there). */
function tree612(): SourceTree {
  const root = TREE_612;
  return {
    root,
    describe: () => `${root} (test)`,
    read: (p) => readFile(join(root, p), 'utf8').catch(() => undefined),
    list: async () => [],
  };
}

test('with a tree, calls are followed through the post-patch call graph', async () => {
  const text = await readFile(join(PROJECT, 'test/analyze/patches/reset-done-power-state.patch'), 'utf8');
  const patch = await buildPatch(patchToMessage(text, 'reset-done-power-state.patch'));
  const target = await resolveTarget(kb, {});
  // without the tree the helper's body is unknown: nothing to say
  assert.deepEqual(analyzePatch(patch, { kb, target }).filter((f) => f.rule === 'snapshot/stale-restore'), []);
  const tree = tree612();
  assert.ok(await tree.read('drivers/vfio/pci/vfio_pci_core.c'), `needs ${TREE_612} (npm test provisions it)`);
  const graph = await buildCallGraph(patch, tree);
  assert.ok(graph.functions.some((f) => f.name === 'vfio_pci_set_power_state'));
  assert.deepEqual(graph.roles.get('vfio_pci_core_aer_err_detected'), ['error_detected']);
  const before = JSON.stringify(patch);
  const findings = analyzePatch(patch, { kb, target, graph });
  assert.equal(JSON.stringify(patch), before, 'analyze changes nothing it is given');
  assert.deepEqual(patch.findings, [], 'the pipeline, not analyze, attaches findings');
  const stale = findings.find((f) => f.rule === 'snapshot/stale-restore');
  assert.ok(stale, 'reset_done -> vfio_pci_set_power_state() -> load + restore is found with the tree');
  assert.equal(stale.function, 'vfio_pci_core_aer_reset_done');
  assert.match(stale.message, /through vfio_pci_set_power_state\(\)/);
  // vfio_pci_set_power_state() takes its own snapshot before D3hot: a milder note
  assert.equal(stale.severity, 'check');
});
