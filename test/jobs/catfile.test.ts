/**
 * The cat-file reader against a real repository: whatever the chunking of git's output (blobs
 * within one chunk are views of it, a blob spanning chunks is gathered, an empty one is a
 * purged message), every read gets exactly the bytes `git cat-file -p` prints, in order.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CatFile } from '../../src/jobs/sources/catfile.js';

function repoWith(blobs: Buffer[]): { dir: string; oids: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'vfio-review-catfile-'));
  execFileSync('git', ['init', '-q', '--bare', dir]);
  const oids = blobs.map((b) => execFileSync('git', ['--git-dir', dir, 'hash-object', '-w', '--stdin'], { input: b }).toString().trim());
  return { dir, oids };
}

const text = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => String.fromCharCode(32 + ((i * 7 + seed) % 90))).join(''));

describe('CatFile', () => {
  // small ones many to a chunk, one empty, ones larger than a pipe's 64 KiB, one with a LF last
  const blobs = [
    ...Array.from({ length: 300 }, (_, i) => text(50 + ((i * 37) % 900), i)),
    Buffer.alloc(0),
    text(70_000, 1),
    text(300_001, 2),
    Buffer.from('ends with a newline\n'),
    ...Array.from({ length: 50 }, (_, i) => text(10 + i, i)),
  ];
  const { dir, oids } = repoWith(blobs);

  test('reads made together, in any size, come back byte for byte', async () => {
    const reader = new CatFile(dir);
    try {
      const got = await Promise.all(oids.map((o) => reader.read(o)));
      got.forEach((b, i) => assert.ok(b.equals(blobs[i]), `blob ${i} (${blobs[i].length} bytes)`));
    } finally {
      reader.close();
    }
  });

  test('reads one at a time, each awaited, come back as well', async () => {
    const reader = new CatFile(dir);
    try {
      for (const i of [0, 300, 301, 302, 303, 5]) assert.ok((await reader.read(oids[i])).equals(blobs[i]), `blob ${i}`);
    } finally {
      reader.close();
    }
  });

  test('a missing object fails its own read only', async () => {
    const reader = new CatFile(dir);
    try {
      const [before, missing, after] = [reader.read(oids[1]), reader.read('0'.repeat(40)), reader.read(oids[2])];
      assert.ok((await before).equals(blobs[1]));
      await assert.rejects(missing, /missing/);
      assert.ok((await after).equals(blobs[2]));
    } finally {
      reader.close();
    }
  });
});
