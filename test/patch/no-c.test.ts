// Tree-sitter (its wasm runtime and the C grammar) starts only when a patch has C to parse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPatch } from '../../src/patch/index.js';
import { parserStarted } from '../../src/patch/cparse.js';
import { messageFromDiff } from './helpers.js';

const DOC = `diff --git a/Documentation/PCI/pci.rst b/Documentation/PCI/pci.rst
--- a/Documentation/PCI/pci.rst
+++ b/Documentation/PCI/pci.rst
@@ -1,3 +1,3 @@
 PCI
-old line
+new line
 end
`;

const C = `diff --git a/drivers/vfio/pci/x.c b/drivers/vfio/pci/x.c
--- a/drivers/vfio/pci/x.c
+++ b/drivers/vfio/pci/x.c
@@ -1,3 +1,3 @@
 static int f(void)
 {
-	return 0;
+	return 1;
`;

test('a patch without C leaves tree-sitter unstarted; one with C starts it', async () => {
  const doc = await buildPatch(messageFromDiff(DOC, 'doc.diff'));
  assert.equal(doc.files[0].path, 'Documentation/PCI/pci.rst');
  assert.equal(parserStarted(), false);
  await buildPatch(messageFromDiff(C, 'c.diff'));
  assert.equal(parserStarted(), true);
});
