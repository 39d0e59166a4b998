// Hostile configuration (issue 11, must-have 6): every glob of the job's policy file is compiled
// when the file is loaded; a bad one is one line naming the file, the entry and the field, exit 2,
// before any mail is read. Globs that would backtrack for minutes are refused by shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import picomatch from 'picomatch';
import { globProblem, loadPolicy } from '../../src/jobs/policy.js';
import { UserError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'vfio-policy-'));
const BIN = resolve('bin/vfio-review.js');

function policyFile(yaml: string): string {
  const path = join(dir, `p${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, yaml);
  return path;
}

const BAD: [string, RegExp][] = [
  ['[z-a]', /not a valid glob/],
  ['drivers/{vfio', /not a valid glob/],
  ['*a*a*a*a*a*b', /has 6 wildcards in one path segment/],
  ['+(a|aa)', /extglobs are not supported/],
  ['x'.repeat(300), /300 characters, over the limit of 256/],
  ['', /is empty/],
  ['drivers/\n*', /control character/],
];

test('globProblem refuses what picomatch would silently mis-read or backtrack on', () => {
  for (const [glob, why] of BAD) assert.match(globProblem(glob) ?? 'accepted', why, JSON.stringify(glob));
  for (const glob of ['drivers/vfio/pci/**', 'include/linux/pci*.h', 'drivers/{pci,vfio}/**/*.c', 'drivers/*/pci_?.c']) {
    assert.equal(globProblem(glob), undefined, glob);
  }
  // The reason for the shape limit: picomatch's pattern for six wildcards on a short path is
  // already slow; two are not.
  const two = picomatch('*a*b', { dot: true });
  const t = performance.now();
  two('a'.repeat(2000));
  assert.ok(performance.now() - t < 1000);
});

test('a bad glob in a list fails at load, naming the file, the list and the field', () => {
  const file = policyFile('lists:\n  - name: kvm\n    address: kvm@vger.kernel.org\n    globs: ["drivers/vfio/pci/**", "[z-a]"]\n');
  assert.throws(() => loadPolicy(file), (e: unknown) => {
    assert.ok(e instanceof UserError);
    assert.equal(e.line(), `${file}: lists[0] (kvm).globs[1]: glob "[z-a]" is not a valid glob (an unclosed or reversed [range] or {brace})`);
    return true;
  });
  const top = policyFile('globs: ["*a*a*a*a*a*b"]\n');
  assert.throws(() => loadPolicy(top), /globs\[0\]: glob "\*a\*a\*a\*a\*a\*b" has 6 wildcards/);
});

test('entries that are not mappings are input errors, not crashes', () => {
  assert.throws(() => loadPolicy(policyFile('lists: [null]\n')), /lists\[0\] must be a mapping/);
  assert.throws(() => loadPolicy(policyFile('lists: [3]\n')), /lists\[0\] must be a mapping/);
  assert.throws(() => loadPolicy(policyFile('rate_limit: null\n')), /rate_limit must be a mapping/);
  assert.throws(() => loadPolicy(policyFile('globs: [3]\n')), /globs must be a list of strings/);
});

test('the ingest command stops at load with exit 2 and one line', () => {
  const file = policyFile('lists:\n  - name: kvm\n    inbox: /nonexistent\n    globs: ["+(a|aa)"]\n');
  const r = spawnSync(process.execPath, [BIN, 'ingest', '--config', file, '--state', join(dir, 'state.db'), '--outbox', join(dir, 'outbox')], { encoding: 'utf8' });
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr, `vfio-review: ${file}: lists[0] (kvm).globs[0]: glob "+(a|aa)" has ( or ): extglobs are not supported\n`);
});
