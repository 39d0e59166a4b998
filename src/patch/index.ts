/**
 * patch: a Message -> a PatchModel (commit message, trailers, files, hunks, C functions,
 * callback assignments). With a SourceTree, whole pre/post files are analysed.
 * (Owned by the intake work, issue #2; signatures are the contract between stages.)
 */
import type { FileChange, Message, PatchModel } from '../model.js';
import type { SourceTree } from '../ingest/tree.js';
import { splitBody } from './message.js';
import type { SplitBody } from './message.js';
import { parseDiff } from './diff.js';
import { parseSubject } from '../ingest/series.js';
import { attribute } from './functions.js';
import { fragmentSides, isCSource, sectionFunction } from './sides.js';
import type { Side } from './sides.js';
import { treeSides } from './apply.js';
import type { Overlay } from './apply.js';
import { collectCallbacks, functionTest, wireRoles } from './callbacks.js';
import { diffFirstLine, numberHunks } from './lines.js';
import type { CParseOptions } from './cparse.js';
import { LimitError } from '../errors.js';
import { limitsOf, type Budget, type Limits } from '../ingest/limits.js';

export interface PatchOptions {
  /** A kernel tree to apply the patch to in memory (whole-file analysis). */
  tree?: SourceTree;
  /** Diff and C limits (src/ingest/limits.ts); defaults when absent. */
  limits?: Partial<Limits>;
  /** The message's time budget, checked between files and during C parses. */
  budget?: Budget;
}

/**
 * Build the patch model of one message. Never throws for a bad diff (sets `mangled`); throws
 * LimitError past a limit (too many lines, a name too long, the time budget spent).
 */
export async function buildPatch(msg: Message, opts: PatchOptions = {}): Promise<PatchModel> {
  const limits = limitsOf(opts.limits);
  const model = headerModel(msg);
  const split = chooseBody(msg);
  fillMessage(model, split);
  const parsed = split.diff ? parseDiff(split.diff, split.diffLine, limits) : undefined;
  // By content, not subject: a diff makes a patch even under `Re:` (patches are often sent as
  // replies); a `Re:` whose diff does not parse is discussion quoting bits of one, and a diff
  // quoted with `> ` is no diff at all.
  const { reply } = parseSubject(msg.subject);
  if (parsed?.files.length) model.kind = 'patch';
  else if (parsed?.error) model.kind = reply ? 'reply' : 'patch';
  else model.kind = model.series?.index === 0 && !reply ? 'cover-letter' : 'reply';
  if (msg.mangled) {
    model.mangled = true;
    model.mangledReason = msg.mangled;
  } else if (parsed?.error) {
    model.mangled = true;
    model.mangledReason = parsed.error;
  }
  model.files = parsed?.files ?? [];
  if (parsed && split.diff) numberHunks(model.files, split.diff, diffFirstLine(msg, split.diff, split.diffLine));
  if (!model.mangled && parsed && model.files.length) await analyseCode(model, opts.tree, { limits, budget: opts.budget });
  return model;
}

function headerModel(msg: Message): PatchModel {
  const model: PatchModel = {
    source: msg.source,
    subject: msg.subject,
    kind: 'patch',
    trailers: [],
    mangled: false,
    files: [],
    functions: [],
    callbacks: [],
    findings: [],
  };
  const { series } = parseSubject(msg.subject);
  if (msg.messageId) model.messageId = msg.messageId;
  if (msg.from) model.from = msg.from;
  if (msg.date) model.date = msg.date;
  if (series) model.series = series;
  if (msg.inReplyTo) model.inReplyTo = msg.inReplyTo;
  if (msg.references.length) model.references = msg.references;
  if (msg.seriesKey) model.seriesKey = msg.seriesKey;
  return model;
}

/** The body, or when it carries no diff, the first attachments that do (text/x-patch...). */
function chooseBody(msg: Message): SplitBody {
  const body = splitBody(msg.body);
  if (body.diff) return body;
  const parts = msg.attachments.map((a) => splitBody(withoutMailHeaders(a.text))).filter((s) => s.diff);
  if (parts.length === 0) return body;
  return {
    commitMessage: body.commitMessage || parts[0].commitMessage,
    trailers: [...body.trailers, ...parts.flatMap((p) => p.trailers)],
    diffstat: parts[0].diffstat,
    diff: parts.map((p) => p.diff).join('\n'),
    diffLine: parts[0].diffLine,
  };
}

