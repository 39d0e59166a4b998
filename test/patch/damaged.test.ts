/**
 * Damaged input never crashes buildPatch: every fixture, cut, with lines dropped, doubled or
 * re-indented (seeded, so a failure reproduces). A diff that no longer parses is `mangled`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildPatch } from '../../src/patch/index.js';
import { ROOT, messageFromText, messageFromDiff } from './helpers.js';

const DIR = join(ROOT, 'test', 'fixtures', 'diff');

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function damage(text: string, r: () => number): string {
  const lines = text.split('\n');
  const i = Math.floor(r() * lines.length);
  switch (Math.floor(r() * 5)) {
    case 0: return lines.slice(0, i).join('\n');
    case 1: lines.splice(i, 1); break;
    case 2: lines.splice(i, 0, lines[i] ?? ''); break;
    case 3: lines[i] = (lines[i] ?? '').replace(/^[ +-]/, ''); break;
    default: lines[i] = '@@ -1,2 +1,3 @@ ' + (lines[i] ?? '');
  }
  return lines.join('\n');
}

test('damaged fixtures: no throw, mangled with a reason when the diff breaks', async () => {
  const r = rng(2026);
  let mangled = 0;
  for (const f of readdirSync(DIR).filter((x) => x.endsWith('.diff'))) {
    const text = readFileSync(join(DIR, f), 'utf8');
    for (let k = 0; k < 25; k++) {
      const m = await buildPatch(messageFromText(damage(text, r), `${f}~${k}`));
      assert.ok(['patch', 'reply', 'cover-letter'].includes(m.kind));
      if (m.mangled) {
        mangled++;
        assert.match(m.mangledReason ?? '', /^diff does not parse/);
      }
    }
  }
  assert.ok(mangled > 20, `some damage must be detected (${mangled})`);
});

test('degenerate bodies', async () => {
  for (const body of ['', '\n\n', 'diff --git a/x b/x\n', '--- a/x\n+++ b/x\n@@ -1 +1 @@\n', '@@ -1 +1 @@\n-a\n+b\n', '-- \n']) {
    const m = await buildPatch(messageFromDiff(body));
    assert.equal(typeof m.mangled, 'boolean', JSON.stringify(body));
  }
});
