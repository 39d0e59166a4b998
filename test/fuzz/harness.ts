/**
 * The fuzz harness shared by test/fuzz/*.test.ts and bench/fuzz.ts: seeds from the repository's
 * own mail, mbox, diff and C, one runner per stage, and what counts as a failure:
 *   crash  an exception other than a UserError escapes, or an error says "internal error";
 *   lost   a message without exactly one outcome (a patch model or an error);
 *   hang   a mutant takes longer than the time budget (plus slack for what cannot be cut short).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../src/errors.js';
import { parseMail, readBuffer, isInputError } from '../../src/ingest/index.js';
import { isSplitProblem, splitMbox } from '../../src/ingest/mbox.js';
import { threadMessages } from '../../src/ingest/series.js';
import { reportDuplicates } from '../../src/ingest/collect.js';
import { analyzeC } from '../../src/patch/cparse.js';
import { buildPatch } from '../../src/patch/index.js';
import { reviewMessages } from '../../src/pipeline.js';
import { loadKnowledgeBase } from '../../src/kb/index.js';
import type { KnowledgeBase } from '../../src/kb/types.js';
import type { InputError, Message } from '../../src/model.js';
import { Budget, type Limits } from '../../src/ingest/limits.js';
import { mutate, rng } from './mutate.js';

export type Stage = 'mail' | 'mbox' | 'diff' | 'c' | 'review';
export const STAGES: Stage[] = ['mail', 'mbox', 'diff', 'c', 'review'];

const files = (dir: string, re: RegExp) =>
  readdirSync(dir)
    .filter((f) => re.test(f))
    .sort()
    .map((f) => readFileSync(join(dir, f)));

/** Seeds per stage, from the sample series and the test fixtures. */
export function seeds(): Record<Stage, Buffer[]> {
  const sample = files('samples/vfio-pci-reset-done-v18', /\.patch$/);
  const mail = [...sample, ...files('test/fixtures/mail', /\.(eml|patch)$/)];
  const mbox = [readFileSync('samples/vfio-pci-reset-done-v18.mbox'), ...files('test/fixtures/mail', /\.mbox$/)];
  const diff = [...files('test/fixtures/diff', /\.(diff|patch)$/), ...sample];
  const c = diff.map((d) =>
    Buffer.from(
      d
        .toString('utf8')
        .split('\n')
        .filter((l) => /^[ +]/.test(l) && !l.startsWith('+++'))
        .map((l) => l.slice(1))
        .join('\n'),
    ),
  );
  return { mail, mbox, diff, c, review: [...mbox, ...mail.slice(0, 6)] };
}

export interface Result {
  stage: Stage;
  ms: number;
  /** Set when the mutant broke a rule: what happened. */
  failure?: string;
  /** Messages and outcomes, for the review stage. */
  messages?: number;
}

export interface RunOptions {
  kb: KnowledgeBase;
  limits: Partial<Limits>;
}

function crash(err: unknown): string | undefined {
  if (err instanceof UserError) return undefined;
  const e = err as Error;
  return `crash: ${e?.name}: ${e?.message?.slice(0, 300)}\n${e?.stack?.split('\n').slice(1, 6).join('\n')}`;
}

const internal = (errors: InputError[]) => errors.find((e) => /internal error/.test(e.message));

async function* chunks(b: Buffer): AsyncGenerator<Buffer> {
  for (let i = 0; i < b.length; i += 4096) yield b.subarray(i, i + 4096);
}

async function once(stage: Stage, input: Buffer, o: RunOptions): Promise<string | number | undefined> {
  switch (stage) {
    case 'mail':
      await parseMail(input, 'fuzz.eml', { limits: o.limits });
      return;
    case 'mbox': {
      let n = 0;
      let last = 0;
      for await (const m of splitMbox(chunks(input), { maxMessageBytes: o.limits.messageBytes ?? 10 << 20 })) {
        if (m.index !== 0 && m.index !== last + 1) return `lost: message ${last + 1} skipped (got ${m.index})`;
        if (m.index) last = m.index;
        if (!isSplitProblem(m) && m.end < m.offset) return 'lost: a message ends before it starts';
        n++;
      }
      return n;
    }
    case 'diff': {
      const msg: Message = { source: 'fuzz.diff', subject: 'fuzz', references: [], to: [], cc: [], body: input.toString('utf8'), attachments: [] };
      await buildPatch(msg, { limits: o.limits, budget: new Budget(o.limits.messageMs) });
      return;
    }
    case 'c':
      await analyzeC(input.toString('utf8'), { limits: o.limits, budget: new Budget(o.limits.messageMs) });
      return;
    case 'review':
      return review(input, o);
  }
}

