/**
 * Run the Action the way the runner does: a child `node` process with INPUT_* and GITHUB_*
 * variables, an event file, and GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files; against the fake
 * GitHub server. Also: the sample kernel repository (a clone of the sample bundle).
 */
import assert from 'node:assert/strict';
import { after, beforeEach } from 'node:test';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FakeGitHub } from './fake-github.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const FIXTURES = join(ROOT, 'test/fixtures/github');
export const BASE_SHA = '09f0eb7dd449778caf62e147fc09e8888f87ddbc'; // v18 patches 1-2 applied on 6.12
export const HEAD_SHA = '6526efa4ea8d82bd92c71d7a925dd898c11abf6b'; // v18 3/4: the reset_done callback
export const ROOT_SHA = '5fa7f5491ccd6652476ec806d07dd869e2b7138f'; // Linux 6.12.117 files
export const SERIES_SHA = 'ebde4785e9d458beb91c558c67dd0d5f7ccf532f'; // v18 4/4
export const TOKEN = 'ghs_testtoken0123456789abcdefWRITE';
export const READ_TOKEN = 'ghs_testtoken0123456789abcdefREAD0';

/** A fresh clone of samples/vfio-pci-reset-done-v18.bundle in a tmp dir. */
export async function sampleRepo(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vfio-review-gh-'));
  execFileSync('git', ['clone', '-q', join(ROOT, 'samples/vfio-pci-reset-done-v18.bundle'), join(dir, 'linux')]);
  const repo = join(dir, 'linux');
  for (const [k, v] of [['user.name', 'Test'], ['user.email', 'test@example.org']]) execFileSync('git', ['-C', repo, 'config', k, v]);
  return repo;
}

/** A server on the sample repository with PR #42 = v18 3/4 on top of 1-2, and both tokens. */
export async function startSample(): Promise<FakeGitHub> {
  const gh = await FakeGitHub.start({ repoDir: await sampleRepo() });
  gh.addToken(TOKEN, true);
  gh.addToken(READ_TOKEN, false);
  gh.addPull({ number: 42, title: 'vfio/pci: Add a reset_done callback for vfio-pci driver', baseSha: BASE_SHA, headSha: HEAD_SHA, baseRef: 'master', headRef: 'vfio-reset-done', headRepo: 'kernel-org/linux' });
  return gh;
}

export async function stopSample(gh: FakeGitHub): Promise<void> {
  await gh.close();
  await rm(resolve(gh.repoDir, '..'), { recursive: true, force: true });
}

/** Commit a change to the sample repository; returns the new SHA. */
export function commitChange(gh: FakeGitHub, path: string, edit: (text: string) => string, message: string): string {
  const file = join(gh.repoDir, path);
  const text = execFileSync('cat', [file], { encoding: 'utf8' });
  execFileSync('sh', ['-c', 'cat > "$1"', 'sh', file], { input: edit(text) });
  gh.git('commit', '-q', '-a', '-m', message);
  return gh.git('rev-parse', 'HEAD').trim();
}

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  dir: string;
}

export interface RunOptions {
  gh: FakeGitHub;
  /** Fixture file name under test/fixtures/github, or an event object. */
  event: string | Record<string, unknown>;
  eventName?: string;
  inputs?: Record<string, string>;
  token?: string;
  /** Run the bundle (dist/index.js by default) instead of the sources. */
  bundle?: string;
  /** Patch the event: set the pull request's head SHA. */
  headSha?: string;
  env?: Record<string, string>;
}

