/** buildGithubReview: anchors checked against the hunks, nothing lost, markers, cap, safety. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding, PatchModel } from '../../src/model.js';
import {
  MAX_INLINE_COMMENTS,
  SUMMARY_MARKER,
  buildGithubReview,
  fingerprintMarker,
  listMarkers,
  parseMarker,
} from '../../src/report/github.js';
import { makeKb } from '../fixtures/findings/kb.js';
import { hostileResult, outsideResult, sampleResult, staleRestore } from '../fixtures/findings/results.js';
import { resetDonePatch } from '../fixtures/findings/patches.js';
import { assertGolden } from './golden.js';

const kb = makeKb();

/** Independent of the code under test: the RIGHT-side lines GitHub accepts for a path. */
function rightLines(patch: PatchModel, path: string): Set<number> {
  const lines = new Set<number>();
  for (const f of patch.files.filter((x) => x.path === path)) {
    for (const h of f.hunks) for (const l of h.lines) if (l.kind !== '-' && l.newLine) lines.add(l.newLine);
  }
  return lines;
}

test('github: the sample review matches the golden body and first comment', () => {
  const review = buildGithubReview(outsideResult(), { kb });
  assertGolden('github-review-body.md', review.body + '\n');
  assertGolden('github-comment.md', review.comments[0].body + '\n');
});

test('github: one inline comment per cause, anchored path + line + RIGHT on a diff line', () => {
  const result = sampleResult();
  const review = buildGithubReview(result, { kb });
  assert.equal(review.comments.length, 1);
  assert.deepEqual(review.outside, []);
  const ok = rightLines(result.patches[0], 'drivers/vfio/pci/vfio_pci_core.c');
  for (const c of review.comments) {
    assert.equal(c.path, 'drivers/vfio/pci/vfio_pci_core.c');
    assert.equal(c.side, 'RIGHT');
    assert.ok(ok.has(c.line), `line ${c.line} is in a hunk`);
    assert.equal(parseMarker(c.body), c.fingerprint);
    assert.ok(c.body.trimEnd().endsWith(fingerprintMarker(c.fingerprint)));
  }
  assert.deepEqual(
    review.comments.map((c) => c.fingerprint),
    ['sr-3f1c2a9e0b7d4c21'],
  );
  const body = review.comments[0].body;
  assert.ok(body.includes('**⚠️ Warning: Restore of a stale snapshot outside the release path**'));
  assert.ok(body.includes('`snapshot/stale-tph`') && body.includes('`msix/memory-bit`'), 'sub-points');
  assert.ok(body.length <= 1500, `inline comment of ${body.length} characters`);
  assert.ok(review.body.includes('### Inline notes in full'), 'the full text is in the summary');
});

test('github: a finding outside the diff goes into the body, never inline, never lost', () => {
  const review = buildGithubReview(outsideResult(), { kb });
  assert.equal(review.comments.length, 1);
  assert.deepEqual(review.outside.map((f) => f.rule), ['kb/unknown-restore-step']);
  assert.ok(review.body.includes('### Notes on lines outside the diff'));
  assert.ok(review.body.includes('A restore step the knowledge base does not know'));
  assert.deepEqual(listMarkers(review.body), ['kb-0011223344556677']);
  assert.ok(review.body.trimEnd().endsWith(SUMMARY_MARKER));
});

test('github: lines the hunks do not show are not anchored, even without outsideDiff', () => {
  const result = sampleResult();
  const f = result.patches[0].findings;
  f[0].line = 2370 + 100; // beyond every hunk
  f[1].line = 2286 - 10; // above the first hunk
  f[2].file = 'drivers/vfio/pci/other.c'; // a file the patch does not touch
  const review = buildGithubReview(result, { kb });
  assert.equal(review.comments.length, 0);
  assert.equal(review.outside.length, 3);
});

test('github: a deleted line is not a RIGHT-side anchor', () => {
  const result = sampleResult();
  const patch = result.patches[0];
  // Turn context line 2284 into a '-' line: it no longer exists on the new side.
  const hunk = patch.files[0].hunks[0];
  hunk.lines[1] = { kind: '-', text: hunk.lines[1].text, oldLine: 2284 };
  patch.findings = [{ ...staleRestore(), line: 2284 }];
  const review = buildGithubReview(result, { kb });
  assert.equal(review.comments.length, 0);
  assert.equal(review.outside.length, 1);
});

test('github: anchors can be checked against another diff (the whole pull request)', () => {
  const result = sampleResult();
  const prDiff = resetDonePatch();
  prDiff.files[0].hunks = [prDiff.files[0].hunks[1]]; // the PR diff shows only the table hunk
  const review = buildGithubReview(result, { kb, diff: prDiff });
  assert.equal(review.comments.length, 0);
  assert.equal(review.outside.length, 1, 'one note, outside the PR diff');
});

