/**
 * `vfio-review ingest`: follow mailing-list archives, review vfio/pci patches once, reply.
 * `vfio-review ingest status`: what the state file knows.
 */
import { EXIT, UserError } from '../../errors.js';
import { parse } from '../args.js';
import type { JobEnv } from '../../jobs/env.js';
import { runOnce, watch } from '../../jobs/job.js';
import { loadPolicy } from '../../jobs/policy.js';
import { Log } from '../../jobs/progress.js';
import { closeTransports } from '../../jobs/smtp.js';
import { openSource } from '../../jobs/sources/index.js';
import { openState, openStateReadOnly } from '../../jobs/state.js';
import { acquireLock } from '../../jobs/lock.js';
import { formatStatus, readStatus } from '../../jobs/status.js';

const HELP = `usage: vfio-review ingest SOURCE... --state FILE --outbox DIR [--once | --watch SECONDS]
                          [--smtp URL] [--config FILE] [--positive] [--json]
                          [--patchwork URL --patchwork-token-env VAR]
       vfio-review ingest status --state FILE [--json]

Reads new mail from each SOURCE (a public-inbox v2 inbox, a v1 inbox, a Maildir or an mbox;
default: the inboxes named in --config), reviews the patches that touch the followed files
once per version, and writes one reply per patch with notes into --outbox as <id>.eml.
Nothing is mailed unless --smtp is given. State (cursors, outcomes, replies) is in --state.

  --once            process what is new and exit (the default)
  --watch SECONDS   poll every SECONDS, with git fetch for epochs that have a remote
  --smtp URL        send replies, e.g. smtp://127.0.0.1:25 (a failed send stays queued)
  --config FILE     policy (YAML): lists, globs, reply_to, cc, embargo, severity, mute, rate limit
  --positive        also reply to patches with no notes
  --json            log JSON lines on stderr
  --patchwork URL   post a check per reviewed patch (token from --patchwork-token-env VAR)`;

const OPTIONS = {
  state: { type: 'string' },
  outbox: { type: 'string' },
  once: { type: 'boolean' },
  watch: { type: 'string' },
  smtp: { type: 'string' },
  config: { type: 'string' },
  positive: { type: 'boolean' },
  json: { type: 'boolean' },
  patchwork: { type: 'string' },
  'patchwork-token-env': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS, 'ingest');
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  if (!values.state) throw new UserError('--state FILE is required', '--state');
  if (positionals[0] === 'status') return status(values.state, values.json === true);

  if (!values.outbox) throw new UserError('--outbox DIR is required (replies are written there)', '--outbox');
  if (values.once && values.watch) throw new UserError('--once and --watch exclude each other');
  const seconds = values.watch === undefined ? undefined : Number(values.watch);
  if (seconds !== undefined && !(seconds > 0)) throw new UserError('--watch needs a number of seconds > 0', '--watch');
  const policy = loadPolicy(values.config);
  const paths = positionals.length ? positionals : policy.lists.map((l) => l.inbox).filter((p): p is string => !!p);
  if (paths.length === 0) throw new UserError('no SOURCE given (and no list in --config names an inbox)');
  const sources = paths.map(openSource);
  let patchwork: JobEnv['patchwork'];
  if (values.patchwork) {
    const v = values['patchwork-token-env'];
    const token = v ? process.env[v] : undefined;
    if (v && !token) throw new UserError(`environment variable ${v} is empty`, '--patchwork-token-env');
    patchwork = { url: values.patchwork, token };
  }
  const log = new Log(values.json === true);
  const unlock = acquireLock(values.state);
  let db;
  try {
    db = openState(values.state);
  } catch (err) {
    unlock();
    throw err;
  }
  const env: JobEnv = {
    db,
    policy,
    log,
    outbox: values.outbox,
    positive: values.positive === true,
    smtp: values.smtp,
    patchwork,
  };
  try {
    if (seconds !== undefined) {
      await watch(env, sources, seconds);
      return EXIT.ok;
    }
    const s = await runOnce(env, sources);
    const line = `done in ${(s.ms / 1000).toFixed(1)} s: ${s.intake.read} new message(s), ${s.review.reviewed} patch(es) reviewed, ${s.delivery.written} repl(ies) written, ${s.delivery.sent} sent, ${s.delivery.deferred} deferred (intake ${(s.intakeMs / 1000).toFixed(1)} s, review ${(s.reviewMs / 1000).toFixed(1)} s, peak RSS ${peakRssMiB()} MiB)`;
    log.info(line, { summary: s });
    // A reply that could not be sent is kept; the exit code tells cron something is wrong.
    return s.delivery.failed > 0 ? EXIT.service : EXIT.ok;
  } finally {
    for (const s of sources) s.close();
    closeTransports();
    env.db.close();
    unlock();
  }
}

function status(file: string, json: boolean): number {
  const db = openStateReadOnly(file);
  try {
    const s = readStatus(db);
    process.stdout.write(json ? JSON.stringify(s, null, 2) + '\n' : formatStatus(s));
    return EXIT.ok;
  } finally {
    db.close();
  }
}

/** This process's own peak RSS (not git's: its children map whole packs and reach more). */
function peakRssMiB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
