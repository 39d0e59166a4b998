/**
 * readMessages: one input (file, folder, stdin, git range) -> Messages and InputErrors,
 * streaming. Whole-input failures throw UserError; one bad message becomes an InputError.
 */
import { statSync, type Stats } from 'node:fs';
import { Readable } from 'node:stream';
import type { InputError, Message } from '../model.js';
import { UserError } from '../errors.js';
import { openBytes, Peekable } from './bytes.js';
import { firstLine, sniffFormat, SNIFF_BYTES, type StreamFormat } from './detect.js';
import { diffMessage } from './diff.js';
import { gitRangeMbox } from './git.js';
import { DEFAULT_MAX_MESSAGE_BYTES, parseMail } from './mail.js';
import { messageFailure } from './guard.js';
import { isMaildir, maildirFiles, patchFiles } from './maildir.js';
import { formatBytes, isFromLine, isSplitProblem, splitMbox, type RawMessage, type SplitProblem } from './mbox.js';
import type { InputFormat, ReadOptions } from './options.js';

type Item = Message | InputError;

/** One line for a file-system error, without node's "ENOENT: ..., stat '/x'" noise. */
function fsProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a folder';
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR') return `corrupt gzip data (${(err as Error).message})`;
  return (err as Error).message;
}

export async function* readMessages(input: string, opts: ReadOptions = {}): AsyncGenerator<Item> {
  const max = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (opts.inputFormat === 'git' || opts.git) {
    const repo = opts.repo ?? input;
    const mbox = await gitRangeMbox(repo, opts.git);
    yield* readMbox(new Peekable(Readable.from([mbox])), repo, max, (raw) => `${repo}#${commitOf(raw)}`);
    return;
  }
  if (input === '-') {
    yield* readStream(await openBytes('-'), 'stdin', '-', opts.inputFormat, max);
    return;
  }
  // Synchronous: node:fs/promises is a few ms of a cold start that a single stat does not need.
  let info: Stats;
  try {
    info = statSync(input);
  } catch (err) {
    throw new UserError(fsProblem(err), input);
  }
  if (info.isDirectory()) yield* readFolder(input, opts.inputFormat, max);
  else yield* readStream(await openBytes(input).catch(rethrowFs(input)), input, input, opts.inputFormat, max);
}

/**
 * The messages of bytes already in memory (a test, the fuzz bench, a caller holding a mail),
 * read exactly as a file with those bytes would be: detected, split, parsed.
 */
export async function* readBuffer(bytes: Buffer, label: string, opts: ReadOptions = {}): AsyncGenerator<Item> {
  const max = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  yield* readStream(new Peekable(Readable.from([bytes])), label, label, opts.inputFormat, max);
}

function rethrowFs(source: string) {
  return (err: unknown): never => {
    throw new UserError(fsProblem(err), source);
  };
}

/** The commit a format-patch postmark names, shortened. */
function commitOf(raw: RawMessage): string {
  return /^From ([0-9a-f]{12})/.exec(raw.postmark ?? '')?.[1] ?? `${raw.index}`;
}

async function* readFolder(dir: string, format: InputFormat | undefined, max: number): AsyncGenerator<Item> {
  if (format === 'maildir' || (format === undefined && (await isMaildir(dir)))) {
    if (!(await isMaildir(dir))) throw new UserError('not a Maildir (no cur/ or new/ folder)', dir);
    const files = await maildirFiles(dir);
    if (files.length === 0) throw new UserError('empty Maildir (nothing in new/ or cur/)', dir);
    for (const file of files) yield* readFileOrError(file, 'eml', max);
    return;
  }
  const files = await patchFiles(dir).catch(rethrowFs(dir));
  if (files.length === 0) throw new UserError('folder holds no Maildir (cur/, new/) and no *.patch, *.diff, *.eml or *.mbox files', dir);
  for (const file of files) yield* readFileOrError(file, format, max);
}

/** One file among many: a file that cannot be read is an InputError, not the end of the run. */
async function* readFileOrError(file: string, format: InputFormat | undefined, max: number): AsyncGenerator<Item> {
  try {
    yield* readStream(await openBytes(file).catch(rethrowFs(file)), file, file, format, max);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    yield { source: err.source ?? file, message: err.message };
  }
}

