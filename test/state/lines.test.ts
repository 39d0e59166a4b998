/**
 * Witnesses cite file:line on every kernel line the knowledge base has read, not only on the
 * Debian trees: each step of a function read at the target's line carries a line number, and
 * it is the number effects.yaml gives for that step (so a maintainer can follow the trace in
 * the tree the KB names). Default target (6.19+) and --kernel 6.17 (6.13-6.18).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadKnowledgeBase } from '../../src/kb/index.js';
import { readFile } from 'node:fs/promises';
import { patchToMessage, reviewPatchFiles } from '../analyze/support.js';
import { PROJECT } from '../analyze/cases.js';
import { render } from '../../src/report/index.js';
import { reviewMessages } from '../../src/pipeline.js';
import type { Finding, TraceStep } from '../../src/model.js';

const kb = await loadKnowledgeBase();
const V18 = join(PROJECT, 'rules/snapshot/stale-restore/v18-3-reset-done.patch');
const CORPUS_17 = join(PROJECT, 'bench/corpus/17-vfio-reset-done-v3.patch');

const TARGETS: { kernel?: string; line: string }[] = [
  { kernel: undefined, line: '6.19+' },
  { kernel: '6.17', line: '6.13-6.18' },
];

const show = (t: TraceStep[]) => t.map((s, i) => `${i + 1}. ${s.function}() ${s.file ?? ''}:${s.line ?? ''} ${s.effect}`).join('\n');

/** A step of a function the KB read at this line, in the file it was read in. */
function readHere(s: TraceStep, line: string): boolean {
  const fx = kb.effects!.functions.get(s.function);
  return !!fx && fx.at[line]?.line !== undefined && s.file === fx.file;
}

/** The numbers effects.yaml holds for a function on a line (definition, effects, steps). */
function kbNumbers(fn: string, line: string): Set<number> {
  const fx = kb.effects!.functions.get(fn);
  const out = new Set<number>();
  if (!fx) return out;
  if (fx.at[line]?.line !== undefined) out.add(fx.at[line].line!);
  for (const e of fx.effects) {
    if (e.lines?.[line] !== undefined) out.add(e.lines[line]);
    if (e.clearLines?.[line] !== undefined) out.add(e.clearLines[line]);
    for (const n of Object.values(e.stepLines?.[line] ?? {})) out.add(n);
  }
  return out;
}

async function traced(file: string, kernel?: string): Promise<Finding[]> {
  const fs = (await reviewPatchFiles([file], { kb, kernel })).findings.flat().filter((f) => f.trace?.length);
  assert.ok(fs.length > 0, `${file}: no note with a witness`);
  return fs;
}

for (const { kernel, line } of TARGETS)
  for (const file of [V18, CORPUS_17])
    test(`${kernel ?? 'default target'}: every witness step of a function read at ${line} carries its file:line (${file.split('/').pop()})`, async () => {
      let cited = 0;
      for (const f of await traced(file, kernel)) {
        const t = f.trace!;
        for (const s of t) {
          // steps in restore-step functions print the line of their call in pci_restore_state()
          const owner = kb.effects!.functions.has(s.function) ? s.function : 'pci_restore_state';
          if (!readHere(s, line) && !(owner === 'pci_restore_state' && s.file === 'drivers/pci/pci.c' && kbNumbers(owner, line).has(s.line ?? -1))) continue;
          assert.ok(s.line !== undefined, `${f.rule}: ${s.function}() has no line on ${line}\n${show(t)}`);
          assert.ok(kbNumbers(owner, line).has(s.line!), `${f.rule}: ${s.function}() ${s.file}:${s.line} is not a number effects.yaml gives for ${line}\n${show(t)}`);
          cited++;
        }
        // the reset path of the example is cited step by step
        for (const fn of ['pci_try_reset_function', 'pci_dev_save_and_disable', 'pci_dev_restore', 'pci_save_state', 'pci_restore_state'])
          if (t.some((s) => s.function === fn)) assert.ok(t.filter((s) => s.function === fn).every((s) => s.line !== undefined), `${fn}\n${show(t)}`);
      }
      assert.ok(cited >= 10, `only ${cited} cited steps`);
    });

test('the text witness prints pci.c:N for pci_dev_restore() on the default target and on 6.17 (issue 8 item 5)', async () => {
  const msg = patchToMessage(await readFile(CORPUS_17, 'utf8'), CORPUS_17);
  for (const { kernel, line } of TARGETS) {
    const text = render('text', await reviewMessages([msg], [], { kernel, kb }), { kb, verbose: true });
    const expect = kb.effects!.functions.get('pci_dev_restore')!.effects.find((e) => e.call === 'pci_restore_state')!.lines![line];
    assert.ok(expect !== undefined, line);
    // wrapped to 80 columns: the step's head stays on one line
    assert.match(text, new RegExp(`pci_dev_restore\\(\\) pci\\.c:${expect}: calls pci_restore_state\\(\\)`), text);
    assert.doesNotMatch(text, /\(\) [\w.]+\.c: /, `${line}: a step without its line`);
  }
});
