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
import picomatch from 'picomatch';
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

/** Longest glob accepted: paths in the kernel are far shorter. */
const MAX_GLOB = 256;
/** Wildcards (`*`, `?` runs) in one path segment: each one more is a power of backtracking. */
const MAX_WILDCARDS_PER_SEGMENT = 2;

/**
 * Why a glob cannot be used, or undefined when it can. Compiled here, at load, with the options
 * the job matches with: picomatch turns an invalid glob (`[z-a]`, `a{`) into a pattern that
 * matches nothing, silently, and `*a*a*a*a*b` into a regular expression that backtracks for
 * minutes on a 40-character path; extglobs (`+(a|aa)`, nested quantifiers) are refused.
 */
export function globProblem(glob: string): string | undefined {
  if (glob.length === 0) return 'is empty';
  if (glob.length > MAX_GLOB) return `is ${glob.length} characters, over the limit of ${MAX_GLOB}`;
  if (/[\x00-\x1f\x7f]/.test(glob)) return 'has a control character';
  if (/[()]/.test(glob)) return 'has ( or ): extglobs are not supported';
  for (const segment of glob.split('/')) {
    if (segment === '**') continue;
    const runs = segment.match(/[*?]+/g)?.length ?? 0;
    if (runs > MAX_WILDCARDS_PER_SEGMENT) return `has ${runs} wildcards in one path segment (${segment}), over the limit of ${MAX_WILDCARDS_PER_SEGMENT}`;
  }
  let re: RegExp;
  try {
    re = picomatch.makeRe(glob, GLOB_OPTIONS);
  } catch (err) {
    return `does not compile: ${(err as Error).message}`;
  }
  if (re.source === '$^') return 'is not a valid glob (an unclosed or reversed [range] or {brace})';
  return undefined;
}

/** How the job's globs are compiled: as src/patch/followed.ts matches them. */
const GLOB_OPTIONS = { dot: true } as const;

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
  /** A list of globs, each compiled now: the error names the entry and field. */
  const globs = (v: unknown, key: string): string[] | undefined => {
    const list = strs(v, key);
    list?.forEach((g, j) => {
      const problem = globProblem(g);
      if (problem) throw new UserError(`${key}[${j}]: glob ${JSON.stringify(g.length > 60 ? g.slice(0, 57) + '...' : g)} ${problem}`, file);
    });
    return list;
  };
  policy.from = str(raw.from, 'from') ?? policy.from;
  policy.domain = str(raw.domain, 'domain') ?? policy.domain;
  policy.lore = (str(raw.lore, 'lore') ?? policy.lore).replace(/\/+$/, '');
  policy.globs = globs(raw.globs, 'globs') ?? policy.globs;
  policy.kernel = str(raw.kernel, 'kernel');
  policy.seriesWaitMinutes = num(raw.series_wait_minutes, 'series_wait_minutes') ?? policy.seriesWaitMinutes;
  if (raw.rate_limit !== undefined) {
    const rl = raw.rate_limit as Raw;
    if (typeof rl !== 'object' || rl === null || Array.isArray(rl)) throw new UserError('rate_limit must be a mapping (max:, per_minutes:)', file);
    policy.rateLimit = {
      max: num(rl.max, 'rate_limit.max') ?? policy.rateLimit.max,
      perMinutes: num(rl.per_minutes, 'rate_limit.per_minutes') ?? policy.rateLimit.perMinutes,
    };
  }
  const lists = raw.lists ?? [];
  if (!Array.isArray(lists)) throw new UserError('lists must be a list', file);
  policy.lists = lists.map((l: Raw, i: number) => {
    if (typeof l !== 'object' || l === null || Array.isArray(l)) throw new UserError(`lists[${i}] must be a mapping (name:, inbox:, ...)`, file);
    const named = typeof l.name === 'string' ? ` (${l.name})` : '';
    const at = `lists[${i}]${named}`;
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
      globs: globs(l.globs, `${at}.globs`) ?? policy.globs,
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
