import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { splitBody, messageTrailers } from '../../src/patch/message.js';
import { buildPatch } from '../../src/patch/index.js';
import { SAMPLE_DIR, messageFromPatchFile, messageFromText, messageFromDiff } from './helpers.js';

const P3 = join(SAMPLE_DIR, 'v18-0003-vfio-pci-Add-a-reset_done-callback-for-vfio-pci-.patch');

test('splitBody: commit message, diffstat, diff; signature left for the diff scanner', () => {
  const msg = messageFromPatchFile(P3);
  const s = splitBody(msg.body);
  assert.match(s.commitMessage, /^On error recovery for a PCI device/);
  assert.ok(s.commitMessage.endsWith('Signed-off-by: Sample Author <author@example.org>'));
  assert.match(s.diffstat ?? '', /1 file changed, 12 insertions/);
  assert.ok(s.diff.startsWith('diff --git a/drivers/vfio/pci/vfio_pci_core.c'));
  assert.deepEqual(s.trailers, [{ key: 'Signed-off-by', value: 'Sample Author <author@example.org>' }]);
  assert.equal(s.diffLine, msg.body.split('\n').indexOf(s.diff.split('\n')[0]) + 1);
});

test('trailers: last paragraph only, continuation lines, maintainer notes; prose is not a trailer', () => {
  const m = 'Fix it.\n\nNote: this is prose in the middle.\n\nFixes: 1234567890ab ("vfio/pci: Something long")\nLink: https://lore.kernel.org/r/x@y\n  continued\n[ alex: reworded ]\nSigned-off-by: A <a@b>';
  assert.deepEqual(messageTrailers(m), [
    { key: 'Fixes', value: '1234567890ab ("vfio/pci: Something long")' },
    { key: 'Link', value: 'https://lore.kernel.org/r/x@y continued' },
    { key: 'Signed-off-by', value: 'A <a@b>' },
  ]);
  assert.deepEqual(messageTrailers('Only prose.\n\nThis line: has a colon but is not alone\nand more prose'), []);
});

test('base-commit and change-id after the diff; cover letter kind and signature stripped', async () => {
  const cover = await buildPatch(messageFromPatchFile(join(SAMPLE_DIR, 'v18-0000-cover-letter.patch')));
  assert.equal(cover.kind, 'cover-letter');
  assert.equal(cover.baseCommit, '5fa7f5491ccd6652476ec806d07dd869e2b7138f');
  assert.ok(!cover.commitMessage?.includes('2.39.5'), 'signature stripped');
  assert.ok(!cover.commitMessage?.includes('base-commit'), 'base-commit is a trailer, not message text');
  const body = readFileSync(P3, 'utf8').replace('-- \n2.39.5', 'base-commit: abcdef0123456789\nchange-id: 20260603-reset-done-1a2b3c\n-- \n2.39.5');
  const p = await buildPatch(messageFromText(body, 'x.patch'));
  assert.equal(p.baseCommit, 'abcdef0123456789');
  assert.equal(p.changeId, '20260603-reset-done-1a2b3c');
  assert.equal(p.files.length, 1);
  assert.equal(p.mangled, false);
});

test('kind: reply for Re: and for a mail without a diff; patch from an attachment', async () => {
  const base = messageFromPatchFile(P3);
  const reply = await buildPatch({ ...base, subject: 'Re: ' + base.subject, body: '> quoted\n\nLooks fine.\n' });
  assert.equal(reply.kind, 'reply');
  assert.equal(reply.files.length, 0);
  const noDiff = await buildPatch({ ...base, body: 'Just words.\n' });
  assert.equal(noDiff.kind, 'reply');
  const attached = await buildPatch({
    ...base,
    body: 'Please see the attached patch.\n',
    attachments: [{ filename: '0003.patch', contentType: 'text/x-patch', text: base.body }],
  });
  assert.equal(attached.kind, 'patch');
  assert.deepEqual(attached.functions.map((f) => [f.name, f.change, f.assignedTo]), [
    ['vfio_pci_core_aer_reset_done', 'added', ['reset_done']],
  ]);
  assert.equal(attached.commitMessage, 'Please see the attached patch.');
  const whole = await buildPatch({
    ...base,
    body: '',
    attachments: [{ filename: '0003.patch', contentType: 'text/x-patch', text: readFileSync(P3, 'utf8') }],
  });
  assert.match(whole.commitMessage ?? '', /^On error recovery/, 'the attached file\'s mail headers are not commit message');
  assert.equal(whole.functions[0]?.name, 'vfio_pci_core_aer_reset_done');
});

test('a mangled Message is kept mangled and its code is not analysed', async () => {
  const m = await buildPatch({ ...messageFromPatchFile(P3), mangled: 'format=flowed' });
  assert.equal(m.mangled, true);
  assert.equal(m.mangledReason, 'format=flowed');
  assert.deepEqual(m.functions, []);
  assert.deepEqual(m.callbacks, []);
});

test('a truncated hunk is mangled with the body line, not a crash', async () => {
  const text = ['diff --git a/x.c b/x.c', '--- a/x.c', '+++ b/x.c', '@@ -1,3 +1,4 @@', ' a', '+b', 'garbage', ''].join('\n');
  const m = await buildPatch(messageFromDiff('Intro line\n\n' + text));
  assert.equal(m.mangled, true);
  assert.match(m.mangledReason ?? '', /at line 9\b/); // "garbage" is body line 9
});
