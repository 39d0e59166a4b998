/**
 * ingest: outside things -> Messages. Entry points used by the CLI, the Action and the jobs.
 * (Owned by the intake work, issue #2; signatures are the contract between stages.)
 */
import type { InputError, Message } from '../model.js';

export type InputFormat = 'eml' | 'mbox' | 'maildir' | 'patch' | 'diff' | 'git';
export const INPUT_FORMATS: readonly InputFormat[] = ['eml', 'mbox', 'maildir', 'patch', 'diff', 'git'];

export interface ReadOptions {
  /** Force the format instead of detecting it. */
  inputFormat?: InputFormat;
  /** With inputFormat 'git' (or --git): the repository and the revision or range. */
  repo?: string;
  git?: string;
  /** Cap on the bytes of one message that are parsed (default 10 MiB). */
  maxMessageBytes?: number;
}

/**
 * Read one input (a path, a folder, `-` for stdin) and yield its messages in file order,
 * streaming: memory does not grow with the size of an mbox. A message that cannot be read
 * is yielded as an InputError and the others go on. Throws UserError when the input as a
 * whole cannot be read (missing file, unknown format).
 */
export async function* readMessages(input: string, opts: ReadOptions = {}): AsyncGenerator<Message | InputError> {
  void input;
  void opts;
  throw new Error('readMessages: not implemented yet');
}

/** Parse one raw RFC 822 message (MIME decoding, attachments, format=flowed detection). */
export async function parseMail(raw: Buffer, source: string): Promise<Message> {
  void raw;
  void source;
  throw new Error('parseMail: not implemented yet');
}

export function isInputError(x: Message | InputError): x is InputError {
  return (x as Message).body === undefined && typeof (x as InputError).message === 'string';
}

/**
 * Read several inputs, then thread and order them: a series' parts by index under their
 * cover letter, versions of a series grouped (each Message gets `seriesKey`). Bad messages
 * are returned in `errors`; throws UserError only when no input could be read at all.
 */
export async function collectMessages(
  inputs: string[],
  opts: ReadOptions = {},
): Promise<{ messages: Message[]; errors: InputError[] }> {
  void inputs;
  void opts;
  throw new Error('collectMessages: not implemented yet');
}