function chooseFormat(head: Buffer, forced: InputFormat | undefined, label: string): StreamFormat {
  const sniffed = sniffFormat(head);
  switch (forced) {
    case 'mbox':
    case 'eml':
    case 'diff':
      return forced;
    case 'maildir':
      throw new UserError('not a Maildir (a folder with cur/ or new/ is needed)', label);
    case 'patch':
      // A format-patch file has a postmark (mbox); without one it is a bare mail.
      return sniffed === 'mbox' ? 'mbox' : sniffed === 'diff' ? 'diff' : 'eml';
    default:
      if (!sniffed) throw new UserError(`not a mail, an mbox or a diff (starts with ${firstLine(head)})`, label);
      return sniffed;
  }
}

async function* readStream(bytes: Peekable, label: string, name: string, forced: InputFormat | undefined, max: number): AsyncGenerator<Item> {
  const head = await bytes.peek(SNIFF_BYTES).catch(rethrowFs(label));
  if (head.toString('latin1').trim() === '') throw new UserError('empty input', label);
  const format = chooseFormat(head, forced, label);
  if (format === 'mbox') {
    yield* readMbox(bytes, label, max);
    return;
  }
  const all = await bytes.readAll(max).catch(rethrowFs(label));
  if (!all) {
    yield { source: label, message: `message is over the ${formatBytes(max)} limit` };
    return;
  }
  if (format === 'diff') {
    try {
      yield diffMessage(all, label, name);
    } catch (err) {
      yield problem(label, 1, undefined, messageFailure(err, 'reading the diff'));
    }
    return;
  }
  const bare = withoutPostmark(all);
  const item = await parseOrError(bare, label, 1, undefined, max);
  if (bare !== all && 'body' in item) item.postmarked = true;
  yield item;
}

/** A message cut after a `From ` line says so: its patch-file line numbers count that line. */
function markPostmark(item: Item, raw: RawMessage): Item {
  if (raw.postmark && 'body' in item) item.postmarked = true;
  return item;
}

/** A lone message may still carry an mbox postmark (a .patch forced as eml, some Maildir writers). */
function withoutPostmark(raw: Buffer): Buffer {
  const nl = raw.indexOf(0x0a);
  return nl > 0 && isFromLine(raw.subarray(0, nl).toString('latin1')) ? raw.subarray(nl + 1) : raw;
}

/** One message: parsed, or (whatever went wrong) its InputError; never the end of the input. */
async function parseOrError(raw: Buffer, source: string, line: number, index: number | undefined, max: number): Promise<Item> {
  try {
    return await parseMail(raw, source, { maxMessageBytes: max });
  } catch (err) {
    return problem(source, line, index, messageFailure(err, 'reading the mail'));
  }
}

function problem(source: string, line: number, index: number | undefined, text: string): InputError {
  const e: InputError = { source, message: `line ${line}: ${text}`, line };
  if (index !== undefined) e.messageIndex = index;
  return e;
}

/**
 * The messages of an mbox. A one-message mbox (a format-patch file) is named by its path
 * alone, the messages of a longer one `path#N`: so hold the first until the second shows.
 */
async function* readMbox(bytes: AsyncIterable<Buffer>, label: string, max: number, name?: (raw: RawMessage) => string): AsyncGenerator<Item> {
  const nameOf = (raw: RawMessage | SplitProblem, alone: boolean) =>
    name && !isSplitProblem(raw) ? name(raw) : alone || raw.index === 0 ? label : `${label}#${raw.index}`;
  const toItem = (raw: RawMessage | SplitProblem, alone: boolean): Promise<Item> =>
    isSplitProblem(raw)
      ? Promise.resolve(problem(nameOf(raw, alone), raw.line, raw.index || undefined, raw.problem))
      : parseOrError(raw.raw, nameOf(raw, alone), raw.line, raw.index, max).then((item) => markPostmark(item, raw));

  let first: RawMessage | SplitProblem | undefined;
  let count = 0;
  try {
    for await (const raw of splitMbox(bytes, { maxMessageBytes: max })) {
      if (raw.index === 0) {
        yield await toItem(raw, true);
        continue;
      }
      count++;
      if (count === 1) {
        first = raw;
        continue;
      }
      if (first) {
        yield await toItem(first, false);
        first = undefined;
      }
      yield await toItem(raw, false);
    }
  } catch (err) {
    // Only read-side failures (fs, zlib) carry a code; anything else is a bug.
    if (!(err as NodeJS.ErrnoException).code) throw err;
    if (first) yield await toItem(first, true);
    // A read error or truncated gzip mid-way: what was read stands.
    yield { source: label, message: `cannot read past message ${count}: ${fsProblem(err)}` };
    return;
  }
  if (first) yield await toItem(first, true);
  if (count === 0) yield { source: label, message: 'no messages in the mbox' };
}
