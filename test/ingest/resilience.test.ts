// Issue 11, must-have 1: no input crashes the program. The two crashes the issue found (a MIME
// part with an empty Content-Type, an added function with a 33,000-character name) as they
// were met, alone and in the middle of the sample series: every other patch is reviewed, the
// bad one is listed in errors with one short line, exit 70 never comes of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseMail } from '../../src/ingest/index.js';

const BIN = resolve('bin/vfio-review.js');
const SAMPLE = 'samples/vfio-pci-reset-done-v18.mbox';
const dir = mkdtempSync(join(tmpdir(), 'vfio-resilience-'));

function run(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  let json: { patches: { subject: string; source: string; findings: unknown[] }[]; errors: { source: string; message: string }[] } | undefined;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    json = undefined;
  }
  return { status: r.status, stderr: r.stderr, stdout: r.stdout, json };
}

/** A patch mail whose second MIME part has an empty `Content-Type:` header. */
const EMPTY_CONTENT_TYPE = `From 3333333333333333333333333333333333333333 Mon Sep 17 00:00:00 2001
From: A <a@example.org>
Subject: [PATCH] vfio/pci: part with an empty type
Message-ID: <empty-ct@example.org>
Date: Mon, 4 May 2026 10:00:00 +0200
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="BB"

--BB
Content-Type: text/plain

see attachment
--BB
Content-Type:
Content-Disposition: attachment; filename="a.patch"

diff --git a/drivers/vfio/pci/vfio_pci_core.c b/drivers/vfio/pci/vfio_pci_core.c
--BB--

`;

const LONG = 'f'.repeat(33_000);
/** A patch adding a function whose name is 33,000 characters long. */
const LONG_NAME = `From 4444444444444444444444444444444444444444 Mon Sep 17 00:00:00 2001
From: A <a@example.org>
Date: Mon, 4 May 2026 10:00:00 +0200
Subject: [PATCH] vfio/pci: a very long name
Message-ID: <long-name@example.org>

Signed-off-by: A <a@example.org>
---
diff --git a/drivers/vfio/pci/vfio_pci_core.c b/drivers/vfio/pci/vfio_pci_core.c
index e76e33e..95ce7ad 100644
--- a/drivers/vfio/pci/vfio_pci_core.c
+++ b/drivers/vfio/pci/vfio_pci_core.c
@@ -10,3 +10,8 @@ int x;
 int a;
 int b;
+static void ${LONG}(struct pci_dev *pdev)
+{
+	pci_restore_state(pdev);
+}
+
 int c;
-- 
2.39.5

`;

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The sample series with `extra` messages between its patch 2/4 and 3/4. */
function sampleWith(...extra: string[]): string {
  const text = readFileSync(SAMPLE, 'latin1');
  const starts = [...text.matchAll(/^From [0-9a-f]{40} Mon Sep 17/gm)].map((m) => m.index);
  const at = starts[3];
  return text.slice(0, at) + extra.join('') + text.slice(at);
}

const SAMPLE_SUBJECTS = [...readFileSync(SAMPLE, 'latin1').matchAll(/^Subject: (.*)$/gm)].map((m) => m[1]);

test('a MIME part with an empty Content-Type header is read as untyped bytes, not a crash', async () => {
  const msg = await parseMail(Buffer.from(EMPTY_CONTENT_TYPE.slice(EMPTY_CONTENT_TYPE.indexOf('\n') + 1)), 'x.eml');
  assert.equal(msg.subject, '[PATCH] vfio/pci: part with an empty type');
  // Named *.patch and untyped: kept as a patch attachment.
  assert.deepEqual(msg.attachments.map((a) => [a.filename, a.contentType]), [['a.patch', 'application/octet-stream']]);
  const r = run(['review', write('empty-ct.eml', EMPTY_CONTENT_TYPE), '--format', 'json', '--fail-on', 'none']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.json?.patches.length, 1);
});

test('a 33,000-character function name is a too-large error naming the file and the limit, on one short line', () => {
  const r = run(['review', write('long-name.patch', LONG_NAME), '--format', 'json']);
  assert.equal(r.status, 2, 'nothing could be reviewed: input error, not 70');
  assert.equal(r.json?.patches.length, 0);
  const [e] = r.json!.errors;
  assert.match(e.message, /^drivers\/vfio\/pci\/vfio_pci_core\.c: too large: an identifier of 33000 characters \(f+…/);
  assert.match(e.message, /over the limit of 512$/);
  assert.ok(e.message.length < 300, `error is ${e.message.length} characters`);
  const text = run(['review', join(dir, 'long-name.patch')]);
  assert.equal(text.status, 2);
  assert.doesNotMatch(text.stderr, /internal error|\n\s+at /);
  for (const line of text.stderr.split('\n')) assert.ok(line.length < 400, `stderr line of ${line.length} characters`);
});

test('the sample mbox with broken messages in the middle reviews every other patch and lists the broken ones', () => {
  const garbage = 'From 5555555555555555555555555555555555555555 Mon Sep 17 00:00:00 2001\n\x00\x01 not a header\n\n';
  const mbox = write('broken.mbox', sampleWith(LONG_NAME, garbage, EMPTY_CONTENT_TYPE));
  const r = run(['review', mbox, '--format', 'json', '--fail-on', 'none']);
  assert.equal(r.status, 0, r.stderr);
  const subjects = r.json!.patches.map((p) => p.subject);
  for (const s of SAMPLE_SUBJECTS) assert.ok(subjects.some((x) => s.startsWith(x.slice(0, 30))), `"${s}" reviewed`);
  assert.ok(subjects.includes('[PATCH] vfio/pci: part with an empty type'));
  assert.deepEqual(
    r.json!.errors.map((e) => e.source).sort(),
    [`${mbox}#4`, `${mbox}#5`],
    'the long name and the garbage, by number',
  );
  // Every message has exactly one outcome: 5 sample + 3 inserted = 8.
  assert.equal(r.json!.patches.length + r.json!.errors.length, 8);
});
