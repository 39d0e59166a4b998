/** Patches are recognised by their content, not their subject (issue 11, must-have 4). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPatch } from '../../src/patch/index.js';
import { messageFromText } from './helpers.js';

const DIFF = `diff --git a/drivers/vfio/pci/vfio_pci_core.c b/drivers/vfio/pci/vfio_pci_core.c
--- a/drivers/vfio/pci/vfio_pci_core.c
+++ b/drivers/vfio/pci/vfio_pci_core.c
@@ -10,3 +10,3 @@ static int vfio_pci_x(struct pci_dev *pdev)
 \tint a;
-\tpci_dbg(pdev, "x");
+\tpci_warn(pdev, "x");
 \treturn 0;
`;

const mail = (subject: string, body: string) => messageFromText(`Subject: ${subject}\nFrom: A <a@example.org>\n\n${body}`, 'x.eml');

test('a patch sent as a reply (Re: [PATCH] ...) carrying a diff is a patch', async () => {
  const m = await buildPatch(mail('Re: [PATCH v2 3/5] vfio/pci: warn', `Updated as asked.\n\nSigned-off-by: A <a@example.org>\n---\n${DIFF}`));
  assert.equal(m.kind, 'patch');
  assert.deepEqual(m.functions.map((f) => f.name), ['vfio_pci_x']);
  assert.equal(m.series?.index, 3);
});

test('a patch with no tags in its subject at all is a patch', async () => {
  const m = await buildPatch(mail('vfio/pci: warn', `x\n---\n${DIFF}`));
  assert.equal(m.kind, 'patch');
});

test('a Re: that quotes the diff with "> " is a reply', async () => {
  const quoted = DIFF.split('\n').map((l) => (l ? `> ${l}` : '>')).join('\n');
  const m = await buildPatch(mail('Re: [PATCH] vfio/pci: warn', `On Mon, A wrote:\n${quoted}\n\nLooks fine to me.\n`));
  assert.equal(m.kind, 'reply');
  assert.deepEqual(m.files, []);
});

test('a Re: with a damaged diff snippet is discussion; without Re: it is a damaged patch', async () => {
  const broken = DIFF.replace('@@ -10,3 +10,3 @@', '@@ -10,9 +10,9 @@');
  assert.equal((await buildPatch(mail('Re: [PATCH] vfio/pci: warn', `how about\n${broken}`))).kind, 'reply');
  const p = await buildPatch(mail('[PATCH] vfio/pci: warn', `x\n---\n${broken}`));
  assert.equal(p.kind, 'patch');
  assert.equal(p.mangled, true);
});
