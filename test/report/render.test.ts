/** render(): every format dispatches, is pure (same input, same bytes) and leaves its input alone. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REPORT_FORMATS, render } from '../../src/report/index.js';
import { buildGithubReview } from '../../src/report/github.js';
import { makeKb } from '../fixtures/findings/kb.js';
import { emptyResult, hostileResult, outsideResult, sampleResult, seriesResult } from '../fixtures/findings/results.js';

const kb = makeKb();
const FIXTURES = { emptyResult, sampleResult, outsideResult, seriesResult, hostileResult };

test('render: every format, every fixture, deterministic and non-mutating', () => {
  for (const format of REPORT_FORMATS) {
    for (const [name, make] of Object.entries(FIXTURES)) {
      const input = make();
      const before = JSON.stringify(input);
      const a = render(format, input, { kb });
      const b = render(format, make(), { kb });
      assert.equal(typeof a, 'string', `${format}/${name}`);
      assert.equal(a, b, `${format}/${name} is deterministic`);
      assert.equal(JSON.stringify(input), before, `${format}/${name} does not mutate its input`);
    }
  }
});

test('render: the GitHub payload is pure too', () => {
  const input = outsideResult();
  const before = JSON.stringify(input);
  assert.deepEqual(buildGithubReview(input, { kb }), buildGithubReview(outsideResult(), { kb }));
  assert.equal(JSON.stringify(input), before);
});

test('render: an unknown format is a programming error', () => {
  assert.throws(() => render('html' as never, sampleResult(), { kb }), /unknown format html/);
});
