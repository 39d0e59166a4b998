// The fingerprints' SHA-1 (src/analyze/sha1.ts) is node:crypto's, byte for byte: a changed
// fingerprint would orphan the inline comments a review posted before (src/post/github.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { sha1Hex } from '../../src/analyze/sha1.js';

test('sha1Hex equals createHash("sha1") on lengths around every padding boundary and on UTF-8', () => {
  const texts = ['', 'abc', 'ö', '€ vfio_pci_core.c', '😀'.repeat(40)];
  for (let n = 0; n <= 200; n++) texts.push('x'.repeat(n), String.fromCharCode(...Array.from({ length: n }, (_, i) => 32 + ((i * 7) % 90))));
  for (const t of texts) assert.equal(sha1Hex(t), createHash('sha1').update(t).digest('hex'), JSON.stringify(t.slice(0, 20)) + ` (length ${t.length})`);
});

test('sha1Hex of a known vector (FIPS 180 "abc")', () => {
  assert.equal(sha1Hex('abc'), 'a9993e364706816aba3e25717850c26c9cd0d89d');
});
