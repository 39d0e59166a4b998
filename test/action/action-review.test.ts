// The Action end to end (review, re-runs, pushes, commits, concurrency): a child process run
// the way the runner runs it (INPUT_*, GITHUB_*, an event file), the real pipeline on the
// vfio-pci reset_done sample, real @octokit/rest, against the fake GitHub server.
import { parseMarker } from '../../src/report/github.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  useSample, runAction, bundlePath, commitChange, assertOk as ok, ruleOf,
  HEAD_SHA, BASE_SHA, ROOT_SHA, SERIES_SHA, FIXTURES, SAMPLE_FILE as FILE,
} from '../support/fake-github-action.js';

const { gh, assertRequiredNotes } = await useSample();

test('the bundled dist/index.js posts one review with the three notes, and a second run nothing new', async (t) => {
  const bundle = bundlePath();
  assert.ok(bundle, 'dist/index.js exists (npm run build)');
  const first = await runAction({ gh, event: 'pull_request.opened.json', bundle });
  ok(first);
  assert.equal(gh.reviews.length, 1, 'one review');
  assert.equal(gh.reviews[0].commit_id, HEAD_SHA);
  assertRequiredNotes();
  assert.equal(first.outputs.posted, 'review');
  for (const text of [gh.reviews[0].body, ...gh.liveComments(42).map((c) => c.body)]) {
    assert.doesNotMatch(text, /(^|[^\w`])@[A-Za-z]/m, 'no @mention');
    assert.doesNotMatch(text, /(^|\s)#\d/m, 'no #123 reference');
  }
  const sarif = JSON.parse(await readFile(first.outputs.sarif, 'utf8'));
  assert.equal(sarif.version, '2.1.0');
  // Every finding counts and is a SARIF result; findings with one cause share one comment.
  assert.equal(Number(first.outputs['finding-count']), sarif.runs[0].results.length);
  assert.equal(gh.liveComments(42).length, 1, 'one comment for the one cause');
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

test('a push that fixes one point of a cause edits that comment; the others are left alone', async () => {
  ok(await runAction({ gh, event: 'pull_request.opened.json' }));
  const before = gh.liveComments(42).map((c) => ({ id: c.id, body: c.body }));
  const cause = before.find((c) => c.body.includes('`snapshot/load-unchecked`'));
  assert.ok(cause, 'the unchecked pci_load_saved_state() point is there to fix');
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
    if (c === cause) {
      assert.ok(!now.body.includes('snapshot/load-unchecked'), 'the fixed point is gone from the note');
      assert.ok(now.body.includes('`snapshot/stale-tph`'), 'the points that still hold stay');
      assert.equal(parseMarker(now.body), parseMarker(c.body), 'same note, edited in place');
    } else {
      assert.equal(now.body, c.body, 'a cause that still holds unchanged is left alone');
    }
  }
  assert.equal(gh.reviews.length, 1, 'nothing new to post');
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
  const tph = live.find((c) => ruleOf(c.body) === 'snapshot/stale-tph' || c.body.includes('`snapshot/stale-tph`'));
  assert.ok(tph, 'the series as a whole has the TPH note');
  assert.match(tph.body, /Introduced by 6526efa4ea8d/);
  assert.doesNotMatch(tph.body, /Introduced by [^.]*(4a138e66f612|09f0eb7dd449)/, 'not by the commits that do not add it');
});

test('a benign pull request (v18 1/4, guard(rcu)) gets no review at all', async () => {
  gh.addPull({ number: 45, title: 'vfio/pci: Use guard(rcu)', baseSha: ROOT_SHA, headSha: '4a138e66f612a77edde63e6ab0a8deb6396278c3', baseRef: 'master', headRef: 'rcu', headRepo: 'kernel-org/linux' });
  const ev = JSON.parse(await readFile(join(FIXTURES, 'pull_request.opened.json'), 'utf8'));
  ev.number = ev.pull_request.number = 45;
  ev.pull_request.head.sha = '4a138e66f612a77edde63e6ab0a8deb6396278c3';
  const r = await runAction({ gh, event: ev, eventName: 'pull_request', inputs: { 'fail-on': 'check' } });
  ok(r);
  assert.equal(r.outputs['finding-count'], '0');
  assert.equal(gh.reviews.length, 0, 'no noise');
  assert.equal(gh.count('POST', /./), 0);
  assert.match(r.summary, /No new review/);
});
