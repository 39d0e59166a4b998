// The plain-mail reader (src/ingest/plainmail.ts) must read every mail it accepts exactly as
// mailparser does: each mail the tests and samples hold is read both ways and compared.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseMail, parseMailWithMailparser } from '../../src/ingest/mail.js';
import { isSplitProblem, splitMbox } from '../../src/ingest/mbox.js';
import { readPlainMail } from '../../src/ingest/plainmail.js';
import { mbox, noise, sampleMails, seriesClone, v19Mails } from '../support/public-inbox-fixtures.js';
import { ROOT } from '../patch/helpers.js';

/** Every file under a folder whose name matches. */
function files(dir: string, re: RegExp): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true })
    .map(String)
    .filter((n) => re.test(n))
    .map((n) => join(ROOT, dir, n));
}

async function messagesOf(text: Buffer): Promise<Buffer[]> {
  const out: Buffer[] = [];
  async function* chunks() {
    yield text;
  }
  for await (const m of splitMbox(chunks(), { maxMessageBytes: 1 << 24 })) if (!isSplitProblem(m)) out.push(m.raw);
  return out;
}

async function allMails(): Promise<{ name: string; raw: Buffer }[]> {
  const out: { name: string; raw: Buffer }[] = [];
  const inputs = [
    ...files('samples', /\.(patch|mbox|eml)$/),
    ...files('test/fixtures/mail', /\.(patch|mbox|eml)$/),
    ...files('rules', /\.patch$/),
  ];
  for (const f of inputs) {
    const raw = readFileSync(f);
    if (!/^(From |[A-Za-z-]+: )/.test(raw.subarray(0, 80).toString('latin1'))) continue; // a bare diff
    const parts = raw.subarray(0, 5).toString() === 'From ' ? await messagesOf(raw) : [raw];
    parts.forEach((p, i) => out.push({ name: `${f}#${i + 1}`, raw: p }));
  }
  const generated = [...sampleMails(), ...noise(40), ...seriesClone(1), ...v19Mails()];
  for (const [i, raw] of (await messagesOf(Buffer.from(mbox(generated)))).entries()) out.push({ name: `generated#${i + 1}`, raw });
  return out;
}

test('every mail the plain reader accepts reads as mailparser reads it', async () => {
  const mails = await allMails();
  let plain = 0;
  for (const { name, raw } of mails) {
    if (!readPlainMail(raw)) continue;
    plain++;
    assert.deepEqual(await parseMail(raw, name), await parseMailWithMailparser(raw, name), name);
  }
  assert.ok(plain >= 80, `${plain} of ${mails.length} mails read plainly: the fast path must cover git send-email mail`);
});

test('MIME, transfer encodings, other charsets, flowed text and encoded words go to mailparser', () => {
  for (const f of ['attached-base64.eml', 'qp.eml', 'flowed.eml', 'latin1.patch', 'sample-0003-base64.eml', 'signed.eml']) {
    const raw = readFileSync(join(ROOT, 'test/fixtures/mail', f));
    assert.equal(readPlainMail(raw), undefined, f);
  }
  const words = Buffer.from('From: =?utf-8?q?J=C3=B6rg?= <j@example.org>\nSubject: x\n\nbody\n');
  assert.equal(readPlainMail(words), undefined);
  const quoted = Buffer.from('From: "Doe, J" <j@example.org>\nSubject: x\n\nbody\n');
  assert.equal(readPlainMail(quoted), undefined);
});
