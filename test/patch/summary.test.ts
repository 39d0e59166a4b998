import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildPatch } from '../../src/patch/index.js';
import { summarizeModel } from '../../src/patch/summary.js';
import { SAMPLE_DIR, messageFromPatchFile, messageFromDiff } from './helpers.js';

test('summary of the sample series: positions, kinds, files, functions, calls, callbacks', async () => {
  const patches = [];
  for (const f of readdirSync(SAMPLE_DIR).sort()) patches.push(await buildPatch(messageFromPatchFile(join(SAMPLE_DIR, f))));
  const text = summarizeModel({ tool: 'vfio-review', version: '0.0.0', patches, errors: [{ source: 'x.mbox#3', message: 'broken' }] });
  const lines = text.split('\n');
  assert.equal(lines[0], '[v18 0/4] Error recovery for vfio-pci devices on s390x');
  assert.match(lines[1], /^ {2}cover-letter, from Sample Author <author@example\.org>, base 5fa7f5491ccd$/);
  const p3 = lines.indexOf('[v18 3/4] vfio/pci: Add a reset_done callback for vfio-pci driver');
  assert.ok(p3 > 0);
  assert.deepEqual(lines.slice(p3 + 2, p3 + 5), [
    '  modified drivers/vfio/pci/vfio_pci_core.c',
    '    added vfio_pci_core_aer_reset_done() line 2286; +calls dev_get_drvdata, pci_load_saved_state, pci_restore_state; as .reset_done',
    '    callback added: .reset_done = vfio_pci_core_aer_reset_done in struct pci_error_handlers vfio_pci_core_err_handlers',
  ]);
  assert.ok(text.includes('-calls rcu_read_lock, rcu_read_unlock'));
  assert.ok(text.trimEnd().endsWith('error: x.mbox#3: broken'));
});

test('summary says mangled and binary', async () => {
  const bad = await buildPatch(messageFromDiff('--- a/x.c\n+++ b/x.c\n@@ -1,2 +1,2 @@\n-a\nnot a diff line\n'));
  const bin = await buildPatch(messageFromDiff('diff --git a/f.bin b/f.bin\nnew file mode 100644\nindex 0000000..be7df4a\nBinary files /dev/null and b/f.bin differ\n'));
  const text = summarizeModel({ tool: 'vfio-review', version: '0', patches: [bad, bin], errors: [] });
  assert.match(text, /MANGLED: diff does not parse at line 5: .*\(code not analysed\)/);
  assert.match(text, /added {4}f\.bin \[binary\]/);
});
