// The Action end to end under failures: 5xx, resets, rate limits, a 406 on the diff, a server
// echoing the token; and the step's exit status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { useSample, runAction, assertOk as ok, TOKEN } from '../support/fake-github-action.js';

const { gh, assertRequiredNotes } = await useSample();

test('500 then success, and rate-limited then success', async () => {
  gh.inject({ method: 'GET', path: /\/pulls\/42$/, status: 500 });
  gh.inject({ method: 'GET', path: /\/contents\//, reset: true });
  gh.inject({
    method: 'POST',
    path: /\/pulls\/42\/reviews$/,
    status: 429,
    headers: { 'retry-after': '1' },
    body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' },
  });
  gh.inject({
    method: 'GET',
    path: /\/pulls\/42\/comments$/,
    status: 403,
    headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000)) },
    body: { message: 'API rate limit exceeded for installation ID 1.' },
  });
  const r = await runAction({ gh, event: 'pull_request.opened.json' });
  ok(r);
  assert.equal(gh.reviews.length, 1);
  assert.equal(gh.count('POST', /\/reviews$/), 2);
  assertRequiredNotes();
});

test('a diff too large for the diff media type (406) is rebuilt from the files list', async () => {
  gh.inject({ method: 'GET', path: /\/pulls\/42$/, accept: /diff/, status: 406, times: 5, body: { message: 'Sorry, the diff exceeded the maximum number of files (300).' } });
  ok(await runAction({ gh, event: 'pull_request.opened.json' }));
  assert.equal(gh.count('GET', /\/pulls\/42\/files$/), 1);
  assert.equal(gh.requests.filter((r) => r.status === 406).length, 1, 'a 406 is not retried');
  assertRequiredNotes();
});

test('the token never appears in logs, outputs, summary or files', async () => {
  // A hostile or buggy server echoing the credentials in its error message.
  gh.inject({ method: 'GET', path: /\/pulls\/42$/, status: 500, times: 10, body: { message: `internal error for token ${TOKEN}` } });
  const failed = await runAction({ gh, event: 'pull_request.opened.json' });
  assert.equal(failed.code, 1);
  assert.match(failed.stdout, /::error::/);
  gh.clearFaults();
  const good = await runAction({ gh, event: 'pull_request.opened.json' });
  ok(good);
  for (const r of [failed, good]) {
    const out = r.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::'));
    assert.equal(r.stdout.split('\n').filter((l) => l === `::add-mask::${TOKEN}`).length, 1, 'masked for the runner');
    assert.ok(!out.join('\n').includes(TOKEN), 'stdout');
    assert.ok(!r.stderr.includes(TOKEN), 'stderr');
    assert.ok(!r.summary.includes(TOKEN), 'job summary');
    assert.ok(!JSON.stringify(r.outputs).includes(TOKEN), 'outputs');
  }
  assert.ok(!(await readFile(good.outputs['review-json'], 'utf8')).includes(TOKEN), 'artifact');
  assert.ok(!(await readFile(good.outputs.sarif, 'utf8')).includes(TOKEN), 'sarif');
  for (const x of [...gh.reviews.map((r) => r.body), ...gh.comments.map((c) => c.body)]) assert.ok(!x.includes(TOKEN));
});

test('fail-on: a warning fails the step when asked to', async () => {
  const r = await runAction({ gh, event: 'pull_request.opened.json', inputs: { 'fail-on': 'warning' } });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /::error::vfio-review: \d+ note\(s\), at least one at or above warning/);
  assert.equal(gh.reviews.length, 1, 'the review is posted before failing');
});

test('other events are not an error', async () => {
  const r = await runAction({ gh, event: { ref: 'refs/heads/master' }, eventName: 'push' });
  ok(r);
  assert.match(r.stdout, /::warning::vfio-review reviews pull requests/);
  assert.equal(gh.requests.length, 0);
});

