// Subject tags, threading, ordering and version grouping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { collectMessages, parseSubject, threadMessages } from '../../src/ingest/index.js';
import type { Message } from '../../src/model.js';
import { project } from './golden.js';

const FIX = 'test/fixtures/mail';

test('subject tags', () => {
  const cases: [string, unknown][] = [
    ['[PATCH] vfio/pci: x', { reply: false, title: 'vfio/pci: x', series: { version: 1, index: 1, total: 1, prefixes: ['PATCH'], title: 'vfio/pci: x' } }],
    ['[PATCH v18 3/4] vfio/pci: Add a reset_done callback', { reply: false, title: 'vfio/pci: Add a reset_done callback', series: { version: 18, index: 3, total: 4, prefixes: ['PATCH'], title: 'vfio/pci: Add a reset_done callback' } }],
    ['[RFC PATCH net-next v2 0/7] Cover', { reply: false, title: 'Cover', series: { version: 2, index: 0, total: 7, prefixes: ['RFC', 'PATCH', 'net-next'], title: 'Cover' } }],
    ['[PATCH RESEND v3 02/10] x', { reply: false, title: 'x', series: { version: 3, index: 2, total: 10, prefixes: ['PATCH', 'RESEND'], resend: true, title: 'x' } }],
    ['[PATCHv4 1/2] x', { reply: false, title: 'x', series: { version: 4, index: 1, total: 2, prefixes: ['PATCH'], title: 'x' } }],
    ['Re: [PATCH v18 3/4] x', { reply: true, title: 'x', series: { version: 18, index: 3, total: 4, prefixes: ['PATCH'], title: 'x' } }],
    ['RE: Re: AW: [PATCH] x', { reply: true, title: 'x', series: { version: 1, index: 1, total: 1, prefixes: ['PATCH'], title: 'x' } }],
    ['[PATCH 5.15 1/2] [net] x', { reply: false, title: 'x', series: { version: 1, index: 1, total: 2, prefixes: ['PATCH', '5.15', 'net'], title: 'x' } }],
    ['vfio: no tags', { reply: false, title: 'vfio: no tags' }],
  ];
  for (const [subject, want] of cases) assert.deepEqual(parseSubject(subject), want, subject);
});

test('v1 (no cover) and v2 (cover) of one series: versions grouped, oldest first, parts by index, reply last', async () => {
  // v2 given first, the reply before v1: the order must come from the series, not the inputs.
  const r = await collectMessages([`${FIX}/series-v2.mbox.gz`, `${FIX}/reply.eml`, `${FIX}/series-v1.mbox`]);
  const want = JSON.parse(readFileSync(`${FIX}/golden/series-v1-v2.json`, 'utf8'));
  assert.deepEqual(JSON.parse(JSON.stringify({ messages: r.messages.map(project), errors: r.errors })), want);
  const keys = [...new Set(r.messages.map((m) => m.seriesKey))];
  assert.equal(keys.length, 2);
  assert.ok(keys[0]!.endsWith(' v1') && keys[1]!.endsWith(' v2'));
  assert.equal(keys[0]!.slice(0, -3), keys[1]!.slice(0, -3), 'one series, two versions');
});

test('the Maildir holds the v2 series: threaded under its cover letter', async () => {
  const r = await collectMessages([`${FIX}/maildir`]);
  const want = JSON.parse(readFileSync(`${FIX}/golden/maildir.json`, 'utf8'));
  assert.deepEqual(JSON.parse(JSON.stringify({ messages: r.messages.map(project), errors: r.errors })), want);
});

function mail(id: string, subject: string, extra: Partial<Message> = {}): Message {
  return { source: id, messageId: id, subject, fromAddress: 'a@b', references: [], to: [], cc: [], body: '', attachments: [], ...extra };
}

test('parts arriving out of order are put in order; deep threading (each part replies to the previous) too', () => {
  const cover = mail('c', '[PATCH v3 0/3] S');
  const p1 = mail('p1', '[PATCH v3 1/3] a', { inReplyTo: 'c', references: ['c'] });
  const p2 = mail('p2', '[PATCH v3 2/3] b', { inReplyTo: 'p1', references: ['c', 'p1'] });
  const p3 = mail('p3', '[PATCH v3 3/3] c', { inReplyTo: 'p2', references: ['c', 'p1', 'p2'] });
  const out = threadMessages([p3, p1, cover, p2]);
  assert.deepEqual(out.map((m) => m.messageId), ['c', 'p1', 'p2', 'p3']);
  assert.equal(new Set(out.map((m) => m.seriesKey)).size, 1);
});

test('two series by different authors with the same title stay apart; duplicates are dropped', () => {
  const a1 = mail('a1', '[PATCH] fix', { fromAddress: 'a@x' });
  const b1 = mail('b1', '[PATCH] fix', { fromAddress: 'b@x' });
  const out = threadMessages([a1, b1, { ...a1, source: 'again' }]);
  assert.equal(out.length, 2);
  assert.notEqual(out[0].seriesKey, out[1].seriesKey);
});

test('unthreaded numbered parts (a git range, format-patch without --thread) group by author and version', () => {
  const p2 = mail('x2', '[PATCH 2/2] b', { messageId: undefined });
  const p1 = mail('x1', '[PATCH 1/2] a', { messageId: undefined });
  const other = mail('o', '[PATCH] unrelated', { messageId: undefined, fromAddress: 'z@z' });
  const out = threadMessages([p2, other, p1]);
  assert.deepEqual(out.map((m) => m.source), ['x1', 'x2', 'o']);
  assert.equal(out[0].seriesKey, out[1].seriesKey);
  assert.notEqual(out[0].seriesKey, out[2].seriesKey);
});

test('b4 change-id ties versions whose titles changed', () => {
  const v1 = mail('v1c', '[PATCH 0/2] Old title', { body: 'blurb\n\n---\nchange-id: 20260101-foo-1234\n' });
  const v2 = mail('v2c', '[PATCH v2 0/2] New title', { body: 'blurb\n\n---\nchange-id: 20260101-foo-1234\n' });
  const out = threadMessages([v2, v1]);
  assert.deepEqual(out.map((m) => m.messageId), ['v1c', 'v2c']);
  assert.equal(out[0].seriesKey!.replace(/ v1$/, ''), out[1].seriesKey!.replace(/ v2$/, ''));
});
