import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { openTree } from '../../src/ingest/tree.js';
import { UserError } from '../../src/errors.js';
import { TREE_612 } from '../support/kernels.js';

test('plain Debian tree: described with its version, files read and listed', async () => {
  const tree = await openTree(TREE_612);
  assert.equal(tree.describe(), `${TREE_612} (Debian 6.12.117)`);
  assert.equal(tree.kernelVersion, '6.12.117');
  assert.match((await tree.read('drivers/pci/pci.c')) ?? '', /void pci_restore_state\(struct pci_dev \*dev\)/);
  assert.equal(await tree.read('drivers/pci/no-such-file.c'), undefined);
  assert.equal(await tree.read('../../etc/passwd'), undefined, 'no escape from the root');
  const listed = await tree.list('drivers/vfio/pci', '**/vfio_pci_*.c');
  assert.ok(listed.includes('drivers/vfio/pci/vfio_pci_core.c'));
  assert.ok(listed.every((p) => p.startsWith('drivers/vfio/pci/') && p.endsWith('.c')));
});

test('git checkout: described by HEAD short sha, working files read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vr-tree-'));
  try {
    mkdirSync(join(dir, 'include/linux'), { recursive: true });
    writeFileSync(join(dir, 'include/linux/x.h'), 'int x;\n');
    writeFileSync(join(dir, 'Makefile'), 'VERSION = 6\nPATCHLEVEL = 19\nSUBLEVEL = 0\n');
    const git = (...a: string[]) => execFileSync('git', ['-C', dir, ...a], { encoding: 'utf8' }).trim();
    git('init', '-q');
    git('add', '-A');
    git('-c', 'user.name=T', '-c', 'user.email=t@e', 'commit', '-qm', 'x');
    writeFileSync(join(dir, 'include/linux/x.h'), 'int y;\n'); // uncommitted: working file wins
    const tree = await openTree(dir);
    assert.equal(tree.describe(), `${dir} (git ${git('rev-parse', '--short', 'HEAD')})`);
    assert.equal(tree.kernelVersion, '6.19');
    assert.equal(await tree.read('include/linux/x.h'), 'int y;\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('missing folder and non-kernel folder are UserErrors naming the folder', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vr-tree-'));
  try {
    await assert.rejects(openTree(join(dir, 'nope')), (e: unknown) => e instanceof UserError && e.source === join(dir, 'nope'));
    await assert.rejects(openTree(dir), (e: unknown) => e instanceof UserError && /no kernel source/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
