// The injection catalogue (issue 11, must-have 8): a real patch mail whose subject, author name,
// file path, commit message and code carry markdown/HTML (<img onerror>, <details>,
// ](javascript:), code fences), @mentions, #123, a forged hidden marker and terminal escapes,
// reviewed for real and rendered in every output format and the GitHub review payload; and
// CR/LF and encoded-word tricks against every header the mailing-list job writes. Nothing may
// render, notify, link, forge our marker, or add a header; no Message-ID or path reaches a
// file name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { parseMail } from '../../src/ingest/index.js';
import { reviewMessages } from '../../src/pipeline.js';
import { buildGithubReview, render, REPORT_FORMATS } from '../../src/report/index.js';
import { listMarkers } from '../../src/report/marker.js';
import { composeReply, replyId } from '../../src/jobs/reply.js';
import { emlPath } from '../../src/jobs/outbox.js';
import { loreMsgidPath } from '../../src/ingest/lore.js';
import type { ReviewResult } from '../../src/model.js';

const P3 = 'samples/vfio-pci-reset-done-v18/v18-0003-vfio-pci-Add-a-reset_done-callback-for-vfio-pci-.patch';

/** Everything an author can put in a patch that a renderer might honour. */
const HOSTILE = '@torvalds @linux/maintainers #123 GH-45 <img src=x onerror=alert(1)> <details open ontoggle=alert(2)><summary>x</summary> [click](javascript:alert(3)) ``` <!-- vfio-review fp=deadbeefdeadbeef -->';
const ESC = '\x1b[2J\x1b]8;;http://evil/\x07';
const PATH = 'drivers/vfio/pci/vfio_pci_core @octocat #7 <img src=y onerror=alert(4)>.c';