/** Read and review one mutant input; every message read must end as a patch or an error. */
async function review(input: Buffer, o: RunOptions): Promise<string | number> {
  const messages: Message[] = [];
  const readErrors: InputError[] = [];
  try {
    for await (const item of readBuffer(input, 'fuzz.mbox', { maxMessageBytes: o.limits.messageBytes })) {
      if (isInputError(item)) readErrors.push(item);
      else messages.push(item);
    }
  } catch (err) {
    const c = crash(err);
    if (c) return c;
    return 0; // the input as a whole is not mail: one error line, exit 2
  }
  const bad = internal(readErrors);
  if (bad) return `crash (reading): ${bad.source}: ${bad.message}`;
  const errors: InputError[] = [];
  reportDuplicates(messages, errors); // as collectMessages does
  const result = await reviewMessages(threadMessages(messages), errors, { kb: o.kb, limits: o.limits });
  const bug = internal(result.errors);
  if (bug) return `crash (reviewing): ${bug.source}: ${bug.message}`;
  if (result.patches.length + result.errors.length !== messages.length) {
    return `lost: ${messages.length} messages, ${result.patches.length} patches + ${result.errors.length} errors`;
  }
  return messages.length;
}

/** Run one mutant through one stage and judge it. */
export async function runOne(stage: Stage, input: Buffer, o: RunOptions, hangMs: number): Promise<Result> {
  const t = performance.now();
  let failure: string | undefined;
  let messages: number | undefined;
  try {
    const r = await once(stage, input, o);
    if (typeof r === 'string') failure = r;
    else messages = r;
  } catch (err) {
    failure = crash(err);
  }
  const ms = performance.now() - t;
  if (!failure && ms > hangMs) failure = `hang: ${ms.toFixed(0)} ms`;
  return { stage, ms, failure, messages };
}

export interface Campaign {
  inputs: number;
  crashes: number;
  lost: number;
  hangs: number;
  messages: number;
  worstMs: Record<string, number>;
  /** The seed of the slowest input per stage (mutate(seeds, rng(seed)) remakes it). */
  worstSeed: Record<string, number>;
  /** Largest growth of the resident set over one mutant, and the peak. */
  worstRssDeltaMiB: number;
  peakRssMiB: number;
  failures: { stage: Stage; seed: number; failure: string }[];
}

/**
 * `count` mutants per stage, mutant i of a stage from seed `base + i` (so `seed` reproduces
 * it: mutate(seeds[k], rng(seed))).
 */
export async function campaign(stages: Stage[], count: number, base: number, opts: { limits: Partial<Limits>; hangMs: number; onProgress?: (done: number) => void }): Promise<Campaign> {
  const kb = await loadKnowledgeBase();
  const all = seeds();
  const out: Campaign = { inputs: 0, crashes: 0, lost: 0, hangs: 0, messages: 0, worstMs: {}, worstSeed: {}, worstRssDeltaMiB: 0, peakRssMiB: 0, failures: [] };
  for (const stage of stages) {
    const pool = all[stage];
    for (let i = 0; i < count; i++) {
      const seed = base + i;
      const r = rng(seed);
      const input = mutant(pool, r);
      const before = process.memoryUsage().rss;
      const res = await runOne(stage, input, { kb, limits: opts.limits }, opts.hangMs);
      const rss = process.memoryUsage().rss;
      out.worstRssDeltaMiB = Math.max(out.worstRssDeltaMiB, (rss - before) / 1048576);
      out.peakRssMiB = Math.max(out.peakRssMiB, rss / 1048576);
      out.inputs++;
      out.messages += res.messages ?? 0;
      if (res.ms > (out.worstMs[stage] ?? 0)) [out.worstMs[stage], out.worstSeed[stage]] = [res.ms, seed];
      if (res.failure) {
        if (res.failure.startsWith('hang')) out.hangs++;
        else if (res.failure.startsWith('lost')) out.lost++;
        else out.crashes++;
        if (out.failures.length < 20) out.failures.push({ stage, seed, failure: res.failure });
      }
      opts.onProgress?.(out.inputs);
    }
  }
  return out;
}

/** The mutant a seed makes from a pool: which seed file, which donor, which mutations. */
export function mutant(pool: Buffer[], r: () => number): Buffer {
  const seedFile = pool[Math.floor(r() * pool.length)];
  const donor = pool[Math.floor(r() * pool.length)];
  return mutate(seedFile, r, donor);
}