export async function runAction(o: RunOptions): Promise<ActionRun> {
  const dir = await mkdtemp(join(tmpdir(), 'vfio-review-run-'));
  const event = typeof o.event === 'string' ? JSON.parse(await readFile(join(FIXTURES, o.event), 'utf8')) : o.event;
  if (o.headSha && event.pull_request) event.pull_request.head.sha = o.headSha;
  const eventName = o.eventName ?? (typeof o.event === 'string' ? o.event.split('.')[0] : 'pull_request');
  await writeFile(join(dir, 'event.json'), JSON.stringify(event));
  for (const f of ['output', 'summary', 'env', 'state']) await writeFile(join(dir, f), '');
  const inputs: Record<string, string> = { 'github-token': o.token ?? TOKEN, 'fail-on': 'none', mode: 'auto', ...o.inputs };
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: eventName,
    GITHUB_EVENT_PATH: join(dir, 'event.json'),
    GITHUB_API_URL: o.gh.url,
    GITHUB_SERVER_URL: 'https://github.test',
    GITHUB_REPOSITORY: `${o.gh.owner}/${o.gh.repo}`,
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_STATE: join(dir, 'state'),
    RUNNER_TEMP: dir,
    VFIO_REVIEW_WAIT_UNIT_MS: '5',
    ...o.env,
  };
  // The runner's naming: INPUT_ + upper case, spaces to underscores (dashes are kept).
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;
  const args = o.bundle ? [o.bundle] : ['--import', 'tsx', join(ROOT, 'src/action/main.ts')];
  const { code, stdout, stderr } = await spawnNode(args, env);
  return { code, stdout, stderr, outputs: parseOutputs(await readFile(join(dir, 'output'), 'utf8')), summary: await readFile(join(dir, 'summary'), 'utf8'), dir };
}

function spawnNode(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((ok, fail) => {
    const p = spawn(process.execPath, args, { env, cwd: ROOT });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', fail);
    p.on('close', (code) => ok({ code: code ?? -1, stdout, stderr }));
  });
}

/** GITHUB_OUTPUT as written by @actions/core: `name<<DELIM\nvalue\nDELIM`. */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const m of text.matchAll(re)) out[m[1]] = m[3];
  return out;
}

export function bundlePath(): string | undefined {
  const p = join(ROOT, 'dist/index.js');
  return existsSync(p) ? p : undefined;
}

// ---- assertions shared by the Action's end-to-end tests ----

export const SAMPLE_FILE = 'drivers/vfio/pci/vfio_pci_core.c';
/** vfio_pci_core_aer_reset_done() in v18 3/4's post-image. */
export const FN_LINES = [2286, 2296] as const;
export const REQUIRED_RULES = ['snapshot/stale-restore', 'snapshot/stale-tph', 'msix/memory-bit'];

/** The rule id a comment is about: the reports write "`TYPE` (`rule/id`)". */
export const ruleOf = (body: string): string | undefined => /\(`([a-z-]+\/[a-z-]+)`\)/.exec(body)?.[1];

export function assertOk(r: ActionRun): void {
  assert.equal(r.code, 0, `exit ${r.code}\n${r.stdout}\n${r.stderr}`);
}

/**
 * The "done when" notes: inline, on vfio_pci_core_aer_reset_done(), at the analysed head. One
 * comment per cause: a rule is there as the comment's headline or as one of its sub-points.
 */
export function assertRequiredNotes(gh: FakeGitHub, pull = 42, head = HEAD_SHA): void {
  const live = gh.liveComments(pull);
  for (const rule of REQUIRED_RULES) {
    const c = live.find((x) => ruleOf(x.body) === rule) ?? live.find((x) => x.body.includes(`\`${rule}\``));
    assert.ok(c, `an inline note for ${rule}; got ${live.map((x) => ruleOf(x.body)).join(', ')}`);
    assert.equal(c.path, SAMPLE_FILE);
    assert.equal(c.side, 'RIGHT');
    assert.ok(c.line >= FN_LINES[0] && c.line <= FN_LINES[1], `${rule} on line ${c.line}, inside vfio_pci_core_aer_reset_done()`);
    assert.match(c.body, /vfio\\?_pci\\?_core\\?_aer\\?_reset\\?_done/);
    assert.equal(c.commit_id, head);
  }
}

/** Back to the state startSample() gives: nothing posted, PR #42 at v18 3/4, no faults. */
export function resetSample(gh: FakeGitHub): void {
  gh.reviews.length = 0;
  gh.comments.length = 0;
  gh.issueComments.length = 0;
  gh.requests.length = 0;
  gh.clearFaults();
  gh.git('checkout', '-q', '--detach', HEAD_SHA);
  gh.pulls.get(42)!.headSha = HEAD_SHA;
}

/**
 * The sample server for a test file's end-to-end tests (top-level await it): started now,
 * reset before each test, stopped after the file; with the required-notes check bound to it.
 */
export async function useSample(): Promise<{ gh: FakeGitHub; assertRequiredNotes: (pull?: number, head?: string) => void }> {
  const gh = await startSample();
  after(async () => stopSample(gh));
  beforeEach(() => resetSample(gh));
  return { gh, assertRequiredNotes: (pull, head) => assertRequiredNotes(gh, pull, head) };
}
