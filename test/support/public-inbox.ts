/**
 * Real public-inbox inboxes for the tests, built with public-inbox's own tools and library
 * (Debian's public-inbox 1.9): public-inbox-init, the InboxWritable/V2Writable importer that
 * public-inbox-mda and -learn use, public-inbox-purge, public-inbox-httpd.
 * Everything lives under a mkdtemp directory with its own PI_CONFIG and HOME.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Inbox {
  name: string;
  dir: string;
  address: string;
  env: NodeJS.ProcessEnv;
  root: string;
}

/** Import an mbox (mboxrd reader), optionally with a tiny rotate size to force new epochs. */
const IMPORT_PL = String.raw`
use strict; use PublicInbox::Config; use PublicInbox::InboxWritable; use PublicInbox::MboxReader;
my ($name, $file, $rotate) = @ARGV;
my $cfg = PublicInbox::Config->new;
my $ibx = $cfg->lookup_name($name) or die "no inbox $name\n";
$ibx = PublicInbox::InboxWritable->new($ibx);
my $im = $ibx->importer(1);
$im->{rotate_bytes} = $rotate if $rotate;
open my $fh, '<', $file or die "$file: $!\n";
PublicInbox::MboxReader->mboxrd($fh, sub { my ($eml) = @_; $im->add($eml) });
$im->done;
`;

export function makeRoot(prefix = 'vfio-review-pi-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, input?: Buffer | string): string {
  const r = spawnSync(cmd, args, { env, input: input ?? '', encoding: 'utf8', maxBuffer: 64 << 20, timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** public-inbox-init -V2 (or -V1); indexlevel basic unless full search is needed (httpd t.mbox.gz). */
export function initInbox(root: string, name: string, opts: { version?: 1 | 2; full?: boolean } = {}): Inbox {
  const env = {
    ...process.env,
    HOME: root,
    PI_CONFIG: join(root, 'pi-config'),
    PI_DIR: join(root, '.public-inbox'),
    GIT_CONFIG_NOSYSTEM: '1',
  };
  const dir = join(root, name);
  const address = `${name}@lists.example.org`;
  const level = opts.full ? [] : ['-L', 'basic'];
  run('public-inbox-init', [`-V${opts.version ?? 2}`, ...level, name, dir, `http://127.0.0.1/${name}`, address], env);
  return { name, dir, address, env, root };
}

/** Append the messages of an mbox to the inbox (one git commit each, in mbox order). */
export function importMbox(inbox: Inbox, mboxText: string | Buffer, opts: { rotateBytes?: number } = {}): void {
  const file = join(inbox.root, `import-${process.hrtime.bigint()}.mbox`);
  writeFileSync(file, mboxText);
  run('perl', ['-e', IMPORT_PL, inbox.name, file, String(opts.rotateBytes ?? '')], inbox.env);
}

/**
 * `public-inbox-learn rm`: a `d` commit, history kept. It removes from the inboxes whose
 * address is among the recipients, and only a byte-for-byte identical message.
 */
export function removeMessage(inbox: Inbox, rawMessage: string): void {
  run('public-inbox-learn', ['rm'], inbox.env, rawMessage);
}

/** public-inbox-purge: removes a message and REWRITES the epoch's history (non-fast-forward). */
export function purgeMessage(inbox: Inbox, rawMessage: string): void {
  run('public-inbox-purge', ['--all'], inbox.env, rawMessage);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** public-inbox-httpd on 127.0.0.1; resolves once it answers, with a stop function. */
export async function startHttpd(inbox: Inbox): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const proc = spawn('public-inbox-httpd', ['-W0', '-l', `http://127.0.0.1:${port}`], { env: inbox.env, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const r = await fetch(`${url}/${inbox.name}/_/text/config/raw`);
      await r.arrayBuffer();
      break;
    } catch {
      if (Date.now() > deadline || proc.exitCode !== null) throw new Error('public-inbox-httpd did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

/** Every commit of an epoch, oldest first (for assertions). */
export function epochCommits(gitDir: string): string[] {
  return run('git', ['--git-dir', gitDir, 'rev-list', '--reverse', 'HEAD'], process.env).split('\n').filter(Boolean);
}

const BIN = fileURLToPath(new URL('../../bin/vfio-review.js', import.meta.url));

/** Run the real CLI (`node bin/vfio-review.js ...`) as a child process. */
export function cli(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same, asynchronously, so a test can kill it (SIGKILL) in the middle. */
export function cliProcess(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Run the CLI in this process (same code path as bin/vfio-review.js, without paying node +
 * tsx start-up per run). Only stderr is captured: under `node --test` stdout carries the
 * test protocol and must not be touched; use `cli` for commands whose stdout matters.
 */
export async function cliInProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number; stderr: string }> {
  const { main } = await import('../../src/cli/main.js');
  const err: string[] = [];
  const saved = { err: process.stderr.write, env: { ...process.env } };
  Object.assign(process.env, env);
  process.stderr.write = ((c: string | Uint8Array) => (err.push(String(c)), true)) as typeof process.stderr.write;
  try {
    const status = await main(args);
    return { status, stderr: err.join('') };
  } finally {
    process.stderr.write = saved.err;
    for (const k of Object.keys(env)) {
      if (saved.env[k] === undefined) delete process.env[k];
      else process.env[k] = saved.env[k];
    }
  }
}
