// The documented limits (README "Limits", src/ingest/limits.ts), each one crossed: the message
// is reported as too large / too deep / too slow with the limit, and the others go on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseMail, readBuffer, isInputError } from '../../src/ingest/index.js';
import { LIMITS, type Limits } from '../../src/ingest/limits.js';
import { LimitError } from '../../src/errors.js';
import { buildPatch } from '../../src/patch/index.js';
import { reviewMessages } from '../../src/pipeline.js';
import type { InputError, Message } from '../../src/model.js';

const P3 = readFileSync('samples/vfio-pci-reset-done-v18/v18-0003-vfio-pci-Add-a-reset_done-callback-for-vfio-pci-.patch', 'latin1');
const MAIL = Buffer.from(P3.slice(P3.indexOf('\n') + 1), 'latin1');

async function mailFails(raw: Buffer, limits: Partial<Limits>, want: RegExp): Promise<void> {
  await assert.rejects(parseMail(raw, 'x.eml', { limits }), (e: unknown) => {
    assert.ok(e instanceof LimitError, String(e));
    assert.match(e.message, want);
    return true;
  });
}

function multipart(depth: number, parts: number): Buffer {
  let body = 'Content-Type: text/plain\n\nhello\n';
  for (let d = 0; d < depth; d++) {
    const b = `b${d}`;
    body = `Content-Type: multipart/mixed; boundary="${b}"\n\n` + Array(d === 0 ? parts : 1).fill(`--${b}\n${body}`).join('') + `--${b}--\n`;
  }
  return Buffer.from(`From: a@b\nSubject: x\nMIME-Version: 1.0\n${body}`);
}

test('the defaults are the documented ones', () => {
  assert.deepEqual(
    { ...LIMITS },
    { messageBytes: 10485760, headerBytes: 262144, headerLine: 32768, mimeDepth: 16, mimeParts: 200, diffFiles: 2000, diffHunks: 20000, diffLines: 300000, identifier: 512, nesting: 256, messageMs: 60000 },
  );
});

test('message size, header block and header line', async () => {
  await mailFails(MAIL, { messageBytes: 1000 }, /^message is \d+ bytes, over the 1000 bytes limit$/);
  await mailFails(Buffer.from('Subject: x\nX-Long: ' + 'a'.repeat(500) + '\n\nbody\n'), { headerLine: 100 }, /too large: a header line of 508 bytes, over the limit of 100 bytes/);
  await mailFails(Buffer.from('Subject: x\n' + 'X-A: b\n'.repeat(200)), { headerBytes: 1000 }, /too large: the header block is over the limit of 1000 bytes/);
  await parseMail(MAIL, 'ok.eml'); // and the real mail is within all of them
});

test('MIME depth and part count', async () => {
  await mailFails(multipart(4, 1), { mimeDepth: 3 }, /too deep: MIME parts nested more than 3 levels/);
  await mailFails(multipart(1, 6), { mimeParts: 5 }, /too large: more than 5 MIME parts/);
  const ok = await parseMail(multipart(3, 2), 'ok.eml', { limits: { mimeDepth: 3, mimeParts: 5 } });
  assert.equal(ok.subject, 'x');
});

const msg = (body: string): Message => ({ source: 'x.patch', subject: '[PATCH] x', references: [], to: [], cc: [], body, attachments: [] });
const body = P3.slice(P3.indexOf('\n\n') + 2);

async function patchFails(limits: Partial<Limits>, want: RegExp, text = body): Promise<void> {
  await assert.rejects(buildPatch(msg(text), { limits }), (e: unknown) => e instanceof LimitError && want.test(e.message));
}

test('files, hunks and lines of a diff', async () => {
  await patchFails({ diffLines: 10 }, /too large: the diff has \d+ lines, over the limit of 10 lines/);
  await patchFails({ diffHunks: 1 }, /too large: the diff has 2 hunks, over the limit of 1 hunks/);
  const second = body.slice(body.indexOf('diff --git'), body.indexOf('-- \n')).replaceAll('vfio_pci_core.c', 'vfio_pci_intrs.c');
  const two = body.replace('-- \n', second + '-- \n');
  await patchFails({ diffFiles: 1 }, /too large: the diff has 2 files, over the limit of 1 files/, two);
  assert.equal((await buildPatch(msg(body))).files.length, 1);
});

test('identifier length and nesting depth, naming the file', async () => {
  await patchFails({ identifier: 20 }, /^drivers\/vfio\/pci\/vfio_pci_core\.c: too large: an identifier of 30 characters \(vfio_pci_core_aer_err_de…, line \d+ of the C text\), over the limit of 20$/);
  const deep = body.replace('+\tpci_restore_state(pdev);', '+\tpci_restore_state(((((((pdev)))))));');
  await patchFails({ nesting: 6 }, /too deep: brackets nested 8 levels in the C text, over the limit of 6/, deep);
});

test('the time budget: a message past it is an error, the others are reviewed', async () => {
  const errors: InputError[] = [];
  const r = await reviewMessages([msg(body)], errors, { limits: { messageMs: 0 }, parseOnly: true });
  assert.equal(r.patches.length, 0);
  assert.match(errors[0].message, /^too slow: over the time budget of 0 s per message \(while reading drivers\/vfio\/pci\/vfio_pci_core\.c\)$/);
});

test('in an mbox, the message past a limit is an error and the rest go on', async () => {
  const big = 'From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001\nFrom: a@b\nSubject: x\n\n' + 'y'.repeat(5000) + '\n';
  const mbox = Buffer.from(P3 + big + P3.replace('6526efa4ea8d82bd92c71d7a925dd898c11abf6b', '2222222222222222222222222222222222222222'), 'latin1');
  const items = [];
  for await (const it of readBuffer(mbox, 'm.mbox', { maxMessageBytes: 4000 })) items.push(it);
  const line = P3.split('\n').length; // the big one's postmark follows P3's lines
  assert.deepEqual(items.map((i) => (isInputError(i) ? i.message : 'mail')), ['mail', `line ${line}: message is 5023 bytes, over the 4000 bytes limit`, 'mail']);
});
