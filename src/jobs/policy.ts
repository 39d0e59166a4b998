/**
 * The policy file (YAML): who gets mail, about what, how often. Defaults are the quiet ones:
 * reply to the author only, Cc nobody, warnings and errors only, at most 20 replies an hour.
 *
 *   from: "vfio-review bot <vfio-review@example.org>"
 *   domain: vfio-review.example.org       # Message-IDs of replies
 *   lore: https://lore.kernel.org          # links in replies and Patchwork checks
 *   globs: [drivers/vfio/pci/**, ...]      # default for every list
 *   series_wait_minutes: 60                # review an incomplete series after this wait
 *   rate_limit: { max: 20, per_minutes: 60 }
 *   kernel: "6.12"                         # target kernel line for the rules (optional)
 *   lists:
 *     - name: kvm
 *       inbox: /srv/lore/kvm               # SOURCE when none is given on the command line
 *       address: kvm@vger.kernel.org
 *       reply_to: author                   # or: list (To: the list, Cc: the author)
 *       cc: []
 *       embargo_hours: 0                   # no reply before the patch is this old
 *       min_severity: warning              # error | warning | check
 *       mute: false                        # true: review and record, never reply; or a list of rule ids
 */
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { UserError } from '../errors.js';
import { SEVERITIES, type Severity } from '../model.js';
import { FOLLOWED_GLOBS } from '../patch/followed.js';

/** The files followed when a list names no globs. */
export const DEFAULT_GLOBS = FOLLOWED_GLOBS;

export interface ListPolicy {
  name: string;
  inbox?: string;
  address?: string;
  replyTo: 'author' | 'list';
  cc: string[];
  embargoHours: number;
  minSeverity: Severity;
  mute: boolean;
  muteRules: string[];
  globs: string[];
}

export interface Policy {
  from: string;
  domain: string;
  lore: string;
  globs: string[];
  seriesWaitMinutes: number;
  rateLimit: { max: number; perMinutes: number };
  kernel?: string;
  lists: ListPolicy[];
}

type Raw = Record<string, unknown>;

export function defaultPolicy(): Policy {
  return {
    from: 'vfio-review bot <vfio-review@localhost>',
    domain: 'vfio-review.invalid',
    lore: 'https://lore.kernel.org',
    globs: DEFAULT_GLOBS,
    seriesWaitMinutes: 60,
    rateLimit: { max: 20, perMinutes: 60 },
    lists: [],
  };
}

export function loadPolicy(file?: string): Policy {
  const policy = defaultPolicy();
  if (!file) return policy;
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UserError(`cannot read policy: ${(err as Error).message.split('\n')[0]}`, file);
  }
  const raw = (doc ?? {}) as Raw;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new UserError('policy must be a mapping', file);
  const str = (v: unknown, key: string): string | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new UserError(`${key} must be a string`, file);
    return v;
  };
  const num = (v: unknown, key: string): number | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || v < 0) throw new UserError(`${key} must be a number >= 0`, file);
    return v;
  };
  const strs = (v: unknown, key: string): string[] | undefined => {
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new UserError(`${key} must be a list of strings`, file);
    return v as string[];
  };
  policy.from = str(raw.from, 'from') ?? policy.from;
  policy.domain = str(raw.domain, 'domain') ?? policy.domain;
  policy.lore = (str(raw.lore, 'lore') ?? policy.lore).replace(/\/+$/, '');
  policy.globs = strs(raw.globs, 'globs') ?? policy.globs;
  policy.kernel = str(raw.kernel, 'kernel');
  policy.seriesWaitMinutes = num(raw.series_wait_minutes, 'series_wait_minutes') ?? policy.seriesWaitMinutes;
  if (raw.rate_limit !== undefined) {
    const rl = raw.rate_limit as Raw;
    policy.rateLimit = {
      max: num(rl.max, 'rate_limit.max') ?? policy.rateLimit.max,
      perMinutes: num(rl.per_minutes, 'rate_limit.per_minutes') ?? policy.rateLimit.perMinutes,
    };
  }
  const lists = raw.lists ?? [];
  if (!Array.isArray(lists)) throw new UserError('lists must be a list', file);
  policy.lists = lists.map((l: Raw, i: number) => {
    const at = `lists[${i}]`;
    const name = str(l.name, `${at}.name`);
    if (!name) throw new UserError(`${at}.name is required`, file);
    const replyTo = str(l.reply_to, `${at}.reply_to`) ?? 'author';
    if (replyTo !== 'author' && replyTo !== 'list') throw new UserError(`${at}.reply_to must be author or list`, file);
    const minSeverity = (str(l.min_severity, `${at}.min_severity`) ?? 'warning') as Severity;
    if (!SEVERITIES.includes(minSeverity)) throw new UserError(`${at}.min_severity must be one of ${SEVERITIES.join(', ')}`, file);
    if (replyTo === 'list' && !l.address) throw new UserError(`${at}: reply_to list needs an address`, file);
    return {
      name,
      inbox: l.inbox === undefined ? undefined : resolve(String(l.inbox)),
      address: str(l.address, `${at}.address`),
      replyTo,
      cc: strs(l.cc, `${at}.cc`) ?? [],
      embargoHours: num(l.embargo_hours, `${at}.embargo_hours`) ?? 0,
      minSeverity,
      mute: l.mute === true,
      muteRules: Array.isArray(l.mute) ? (strs(l.mute, `${at}.mute`) ?? []) : [],
      globs: strs(l.globs, `${at}.globs`) ?? policy.globs,
    } satisfies ListPolicy;
  });
  return policy;
}

/** The list a source belongs to: the entry naming its inbox, else defaults named after the path. */
export function listFor(policy: Policy, sourcePath: string): ListPolicy {
  const found = policy.lists.find((l) => l.inbox === sourcePath) ?? policy.lists.find((l) => l.name === basename(sourcePath));
  return (
    found ?? {
      name: basename(sourcePath),
      replyTo: 'author',
      cc: [],
      embargoHours: 0,
      minSeverity: 'warning',
      mute: false,
      muteRules: [],
      globs: policy.globs,
    }
  );
}
