/**
 * The line numbers of rules/kb/effects.yaml are consistent with one another: every number is
 * keyed by a known kernel line, lies in the function it belongs to as far as the data can
 * tell (after the definition's first line), the calls and callbacks follow the listed order,
 * the restore steps follow the line's step order, and the newer lines cite the commit they
 * were read at. Whether a number points at the right text is kb verify's job (Debian trees).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadKnowledgeBase } from '../../src/kb/index.js';
import type { Effect, FunctionEffects } from '../../src/kb/effects.js';

const kb = await loadKnowledgeBase();
const fns = [...kb.effects!.functions.values()];
const lineIds = kb.lines.map((l) => l.id);
const NEWER = ['6.13-6.18', '6.19+'];

/** Effects whose code is in the function's own body (not a helper or another file). */
const inBody = (e: Effect) =>
  !e.file && (e.call || e.callback || e.save || e.store || e.load || e.free || e.restore) !== undefined;
const ordered = (e: Effect) => !e.file && (e.call !== undefined || e.callback !== undefined);

function numbered(fx: FunctionEffects): { key: string; where: string }[] {
  const keys = Object.keys(fx.at).map((key) => ({ key, where: 'at' }));
  fx.effects.forEach((e, i) => {
    for (const key of Object.keys(e.lines ?? {})) keys.push({ key, where: `effect ${i} lines` });
    for (const key of Object.keys(e.stepLines ?? {})) keys.push({ key, where: `effect ${i} stepLines` });
    for (const key of Object.keys(e.clearLines ?? {})) keys.push({ key, where: `effect ${i} clearLines` });
  });
  return keys;
}

test('every at, lines, stepLines and clearLines key is a kernel line of kernels.yaml', () => {
  for (const fx of fns)
    for (const { key, where } of numbered(fx)) assert.ok(lineIds.includes(key), `${fx.name}: ${where} names '${key}'`);
});

test('the 6.13-6.18 and 6.19+ numbers cite the repo@commit they were read at', () => {
  for (const fx of fns)
    for (const id of NEWER) {
      const at = fx.at[id];
      const numberedHere = at?.line !== undefined || fx.effects.some((e) => e.lines?.[id] !== undefined);
      if (!numberedHere) continue;
      assert.match(at?.at ?? '', /^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/, `${fx.name} ${id}: ${at?.at}`);
      assert.ok(at!.line !== undefined, `${fx.name} ${id}: effect lines without the definition's line`);
    }
});

test('in-body effects lie after the definition line; calls and callbacks follow the listed order', () => {
  let checked = 0;
  for (const fx of fns)
    for (const id of lineIds) {
      const first = fx.at[id]?.line;
      if (first === undefined) continue;
      let last = first;
      for (const e of fx.effects) {
        const n = e.lines?.[id];
        if (n === undefined) continue;
        if (inBody(e)) assert.ok(n > first, `${fx.name} ${id}: effect at ${n} is not after the definition at ${first}`);
        if (ordered(e)) {
          assert.ok(n > last, `${fx.name} ${id}: ${e.call ?? e.callback} at ${n} does not follow the previous call at ${last}`);
          last = n;
          checked++;
        }
      }
    }
  assert.ok(checked > 50, `only ${checked} ordered call lines`);
});

test('restore steps are cited in the order of the line, inside pci_restore_state(), before state_saved is cleared', () => {
  const fx = kb.effects!.functions.get('pci_restore_state')!;
  const e = fx.effects.find((x) => x.restore)!;
  for (const line of kb.lines) {
    const steps = e.stepLines?.[line.id] ?? {};
    const first = fx.at[line.id]?.line;
    const clear = e.clearLines?.[line.id];
    assert.ok(first !== undefined && clear !== undefined, `${line.id}: definition and state_saved = false lines`);
    const cited = line.restore.filter((id) => steps[id] !== undefined).map((id) => steps[id]);
    assert.deepEqual(cited, [...cited].sort((a, b) => a - b), `${line.id}: ${JSON.stringify(steps)}`);
    for (const n of cited) assert.ok(n > first! && n < clear!, `${line.id}: step at ${n}`);
    for (const id of Object.keys(steps)) assert.ok(line.restore.includes(id), `${line.id}: '${id}' is not a step of the line`);
  }
  // the newer lines were read whole: every step's call is cited
  for (const id of NEWER) assert.deepEqual(Object.keys(e.stepLines![id]).sort(), [...kb.line(id)!.restore].sort(), id);
});

test('a function read at a newer line has a number for every in-file effect that 6.12 has one for', () => {
  for (const fx of fns)
    for (const id of NEWER) {
      if (fx.at[id]?.line === undefined) continue;
      fx.effects.forEach((e, i) => {
        if (e.file || e.lines?.['6.12'] === undefined) return;
        assert.ok(e.lines[id] !== undefined, `${fx.name} effect ${i} (${e.call ?? e.callback ?? e.what}): no ${id} line`);
      });
    }
});
