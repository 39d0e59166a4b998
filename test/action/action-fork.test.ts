// The Action end to end for read-only tokens: fork pull requests under pull_request (summary,
// annotations, artifact, then the workflow_run poster), pull_request_target, summary mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useSample, runAction, assertOk as ok, READ_TOKEN, HEAD_SHA, ROOT_SHA, FIXTURES } from '../support/fake-github-action.js';

const { gh, assertRequiredNotes } = await useSample();

test('fork under pull_request: no failure, job summary + annotations + artifact; workflow_run posts it', async () => {
  const r = await runAction({ gh, event: 'pull_request.fork.opened.json', token: READ_TOKEN, inputs: { 'fail-on': 'none' } });
  ok(r);
  assert.equal(gh.count('POST', /./), 0, 'auto mode does not even try to write');
  assert.equal(r.outputs.posted, 'artifact');
  assert.match(r.stdout, /^::warning (title=[^,]*,)?file=drivers\/vfio\/pci\/vfio_pci_core\.c,line=\d+/m);
  assert.match(r.summary, /snapshot\/stale-tph/);
  assert.match(r.summary, /cannot write to this pull request/);
  const artifact = JSON.parse(await readFile(r.outputs['review-json'], 'utf8'));
  assert.equal(artifact.headSha, HEAD_SHA);

  const post = await runAction({
    gh,
    event: 'workflow_run.completed.json',
    eventName: 'workflow_run',
    inputs: { 'post-artifact': r.outputs['review-json'] },
  });
  ok(post);
  assert.equal(gh.reviews.length, 1);
  assertRequiredNotes();
});

test('the workflow_run poster refuses an artifact for another commit', async () => {
  const r = await runAction({ gh, event: 'pull_request.fork.opened.json', token: READ_TOKEN });
  ok(r);
  const ev = JSON.parse(await readFile(join(FIXTURES, 'workflow_run.completed.json'), 'utf8'));
  ev.workflow_run.head_sha = ROOT_SHA;
  const post = await runAction({ gh, event: ev, eventName: 'workflow_run', inputs: { 'post-artifact': r.outputs['review-json'] } });
  assert.equal(post.code, 1);
  assert.match(post.stdout, /::error::artifact is for 6526efa4/);
  assert.equal(gh.reviews.length, 0);
});

test('read-only token in review mode: the 403 falls back without failing', async () => {
  const r = await runAction({ gh, event: 'pull_request.opened.json', token: READ_TOKEN, inputs: { mode: 'review' } });
  ok(r);
  assert.equal(gh.count('POST', /\/reviews$/), 1, 'tried once');
  assert.equal(gh.reviews.length, 0);
  assert.equal(r.outputs.posted, 'artifact');
  assert.match(r.stdout, /^::warning /m);
});

test('pull_request_target from a fork posts the review (write token, API only)', async () => {
  const r = await runAction({ gh, event: 'pull_request_target.fork.opened.json' });
  ok(r);
  assert.equal(gh.reviews.length, 1);
  assertRequiredNotes();
});

test('summary mode: one pull request comment, edited in place', async () => {
  ok(await runAction({ gh, event: 'pull_request.opened.json', inputs: { mode: 'summary' } }));
  ok(await runAction({ gh, event: 'pull_request.synchronize.json', inputs: { mode: 'summary' } }));
  assert.equal(gh.issueComments.length, 1);
  assert.equal(gh.reviews.length, 0);
  assert.match(gh.issueComments[0].body, /SNAPSHOT_STALE_RESTORE/);
  assert.equal(gh.issueComments[0].body.split('<!-- vfio-review:v1 summary -->').length, 2, 'one marker');
});
