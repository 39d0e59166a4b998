/** `review` options through the real bin: the errors (exit 2, one line naming the input), the config file, trailers, the kernel tree in cwd. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TREE_612 } from '../support/kernels.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/vfio-review.js');
const SAMPLE = join(ROOT, 'samples/vfio-pci-reset-done-v18.mbox');
const PATCH3 = join(ROOT, 'samples/vfio-pci-reset-done-v18', readdirSync(join(ROOT, 'samples/vfio-pci-reset-done-v18')).find((f) => f.startsWith('v18-0003'))!);
const KERNEL = TREE_612;

/** A scratch directory that is not inside a repository and has no config of its own. */
function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'vfio-review-cli-'));
}

function run(args: string[], cwd = scratch()) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, HOME: cwd, XDG_CONFIG_HOME: join(cwd, '.config'), NO_COLOR: '' } });
}

const rulesOf = (stdout: string) => (JSON.parse(stdout).patches as { findings: { rule: string }[] }[]).flatMap((p) => p.findings.map((f) => f.rule));

test('--ignore takes commas or spaces, ids or TYPEs', () => {
  const all = rulesOf(run(['review', SAMPLE, '--format', 'json', '--fail-on', 'none']).stdout);
  assert.ok(all.includes('snapshot/stale-tph') && all.includes('msix/memory-bit'));
  const some = rulesOf(run(['review', SAMPLE, '--format', 'json', '--fail-on', 'none', '--ignore', 'snapshot/stale-tph MSIX_RESTORE_MEMORY_OFF,snapshot/load-unchecked']).stdout);
  assert.deepEqual(some, all.filter((r) => !['snapshot/stale-tph', 'msix/memory-bit', 'snapshot/load-unchecked'].includes(r)));
});