/** An attached `git format-patch` file starts with its own mail headers: not commit message. */
function withoutMailHeaders(text: string): string {
  if (!/^From [0-9a-f]{40} /.test(text) && !/^(From|Subject|Date): /m.test(text.split(/\r?\n\r?\n/)[0] ?? '')) return text;
  const cut = /\r?\n\r?\n/.exec(text);
  return cut ? text.slice(cut.index + cut[0].length) : text;
}

function fillMessage(model: PatchModel, split: SplitBody): void {
  if (split.commitMessage) model.commitMessage = split.commitMessage;
  model.trailers = split.trailers;
  const base = split.trailers.find((t) => t.key === 'base-commit');
  const change = split.trailers.find((t) => t.key === 'change-id');
  if (base) model.baseCommit = base.value;
  if (change) model.changeId = change.value;
}

/** Post-images left by earlier parts of a series, per tree and series: part 3 applies on 1 and 2. */
const overlays = new WeakMap<SourceTree, Map<string, Overlay>>();

function seriesOverlay(tree: SourceTree, model: PatchModel): Overlay | undefined {
  if (!model.seriesKey || !model.series) return undefined;
  let byKey = overlays.get(tree);
  if (!byKey) overlays.set(tree, (byKey = new Map()));
  if (model.series.index <= 1 || !byKey.has(model.seriesKey)) byKey.set(model.seriesKey, new Map());
  return byKey.get(model.seriesKey);
}

async function analyseCode(model: PatchModel, tree: SourceTree | undefined, c: CParseOptions): Promise<void> {
  const sides: Side[] = [];
  const wholeFallbacks: string[] = []; // files read as fragments only
  const hunkNotes: string[] = []; // hunks applied with fuzz or read as fragments
  let fragmentHunks = 0;
  const overlay = tree ? seriesOverlay(tree, model) : undefined;
  let usedTree = 0;
  for (const file of model.files) {
    if (file.binary || !isCSource(file.path) || file.hunks.length === 0) continue;
    c.budget?.check(`reading ${file.path}`);
    try {
      if (tree) {
        const r = await treeSides(tree, file, overlay, c);
        if (r.ok) {
          sides.push(...r.sides, ...(await fragmentSides(file, c, r.unplaced)));
          hunkNotes.push(...r.notes);
          fragmentHunks += r.unplaced.length;
          usedTree++;
          remember(overlay, file, r.post);
          continue;
        }
        wholeFallbacks.push(r.note);
      }
      sides.push(...(await fragmentSides(file, c)));
    } catch (err) {
      // Say which file: "drivers/x.c: too large: an identifier of 33000 characters (ffff…)".
      if (err instanceof LimitError && !err.message.startsWith('too slow')) throw new LimitError(`${file.path}: ${err.message}`);
      throw err;
    }
  }
  model.functions = attribute(sides);
  model.callbacks = collectCallbacks(sides, functionTest(knownFunctions(sides, model)));
  wireRoles(model.functions, model.callbacks);
  model.analysis = { mode: tree && wholeFallbacks.length === 0 && fragmentHunks === 0 ? 'tree' : 'fragment' };
  const note = [wholeFallbacks.length ? treeNote(wholeFallbacks, usedTree) : '', ...hunkNotes].filter(Boolean).join('; ');
  if (note) model.analysis.treeNote = note;
}

function remember(overlay: Overlay | undefined, file: FileChange, post: string): void {
  if (!overlay) return;
  if (file.status === 'renamed' && file.oldPath) overlay.set(file.oldPath, null);
  overlay.set(file.path, file.status === 'deleted' ? null : post);
}

function treeNote(notes: string[], usedTree: number): string {
  const also = usedTree ? `; the other ${usedTree} C file(s) were analysed whole` : '';
  return `${notes.join('; ')}: fragment analysis used instead${also}`;
}

/** Names that are functions: definitions and prototypes seen, and hunk-header functions. */
function knownFunctions(sides: Side[], model: PatchModel): Set<string> {
  const known = new Set(model.functions.map((f) => f.name));
  for (const s of sides) {
    for (const f of s.facts.functions) known.add(f.name);
    for (const p of s.facts.prototypes) known.add(p);
    const named = sectionFunction(s.header ?? '');
    if (named) known.add(named);
  }
  return known;
}
