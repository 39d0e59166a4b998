// The Action end to end: a child process run the way the runner runs it (INPUT_*, GITHUB_*,
// an event file), the real pipeline on the vfio-pci reset_done sample, real @octokit/rest,
// against the fake GitHub server backed by the sample repository.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  startSample,
  stopSample,
  runAction,
  bundlePath,
  commitChange,
  TOKEN,
  READ_TOKEN,
  HEAD_SHA,
  BASE_SHA,
  ROOT_SHA,
  SERIES_SHA,
  FIXTURES,
  type ActionRun,
} from '../support/fake-github-action.js';
import type { FakeGitHub } from '../support/fake-github.js';

const FILE = 'drivers/vfio/pci/vfio_pci_core.c';
const FN_LINES = [2286, 2296]; // vfio_pci_core_aer_reset_done() in v18 3/4's post-image
const REQUIRED = ['snapshot/stale-restore', 'snapshot/stale-tph', 'msix/memory-bit'];

let gh: FakeGitHub;
before(async () => {
  gh = await startSample();
});
after(async () => stopSample(gh));
beforeEach(() => {
  gh.reviews.length = 0;
  gh.comments.length = 0;
  gh.issueComments.length = 0;
  gh.requests.length = 0;
  gh.clearFaults();
  gh.git('reset', '-q', '--hard', HEAD_SHA);
  gh.pulls.get(42)!.headSha = HEAD_SHA;
});

const ruleOf = (body: string) => /\(`([a-z-]+\/[a-z-]+)`\)/.exec(body)?.[1];
const ok = (r: ActionRun) => assert.equal(r.code, 0, `exit ${r.code}\n${r.stdout}\n${r.stderr}`);

function assertRequiredNotes(): void {
  const live = gh.liveComments(42);
  for (const rule of REQUIRED) {
    const c = live.find((x) => ruleOf(x.body) === rule);
    assert.ok(c, `an inline note for ${rule}; got ${live.map((x) => ruleOf(x.body)).join(', ')}`);
    assert.equal(c.path, FILE);
    assert.equal(c.side, 'RIGHT');
    assert.ok(c.line >= FN_LINES[0] && c.line <= FN_LINES[1], `${rule} on line ${c.line}, inside vfio_pci_core_aer_reset_done()`);
    assert.match(c.body, /vfio\\?_pci\\?_core\\?_aer\\?_reset\\?_done/);
    assert.equal(c.commit_id, HEAD_SHA);
  }
}

test('the bundled dist/index.js posts one review with the three notes, and a second run nothing new', async (t) => {
  const bundle = bundlePath();
  assert.ok(bundle, 'dist/index.js exists (npm run build)');
  const first = await runAction({ gh, event: 'pull_request.opened.json', bundle });
  ok(first);
  assert.equal(gh.reviews.length, 1, 'one review');
  assert.equal(gh.reviews[0].commit_id, HEAD_SHA);
  assertRequiredNotes();
  assert.equal(first.outputs.posted, 'review');
  assert.equal(Number(first.outputs['finding-count']), gh.liveComments(42).length);
  const sarif = JSON.parse(await readFile(first.outputs.sarif, 'utf8'));
  assert.equal(sarif.version, '2.1.0');
  assert.match(first.summary, /snapshot\/stale-restore/);
  assert.match(first.summary, /Review \d+ posted with \d+ inline note/);

  const writesBefore = gh.requests.filter((r) => r.method !== 'GET').length;
  const second = await runAction({ gh, event: 'pull_request.synchronize.json', bundle });
  ok(second);
  assert.equal(gh.reviews.length, 1);
  assert.equal(gh.requests.filter((r) => r.method !== 'GET').length, writesBefore, 'the second run writes nothing');
  assert.match(second.summary, /No new review/);
  t.diagnostic(`inline notes: ${gh.liveComments(42).map((c) => `${ruleOf(c.body)}@${c.line}`).join(', ')}`);
});

test('never checks out or reads the head: contents are read at the base commit', async () => {
  ok(await runAction({ gh, event: 'pull_request.opened.json' }));
  const reads = gh.requests.filter((r) => r.path.includes('/contents/'));
  assert.ok(reads.length > 0, 'full-file analysis through the contents API');
  for (const r of reads) assert.match(r.url, new RegExp(`ref=${BASE_SHA}`));
});

