// Posting reviews (src/post/github.ts) against the fake GitHub server, through real
// @octokit/rest with the retry and throttling plugins; payloads are written here so these
// tests do not depend on the rules.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from '../../src/post/octokit.js';
import { postReview, ReadOnlyTokenError, type PostInput } from '../../src/post/github.js';
import { fingerprintMarker, type ReviewComment } from '../../src/report/github.js';
import { neutralize } from '../../src/post/text.js';
import { startSample, stopSample, TOKEN, READ_TOKEN, HEAD_SHA, commitChange } from '../support/fake-github-action.js';
import type { FakeGitHub } from '../support/fake-github.js';

const FILE = 'drivers/vfio/pci/vfio_pci_core.c';
// Lines of v18 3/4's post-image: 2286 opens vfio_pci_core_aer_reset_done, 2293 loads the
// saved state, 2294 restores it, 2369 wires .reset_done.
const note = (fp: string, line: number, text = `note ${fp}`): ReviewComment => ({
  path: FILE,
  line,
  side: 'RIGHT',
  fingerprint: fp,
  body: `**${text}** @maintainer #12\n\n${fingerprintMarker(fp)}`,
});
const A = note('snapshot-stale-restore.0a1', 2294);
const B = note('snapshot-stale-tph.0b2', 2294);
const C = note('msix-memory-bit.0c3', 2293);
const FAR = note('kb-unknown-step.0d4', 120); // not in the diff

let gh: FakeGitHub;
let diff: string;
const target = () => ({ owner: gh.owner, repo: gh.repo, pullNumber: 42, headSha: gh.pulls.get(42)!.headSha });
const client = (token = TOKEN) => createClient({ token, baseUrl: gh.url, waitUnitMs: 1, retries: 3, maxWaitSeconds: 30 });
const input = (comments: ReviewComment[], outside: string[] = []): PostInput => ({ body: '## vfio-review\n\nsummary', comments, outside });
const post = (p: PostInput, token = TOKEN) => postReview(client(token), target(), p, { diff });

before(async () => {
  gh = await startSample();
});
after(async () => stopSample(gh));
beforeEach(async () => {
  gh.reviews.length = 0;
  gh.comments.length = 0;
  gh.requests.length = 0;
  gh.refusedAnchors.clear();
  gh.clearFaults();
  diff = (await client().rest.pulls.get({ owner: gh.owner, repo: gh.repo, pull_number: 42, mediaType: { format: 'diff' } })).data as unknown as string;
});

