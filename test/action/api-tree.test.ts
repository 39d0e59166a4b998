// The SourceTree read through the contents API (src/action/api-tree.ts), against the fake server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from '../../src/post/octokit.js';
import { apiTree, openApiTree } from '../../src/action/api-tree.js';
import { startSample, stopSample, TOKEN, BASE_SHA, ROOT_SHA } from '../support/fake-github-action.js';
import type { FakeGitHub } from '../support/fake-github.js';

let gh: FakeGitHub;
before(async () => {
  gh = await startSample();
});
after(async () => stopSample(gh));
const client = () => createClient({ token: TOKEN, baseUrl: gh.url, waitUnitMs: 1 });

test('reads files at the given commit, absent files as undefined', async () => {
  const t = await openApiTree(client(), gh.owner, gh.repo, BASE_SHA);
  const text = await t.read('drivers/vfio/pci/vfio_pci_core.c');
  assert.equal(text, gh.git('show', `${BASE_SHA}:drivers/vfio/pci/vfio_pci_core.c`));
  assert.equal(await t.read('drivers/pci/pci.c'), undefined);
  assert.equal(await t.read('drivers/vfio'), undefined, 'a folder is not a file');
  assert.match(t.describe(), /kernel-org\/linux at 09f0eb7dd449/);
  const root = await apiTree(client(), gh.owner, gh.repo, ROOT_SHA).read('drivers/vfio/pci/vfio_pci_core.c');
  assert.notEqual(root, text, 'another commit, other contents');
});

test('lists recursively, paths relative to the root, glob on either', async () => {
  const t = apiTree(client(), gh.owner, gh.repo, BASE_SHA);
  assert.deepEqual(await t.list('include'), ['include/linux/vfio_pci_core.h', 'include/uapi/linux/vfio.h']);
  assert.deepEqual(await t.list('include', '**/vfio.h'), ['include/uapi/linux/vfio.h']);
  assert.deepEqual(await t.list('drivers/vfio/pci', '*.c'), ['drivers/vfio/pci/vfio_pci_core.c']);
});

test('reads are cached and capped', async () => {
  gh.requests.length = 0;
  const lines: string[] = [];
  const t = apiTree(client(), gh.owner, gh.repo, BASE_SHA, { maxRequests: 1, log: (l) => lines.push(l) });
  await t.read('drivers/vfio/pci/vfio_pci_core.c');
  await t.read('drivers/vfio/pci/vfio_pci_core.c');
  assert.equal(await t.read('include/uapi/linux/vfio.h'), undefined);
  assert.equal(gh.count('GET', /\/contents\//), 1);
  assert.match(lines.join('\n'), /read budget spent/);
});