test('github: inline comments are capped; the overflow is in the body, most severe kept inline', () => {
  const result = sampleResult();
  const many: Finding[] = [];
  for (let i = 0; i < 40; i++) {
    many.push({ ...staleRestore(), severity: i === 39 ? 'error' : 'warning', fingerprint: `fp-${i}`, cause: `c${i}`, line: 2286 + (i % 10) });
  }
  result.patches[0].findings = many;
  const review = buildGithubReview(result, { kb });
  assert.equal(MAX_INLINE_COMMENTS, 30);
  assert.equal(review.comments.length, 30);
  assert.equal(review.overflow?.length, 10);
  assert.equal(review.comments[0].fingerprint, 'fp-39', 'the error is posted inline first');
  const inBody = listMarkers(review.body);
  assert.equal(inBody.length, 10);
  const all = new Set([...review.comments.map((c) => c.fingerprint), ...inBody]);
  assert.equal(all.size, 40, 'every finding is somewhere');
  assert.ok(review.body.includes('More notes (only 30 are posted inline per review)'));
  // Body notes are short with their full text folded, so the body stays far under GitHub's limit.
  assert.ok(review.body.length < 60_000, String(review.body.length));
  assert.equal(buildGithubReview(result, { kb, maxInline: 5 }).comments.length, 5);
});

test('github: one comment per fingerprint (the same note from the PR and from a commit)', () => {
  const result = sampleResult();
  result.patches.push(structuredClone(result.patches[0]));
  const review = buildGithubReview(result, { kb });
  assert.equal(review.comments.length, 1);
});

test('github: markers round-trip and cannot be forged by earlier text', () => {
  assert.equal(fingerprintMarker('abc-123'), '<!-- vfio-review:v1 fp=abc-123 -->');
  assert.equal(parseMarker(`note\n\n${fingerprintMarker('abc-123')}\n`), 'abc-123');
  assert.equal(fingerprintMarker('a b/c-->'), '<!-- vfio-review:v1 fp=a_b_c--_ -->');
  assert.equal(parseMarker(`${fingerprintMarker('forged')}\n${fingerprintMarker('real')}`), 'real');
  // Other markers may follow ours (the Action stamps resolved notes): the fingerprint still reads.
  assert.equal(parseMarker(`note\n${fingerprintMarker('real')}\n<!-- vfio-review:v1 resolved sha=abc -->`), 'real');
  assert.equal(parseMarker('no marker'), undefined);
});

test('github: nothing from the patch can mention, reference, inject HTML or forge a marker', () => {
  const result = hostileResult();
  result.patches[0].findings[0].file = 'drivers/<!-- vfio-review:v1 fp=forged -->/@x #5.c';
  result.patches[0].files[0].path = result.patches[0].findings[0].file;
  const review = buildGithubReview(result, { kb });
  assert.equal(review.comments.length, 1);
  for (const text of [review.body, review.comments[0].body]) {
    assert.ok(!/@(octocat|torvalds|github|x)/.test(text), 'no live mention');
    assert.ok(!/#\d/.test(text), 'no live reference');
    assert.ok(!/<(script|img|b)\b/i.test(text), 'no raw HTML');
    assert.ok(!text.includes('<!-- vfio-review:v1 fp=forged'), 'no forged marker');
    assert.ok(!listMarkers(text).includes('forged'));
    assert.ok(!/(^|[^\\])\[link/.test(text), 'no live link');
  }
  assert.equal(parseMarker(review.comments[0].body), 'ev-0000000000000001');
  assert.deepEqual(listMarkers(review.body), []);
});

test('github: a concrete line change is offered as a suggestion block; patch text in it stays verbatim', () => {
  const result = sampleResult();
  result.patches[0].findings[0].replacement = '\tif (pci_load_saved_state(pdev, vdev->pci_saved_state))\n\t\treturn; /* `x` @y */';
  const [c] = buildGithubReview(result, { kb }).comments;
  assert.ok(c.body.includes('```suggestion\n\tif (pci_load_saved_state(pdev, vdev->pci_saved_state))\n\t\treturn; /* `x` @y */\n```'), c.body);
  assert.ok(c.body.length <= 1500);
  assert.ok(!buildGithubReview(sampleResult(), { kb }).comments[0].body.includes('```suggestion'), 'no suggestion without a concrete change');
});

test('github: the rules\' own code spans render as code, patch text is escaped', () => {
  const result = sampleResult();
  result.patches[0].findings[0].message = 'The `.reset_done` callback of foo_*bar*() <b>x</b>.';
  const [c] = buildGithubReview(result, { kb }).comments;
  assert.ok(c.body.includes('The `.reset_done` callback of foo\\_\\*bar\\*() &lt;b&gt;x&lt;/b&gt;.'), c.body);
});