test('option errors are exit 2 with one line naming what is wrong', () => {
  const cases: [string[], RegExp][] = [
    [['review', SAMPLE, '--ignore', 'snapshot/stale-tpx'], /^vfio-review: --ignore: unknown rule or TYPE 'snapshot\/stale-tpx'/],
    [['review', SAMPLE, '--tree', '.', '--kernel', '6.12'], /^vfio-review: --kernel: give --tree or --kernel, not both/],
    [['review', SAMPLE, '--kernel', '5.4'], /^vfio-review: --kernel: unknown kernel '5\.4'; known lines: 6\.1 .*6\.19\+/],
    [['review', SAMPLE, '--color', 'sometimes'], /^vfio-review: --color: must be one of auto, always, never/],
    [['review', SAMPLE, '--fail-on', 'fatal'], /^vfio-review: --fail-on: must be one of error, warning, check, none/],
  ];
  for (const [args, re] of cases) {
    const r = run(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line, no stack trace');
  }
});

test('--list-types, review --help and the help command', () => {
  const types = run(['review', '--list-types']);
  assert.equal(types.status, 0);
  assert.match(types.stdout, /^snapshot\/stale-restore\s+warning \(error, check\)\s+SNAPSHOT_STALE_RESTORE\s/m);
  const help = run(['review', '--help']).stdout;
  for (const o of ['--format', '--tree', '--no-tree', '--kernel', '--ignore', '--list-types', '--fail-on', '--terse', '--verbose', '--quiet', '--color', '--input-format', '--repo', '--git', '--msgid', '--lore']) {
    assert.ok(help.includes(o), `review --help describes ${o}`);
  }
  assert.match(help, /default: error, the same for the GitHub Action and b4/);
  assert.equal(run(['help', 'review']).stdout, run(['review', '--help']).stdout);
  assert.match(run(['help']).stdout, /^usage: vfio-review <command>/);
  assert.equal(run(['help', 'nope']).status, 2);
});

test('the default --fail-on is error: the sample (one error) exits 1, warnings alone do not', () => {
  assert.equal(run(['review', SAMPLE]).status, 1);
  const warningsOnly = run(['review', SAMPLE, '--ignore', 'snapshot/stale-restore']);
  assert.equal(warningsOnly.status, 0, warningsOnly.stdout);
  assert.equal(run(['review', SAMPLE, '--ignore', 'snapshot/stale-restore', '--fail-on', 'warning']).status, 1);
});

test('--color, -q and -v', () => {
  assert.match(run(['review', SAMPLE, '--color', 'always']).stdout, /\u001b\[31mERROR\u001b\[0m:SNAPSHOT_STALE_RESTORE/);
  assert.doesNotMatch(run(['review', SAMPLE, '--color', 'never']).stdout, /\u001b/);
  assert.doesNotMatch(run(['review', SAMPLE]).stdout, /\u001b/, 'auto: not a terminal, no colour');
  const quiet = run(['review', SAMPLE, '-q']).stdout;
  assert.doesNotMatch(quiet, /1\/4|2\/4|4\/4|Target kernel/);
  assert.match(quiet, /^total: 1 errors, /m);
  assert.ok(run(['review', SAMPLE, '-v']).stdout.length > run(['review', SAMPLE]).stdout.length * 2);
});

test('config file: .vfio-review.yaml in the directory, ~/.config/vfio-review/config.yaml, options win', () => {
  const dir = scratch();
  writeFileSync(join(dir, '.vfio-review.yaml'), 'ignore: snapshot/stale-tph, msix/memory-bit\nfail-on: none\n');
  const r = run(['review', SAMPLE, '--format', 'json'], dir);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!rulesOf(r.stdout).includes('snapshot/stale-tph'));
  assert.equal(run(['review', SAMPLE, '--fail-on', 'error'], dir).status, 1, 'the command line wins');

  const home = scratch();
  mkdirSync(join(home, '.config', 'vfio-review'), { recursive: true });
  writeFileSync(join(home, '.config', 'vfio-review', 'config.yaml'), 'kernel: "6.12"\n');
  const k = run(['review', SAMPLE, '--format', 'json', '--fail-on', 'none'], home);
  assert.equal(JSON.parse(k.stdout).target.line, '6.12');

  const bad = scratch();
  writeFileSync(join(bad, '.vfio-review.yaml'), 'ignroe: x\n');
  const e = run(['review', SAMPLE], bad);
  assert.equal(e.status, 2);
  assert.match(e.stderr, /\.vfio-review\.yaml: unknown key 'ignroe'/);
  writeFileSync(join(bad, '.vfio-review.yaml'), 'ignore: [snapshot/nope]\n');
  assert.match(run(['review', SAMPLE], bad).stderr, /\.vfio-review\.yaml: unknown rule or TYPE 'snapshot\/nope'/);
});

test('a "vfio-review: ignore ID" trailer silences that rule for that patch only', () => {
  const dir = scratch();
  const text = readFileSync(PATCH3, 'utf8').replace(/^(Signed-off-by: .*)$/m, '$1\nvfio-review: ignore snapshot/stale-tph, MSIX_RESTORE_MEMORY_OFF');
  const file = join(dir, '0003.patch');
  writeFileSync(file, text);
  const rules = rulesOf(run(['review', file, '--format', 'json', '--fail-on', 'none']).stdout);
  assert.ok(rules.includes('snapshot/stale-restore'));
  assert.ok(!rules.includes('snapshot/stale-tph') && !rules.includes('msix/memory-bit'), rules.join(' '));
  assert.ok(rulesOf(run(['review', PATCH3, '--format', 'json', '--fail-on', 'none']).stdout).includes('snapshot/stale-tph'));
});

test('inside a kernel tree the tree is the target, unless --kernel or --no-tree says otherwise', () => {
  assert.ok(existsSync(join(KERNEL, 'drivers/pci/pci.c')), `an extracted kernel tree at ${KERNEL} (VFIO_REVIEW_KERNELS)`);
  const dir = scratch();
  mkdirSync(join(dir, 'drivers/pci'), { recursive: true });
  copyFileSync(join(KERNEL, 'drivers/pci/pci.c'), join(dir, 'drivers/pci/pci.c'));
  writeFileSync(join(dir, 'MAINTAINERS'), 'VFIO DRIVER\nM:\tsomeone\n'); // only its presence marks a kernel tree's top
  const target = (...a: string[]) => JSON.parse(run(['review', SAMPLE, '--format', 'json', '--fail-on', 'none', ...a], dir).stdout).target;
  assert.equal(target().how, 'tree');
  assert.equal(target('--kernel', '6.1').how, 'kernel-option');
  assert.equal(target('--no-tree').how, 'default');
});
