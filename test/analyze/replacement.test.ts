/**
 * A rule whose fix is a concrete change of its line (`replacement:` in the rule) gives the
 * finding that line's new text, and the GitHub comment offers it as a suggestion block.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { reviewPatchFiles } from './support.js';
import { suggestionBlock } from '../../src/report/markdown.js';

const V18_3 = fileURLToPath(new URL('../../samples/vfio-pci-reset-done-v18/v18-0003-vfio-pci-Add-a-reset_done-callback-for-vfio-pci-.patch', import.meta.url));

test('load-unchecked on the v18 reset_done: the bare load becomes a checked one', async () => {
  const { findings } = await reviewPatchFiles([V18_3]);
  const f = findings[0].find((x) => x.rule === 'snapshot/load-unchecked');
  assert.ok(f, 'load-unchecked fires on v18 3/4');
  assert.equal(f.replacement, '\tif (pci_load_saved_state(pdev, vdev->pci_saved_state))\n\t\treturn;');
  // the other notes' fixes are not line changes
  assert.ok(findings[0].filter((x) => x.rule !== 'snapshot/load-unchecked').every((x) => x.replacement === undefined));
  const md = suggestionBlock(f.replacement!);
  assert.match(md, /```suggestion\n\tif \(pci_load_saved_state\(pdev, vdev->pci_saved_state\)\)\n\t\treturn;\n```/);
});