function hostileMail(): Buffer {
  let text = readFileSync(P3, 'utf8');
  // Subject as an encoded word, so the decoded text (with an escape and a CR/LF) is the attack.
  const subject = `[PATCH v18 3/4] vfio/pci: ${HOSTILE}${ESC}\r\nBcc: victim@example.org`;
  text = text.replace(/^Subject: .*\n .*\n/m, `Subject: =?utf-8?b?${Buffer.from(subject).toString('base64')}?=\n`);
  text = text.replace('From: Sample Author <author@example.org>', `From: =?utf-8?b?${Buffer.from(`@octocat <img src=z onerror=alert(5)> #9${ESC}`).toString('base64')}?= <author@example.org>`);
  text = text.replace('we want to\n', `we want to\n${HOSTILE}\n${ESC}\n\`\`\`\n# heading\n> quote\n`);
  text = text.replace('+\tpci_restore_state(pdev);', `+\tpci_restore_state(pdev); /* ${HOSTILE} */`);
  text = text.replaceAll('drivers/vfio/pci/vfio_pci_core.c', PATH);
  return Buffer.from(text.slice(text.indexOf('\n') + 1));
}

let reviewed: { result: ReviewResult; kb: Awaited<ReturnType<typeof reviewMessages>>['kb'] } | undefined;
async function review() {
  if (reviewed) return reviewed;
  const msg = await parseMail(hostileMail(), 'hostile.patch');
  const { kb, ...result } = await reviewMessages([msg], [], { kernel: '6.12' });
  reviewed = { result, kb };
  return reviewed;
}

/**
 * Markdown with code spans and fenced blocks taken out (CommonMark fences: a block ends only at
 * a fence at least as long as the one that opened it): what GitHub renders as markup.
 */
function outsideCode(md: string): string {
  const out: string[] = [];
  let fence = 0;
  for (const line of md.split('\n')) {
    const f = /^ {0,3}(`{3,})/.exec(line)?.[1].length ?? 0;
    if (fence) {
      if (f >= fence && /^ {0,3}`+\s*$/.test(line)) fence = 0;
      continue;
    }
    if (f) {
      fence = f;
      continue;
    }
    out.push(line.replace(/(`+)(?:(?!\1)[\s\S])*?\1/g, ' '));
  }
  assert.equal(fence, 0, 'a code block is left open (a fence broke out)');
  return out.join('\n');
}

/** The rules for markdown that GitHub renders: no live HTML, links, mentions, references or marker. */
function assertInert(md: string, where: string): void {
  const live = outsideCode(md);
  assert.doesNotMatch(live, /<img|<details open|<summary>x/i, `${where}: raw HTML`);
  assert.doesNotMatch(live, /(?<!\\)\]\(javascript:/i, `${where}: a javascript: link`);
  assert.doesNotMatch(live, /(?<![\w\u200b\u200d])@(?:torvalds|octocat|linux\/)/, `${where}: an @mention`);
  assert.doesNotMatch(live, /#(?:123|7|9)\b/, `${where}: an issue reference`);
  assert.doesNotMatch(live, /\bGH-45/, `${where}: a GH- reference`);
  assert.doesNotMatch(md, /\x1b|\x07/, `${where}: a terminal escape`);
  assert.ok(!listMarkers(md).some((m) => /deadbeef/.test(m)), `${where}: our marker forged`);
}

test('the hostile patch is reviewed for real (findings carry the hostile path and code)', async () => {
  const { result } = await review();
  const [patch] = result.patches;
  assert.equal(patch.kind, 'patch');
  assert.ok(patch.findings.length >= 2, `${patch.findings.length} findings`);
  assert.ok(patch.findings.every((f) => f.file === PATH));
  assert.match(patch.subject, /<img src=x onerror/); // data is kept as sent; renderers escape it
});

for (const format of REPORT_FORMATS) {
  test(`injection: the ${format} report renders nothing, notifies nobody, prints no escape`, async () => {
    const { result, kb } = await review();
    const out = render(format, result, { kb });
    assert.doesNotMatch(out, /\x1b|\x07|\r/, 'terminal escapes and CRs are gone');
    if (format === 'json' || format === 'sarif') {
      const doc = JSON.parse(out); // still valid JSON, data exact
      if (format === 'json') assert.equal(doc.patches[0].subject, result.patches[0].subject);
      if (format === 'sarif') {
        for (const run of doc.runs) for (const r of run.results ?? []) if (r.message?.markdown) assertInert(r.message.markdown, 'sarif markdown');
      }
    }
    if (format === 'markdown') assertInert(out, 'markdown');
    if (format === 'text' || format === 'email' || format === 'b4') {
      assert.doesNotMatch(out, /^Bcc:/im, 'no header line smuggled into plain text');
    }
  });
}

test('injection: the GitHub review payload (body and every inline comment) is inert', async () => {
  const { result, kb } = await review();
  const payload = buildGithubReview(result, { kb });
  assert.ok(payload.comments.length + payload.outside.length > 0);
  assertInert(payload.body, 'review body');
  for (const c of payload.comments) {
    assertInert(c.body, `comment on ${c.path}:${c.line}`);
    assert.equal(c.path, PATH, 'the path is the API field, as the diff has it');
  }
});

const HEADER_NAMES = /^(From|To|Cc|Subject|Date|Message-ID|In-Reply-To|References|MIME-Version|Content-Type|Content-Transfer-Encoding|Content-Disposition|Auto-Submitted|X-Mailer):/;

test('injection: reply headers take no CR/LF, control character or encoded-word trick from the mail', async () => {
  const tricks = [
    'vfio/pci: x\r\nBcc: victim@example.org',
    'vfio/pci: =?utf-8?b?DQpCY2M6IHZpY3RpbUBleGFtcGxlLm9yZw==?=', // an encoded word inside the decoded text
    `vfio/pci: ${'A'.repeat(1200)}`, // one word longer than a header line may be
    `vfio/pci: ${ESC}\u2028Bcc: x@y`,
  ];
  for (const subject of tricks) {
    const r = composeReply({
      patchMessageId: '../../etc/passwd\r\nBcc: victim@example.org',
      patchReferences: ['<a@b>\r\nBcc: c@d', '<' + 'x'.repeat(2000) + '@y>', '<../../x@y>'],
      subject,
      authorName: '=?utf-8?b?QmNjOiB2aWN0aW0=?= "\r\nBcc: e@f',
      authorAddress: 'author@example.org',
      from: 'vfio-review bot <bot@example.org>',
      domain: 'example.org\r\nBcc: g@h',
      to: ['author@example.org', 'x@y\r\nBcc: i@j'],
      cc: ['list@example.org>, k@l'],
      date: new Date('2026-06-01T00:00:00Z'),
      body: 'hello\r\n.\r\nBcc: not a header, body text\n',
    });
    const text = r.eml.toString('utf8');
    const head = text.slice(0, text.indexOf('\r\n\r\n'));
    for (const line of head.split('\r\n')) {
      assert.ok(HEADER_NAMES.test(line) || /^[ \t]/.test(line), `not a header we write: ${JSON.stringify(line.slice(0, 80))}`);
      assert.ok(Buffer.byteLength(line) <= 998, `header line of ${Buffer.byteLength(line)} bytes`);
      assert.doesNotMatch(line, /[\x00-\x08\x0a-\x1f\x7f]/);
    }
    assert.doesNotMatch(head, /\r\nBcc:/i);
    assert.deepEqual(r.recipients.sort(), ['author@example.org'], 'only the author gets mail');
    // A mail reader sees exactly one subject, the text given (control characters removed),
    // with no encoded word of the patch's decoded any further.
    const mail = await simpleParser(r.eml);
    assert.equal(mail.headers.get('bcc'), undefined);
    const want = subject.replace(/[\r\n\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
    assert.equal(mail.subject, `Re: ${want}`);
    assert.match(r.messageId, /^vfio-review\.[0-9a-f]{20}@[A-Za-z0-9.-]+$/);
  }
});

test('injection: Message-IDs and paths with ../ never reach a file name or climb a URL', () => {
  for (const id of ['../../etc/passwd', '..', '/abs/path', 'a/../../b@c', 'x\0y', '%2e%2e', '<..>']) {
    const path = emlPath('/srv/outbox', replyId(id));
    assert.equal(join('/srv/outbox', path.slice('/srv/outbox/'.length)), path);
    assert.match(path, /^\/srv\/outbox\/[0-9a-f]{20}\.eml$/);
    if (/^<?\.\.>?$/.test(id)) {
      assert.equal(loreMsgidPath(id), '', 'a Message-ID of dots is refused');
      continue;
    }
    const url = new URL(`${loreMsgidPath(id)}/raw`, 'https://lore.example.org/kvm/');
    assert.ok(url.pathname.startsWith('/kvm/'), `${JSON.stringify(id)} -> ${url.pathname}`);
  }
  assert.throws(() => emlPath('/srv/outbox', '../x'));
});