test('first run: one review, inline notes on their lines, at the head, out-of-diff note in the body', async () => {
  const out = await post(input([A, B, C, FAR], ['outside.fp']));
  assert.equal(gh.reviews.length, 1);
  const r = gh.reviews[0];
  assert.equal(r.commit_id, HEAD_SHA);
  assert.match(r.body, /Notes not placed on a line/);
  assert.match(r.body, /note kb-unknown-step/);
  assert.deepEqual(
    gh.liveComments().map((c) => [c.path, c.line, c.side, c.commit_id, c.pull_request_review_id]),
    [A, B, C].map((n) => [FILE, n.line, 'RIGHT', HEAD_SHA, r.id]),
  );
  assert.deepEqual(out.posted, [A, B, C].map((n) => n.fingerprint));
  assert.deepEqual(out.movedToBody, [FAR.fingerprint]);
  assert.equal(gh.count('POST', /\/reviews$/), 1, 'no 422 round trip: anchors were checked before posting');
  for (const c of gh.liveComments()) {
    assert.doesNotMatch(c.body, /@maintainer|#12/, 'no mention or issue link from the note text');
    assert.match(c.body, /@\u200bmaintainer #\u200b12/);
  }
});

test('second run on the same head posts nothing new', async () => {
  await post(input([A, B, C, FAR], ['outside.fp']));
  const before = gh.requests.length;
  const out = await post(input([A, B, C, FAR], ['outside.fp']));
  assert.equal(gh.reviews.length, 1);
  assert.equal(gh.liveComments().length, 3);
  assert.equal(out.reviewId, undefined);
  assert.deepEqual(out.kept.sort(), [A, B, C].map((n) => n.fingerprint).sort());
  const writes = gh.requests.slice(before).filter((r) => r.method !== 'GET');
  assert.deepEqual(writes, [], 'a re-run only reads');
});

test('a push that fixes one note marks it resolved, keeps the others, adds a new one', async () => {
  await post(input([A, B, C]));
  const [ca, cb, cc] = gh.liveComments();
  const sha = commitChange(gh, FILE, (t) => t.replace('\tpci_restore_state(pdev);\n}', '\tpci_restore_state(pdev);\n\t/* fixed */\n}'), 'fix');
  gh.pulls.get(42)!.headSha = sha;
  diff = gh.git('diff', `${gh.pulls.get(42)!.baseSha}...${sha}`);
  const D = note('new-note.0e5', 2296);
  const out = await post(input([A, C, D]));
  assert.deepEqual(out.resolved, [B.fingerprint]);
  assert.deepEqual(out.posted, [D.fingerprint]);
  assert.match(cb.body, /\*\*Resolved:\*\* vfio-review no longer reports this note at/);
  assert.match(cb.body, new RegExp(sha.slice(0, 12)));
  assert.ok(cb.body.includes(fingerprintMarker(B.fingerprint)), 'the fingerprint stays on the resolved comment');
  assert.equal(ca.body, neutralize(A.body), 'left alone');
  assert.equal(cc.body, neutralize(C.body), 'left alone');
  assert.equal(gh.reviews.length, 2);
  assert.equal(gh.liveComments().at(-1)!.commit_id, sha);
  // Undo the push for the other tests.
  gh.git('reset', '-q', '--hard', HEAD_SHA);
  gh.pulls.get(42)!.headSha = HEAD_SHA;
});

test('a note that comes back after being resolved is posted again', async () => {
  await post(input([A, B]));
  await post(input([A]));
  const out = await post(input([A, B]));
  assert.deepEqual(out.posted, [B.fingerprint]);
  assert.equal(gh.liveComments().filter((c) => c.body.includes(fingerprintMarker(B.fingerprint))).length, 2);
});

test('500 then success: one review', async () => {
  gh.inject({ method: 'POST', path: /\/pulls\/42\/reviews$/, status: 500 });
  await post(input([A, B]));
  assert.equal(gh.count('POST', /\/reviews$/), 2);
  assert.equal(gh.reviews.length, 1);
  assert.equal(gh.liveComments().length, 2);
});

test('a network reset while listing, then success', async () => {
  gh.inject({ method: 'GET', path: /\/pulls\/42\/comments$/, reset: true });
  await post(input([A]));
  assert.equal(gh.liveComments().length, 1);
});

test('primary rate limit (403, x-ratelimit-remaining 0) then success', async () => {
  const reset = String(Math.ceil(Date.now() / 1000) + 1);
  gh.inject({
    method: 'POST',
    path: /\/reviews$/,
    status: 403,
    headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset },
    body: { message: 'API rate limit exceeded for installation ID 1.' },
  });
  await post(input([A]));
  assert.equal(gh.reviews.length, 1);
  assert.equal(gh.count('POST', /\/reviews$/), 2);
});

test('secondary rate limit (403 and 429 with retry-after) then success', async () => {
  const body = { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' };
  gh.inject({ method: 'POST', path: /\/reviews$/, status: 403, headers: { 'retry-after': '2' }, body });
  gh.inject({ method: 'GET', path: /\/pulls\/42\/reviews$/, status: 429, headers: { 'retry-after': '1' }, body });
  await post(input([A]));
  assert.equal(gh.reviews.length, 1);
  assert.equal(gh.count('GET', /\/pulls\/42\/reviews$/), 2);
});

test('retries are bounded: a rate limit that does not lift fails the run instead of hanging', async () => {
  const body = { message: 'You have exceeded a secondary rate limit.' };
  gh.inject({ method: 'POST', path: /\/reviews$/, status: 403, headers: { 'retry-after': '3600' }, body, times: 10 });
  await assert.rejects(post(input([A])), (e: Error) => /secondary rate limit/.test(e.message) && !(e instanceof ReadOnlyTokenError));
  assert.equal(gh.count('POST', /\/reviews$/), 1);
  gh.requests.length = 0;
  gh.inject({ method: 'GET', path: /\/pulls\/42\/comments$/, status: 502, times: 10 });
  await assert.rejects(post(input([A])));
  assert.equal(gh.count('GET', /\/pulls\/42\/comments$/), 4, 'first try + 3 retries');
});

test('read-only token: ReadOnlyTokenError, nothing posted', async () => {
  await assert.rejects(post(input([A, B]), READ_TOKEN), ReadOnlyTokenError);
  assert.equal(gh.reviews.length, 0);
});

test('GitHub refuses one anchor (422): the others are posted, the refused one goes into the body', async () => {
  gh.refusedAnchors.add(`${FILE}:${C.line}`);
  const out = await post(input([A, C]));
  assert.equal(gh.count('POST', /\/reviews$/), 2, 'the full review, then the body alone');
  assert.deepEqual(out.posted, [A.fingerprint]);
  assert.deepEqual(out.movedToBody, [C.fingerprint]);
  assert.deepEqual(gh.liveComments().map((c) => c.line), [A.line]);
  const withBody = gh.reviews.find((r) => r.body.includes('Notes GitHub would not place on a line'));
  assert.ok(withBody && withBody.body.includes('note msix-memory-bit'), 'the refused note is in the review body');
});

test('concurrent runs do not double-post', async () => {
  // All three list before any posts: each believes it is first.
  gh.inject({ method: 'GET', path: /\/pulls\/42\/reviews$/, delayMs: 150, times: 3 });
  const outs = await Promise.all([post(input([A, B, C], ['o'])), post(input([A, B, C], ['o'])), post(input([A, B, C], ['o']))]);
  const live = gh.liveComments();
  assert.deepEqual(live.map((c) => c.line).sort(), [A, B, C].map((n) => n.line).sort());
  assert.equal(new Set(live.map((c) => c.pull_request_review_id)).size, 1, 'the survivors are the first review\'s');
  const summaries = gh.reviews.filter((r) => /review key=[0-9a-f]+ -->/.test(r.body));
  assert.equal(summaries.length, 1, 'later duplicate reviews are folded');
  assert.equal(gh.reviews.length, 3, 'all three runs posted');
  assert.equal(outs.reduce((n, o) => n + o.duplicatesRemoved, 0) >= 6, true, 'and their duplicates were removed');
  const again = await post(input([A, B, C], ['o']));
  assert.deepEqual(again.posted, []);
});

test('comments from other people, even with our marker, are not ours', async () => {
  gh.addToken('ghp_human', true, { login: 'alice', id: 7, type: 'User' });
  await post(input([A]), 'ghp_human');
  const out = await post(input([A]));
  assert.deepEqual(out.posted, [A.fingerprint]);
});

test('summary comment: a report cut at the size cap still carries its marker and is edited in place', async () => {
  const { upsertSummaryComment } = await import('../../src/post/summary-comment.js');
  gh.issueComments.length = 0;
  // Long enough to be capped, with the report's own marker at its very end (as the Action writes it).
  const long = `## vfio-review\n\n${'x'.repeat(70_000)}\n\n<!-- vfio-review:v1 summary -->\n`;
  const first = await upsertSummaryComment(client(), target(), long);
  const again = await upsertSummaryComment(client(), target(), long + 'changed\n');
  assert.equal(first.id, again.id, 'the second run edits the first comment');
  assert.equal(gh.issueComments.filter((c) => c.pull === 42).length, 1);
  assert.match(gh.issueComments[0].body, /<!-- vfio-review:v1 summary -->/);
});