test('a push that fixes one note resolves it and keeps the others', async () => {
  ok(await runAction({ gh, event: 'pull_request.opened.json' }));
  const before = gh.liveComments(42).map((c) => ({ id: c.id, rule: ruleOf(c.body), body: c.body }));
  assert.ok(before.some((c) => c.rule === 'snapshot/load-unchecked'), 'the unchecked pci_load_saved_state() note is there to fix');
  const sha = commitChange(
    gh,
    FILE,
    (t) => t.replace('\tpci_load_saved_state(pdev, vdev->pci_saved_state);\n', '\tif (pci_load_saved_state(pdev, vdev->pci_saved_state))\n\t\treturn;\n'),
    'vfio/pci: check pci_load_saved_state()',
  );
  gh.pulls.get(42)!.headSha = sha;
  const r = await runAction({ gh, event: 'pull_request.synchronize.json', headSha: sha });
  ok(r);
  for (const c of before) {
    const now = gh.comments.find((x) => x.id === c.id)!;
    if (c.rule === 'snapshot/load-unchecked') {
      assert.match(now.body, new RegExp(`\\*\\*Resolved:\\*\\* vfio-review no longer reports this note at ${sha.slice(0, 12)}`));
    } else {
      assert.equal(now.body, c.body, `${c.rule} still holds and is left alone`);
    }
  }
  assert.equal(gh.reviews.length, 1, 'nothing new to post');
  assert.match(r.summary, /1 marked resolved/);
});

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

test('concurrent runs on one pull request do not double-post', async () => {
  gh.inject({ method: 'GET', path: /\/pulls\/42\/reviews$/, delayMs: 400, times: 2 });
  const runs = await Promise.all([runAction({ gh, event: 'pull_request.opened.json' }), runAction({ gh, event: 'pull_request.synchronize.json' })]);
  runs.forEach(ok);
  const live = gh.liveComments(42);
  const rules = live.map((c) => ruleOf(c.body));
  assert.equal(new Set(rules).size, rules.length, `one comment per note: ${rules.join(', ')}`);
  assertRequiredNotes();
  const summaries = gh.reviews.filter((r) => /vfio-review:v1 review key=[0-9a-f]+ -->/.test(r.body));
  assert.equal(summaries.length, 1, 'one review body with the summary');
});

test('commits that touch vfio/pci separately: notes say which commit introduced them', async () => {
  gh.addPull({ number: 43, title: 'vfio/pci: AER reset_done (v18)', baseSha: ROOT_SHA, headSha: SERIES_SHA, baseRef: 'master', headRef: 'v18', headRepo: 'kernel-org/linux' });
  const ev = JSON.parse(await readFile(join(FIXTURES, 'pull_request.opened.json'), 'utf8'));
  ev.number = ev.pull_request.number = 43;
  ev.pull_request.head.sha = SERIES_SHA;
  const r = await runAction({ gh, event: ev, eventName: 'pull_request' });
  ok(r);
  const live = gh.liveComments(43);
  const tph = live.find((c) => ruleOf(c.body) === 'snapshot/stale-tph');
  assert.ok(tph, 'the series as a whole has the TPH note');
  assert.match(tph.body, /Introduced by 6526efa4ea8d/);
  assert.doesNotMatch(tph.body, /Introduced by [^.]*(4a138e66f612|09f0eb7dd449)/, 'not by the commits that do not add it');
});

test('fail-on: a warning fails the step when asked to', async () => {
  const r = await runAction({ gh, event: 'pull_request.opened.json', inputs: { 'fail-on': 'warning' } });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /::error::vfio-review: \d+ note\(s\), at least one at or above warning/);
  assert.equal(gh.reviews.length, 1, 'the review is posted before failing');
});

test('summary mode: one pull request comment, edited in place', async () => {
  ok(await runAction({ gh, event: 'pull_request.opened.json', inputs: { mode: 'summary' } }));
  ok(await runAction({ gh, event: 'pull_request.synchronize.json', inputs: { mode: 'summary' } }));
  assert.equal(gh.issueComments.length, 1);
  assert.equal(gh.reviews.length, 0);
  assert.match(gh.issueComments[0].body, /SNAPSHOT_STALE_RESTORE/);
  assert.equal(gh.issueComments[0].body.split('<!-- vfio-review:v1 summary -->').length, 2, 'one marker');
});

test('other events are not an error', async () => {
  const r = await runAction({ gh, event: { ref: 'refs/heads/master' }, eventName: 'push' });
  ok(r);
  assert.match(r.stdout, /::warning::vfio-review reviews pull requests/);
  assert.equal(gh.requests.length, 0);
});

void TOKEN;
