/**
 * ingest: outside things -> Messages. Entry points used by the CLI, the Action and the jobs.
 * (Owned by the intake work, issue #2; signatures are the contract between stages.)
 *
 *   read.ts     one input -> Messages (detects the kind: detect.ts, bytes.ts)
 *   mbox.ts     streaming mbox splitter        mail.ts   one RFC 822 message (mailparser)
 *   maildir.ts  Maildir and patch folders      diff.ts   a bare diff
 *   git.ts      a local commit range           series.ts subject tags, threading, versions
 *   collect.ts  several inputs -> ordered, threaded Messages
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

export function isInputError(x: Message | InputError): x is InputError {
  return (x as Message).body === undefined && typeof (x as InputError).message === 'string';
}

/**
 * readMessages(input, opts): read one input (a path, a folder, `-` for stdin) and yield its
 * messages in file order, streaming: memory does not grow with the size of an mbox. A
 * message that cannot be read is yielded as an InputError and the others go on. Throws
 * UserError when the input as a whole cannot be read (missing file, unknown format).
 */
export { readMessages, readBuffer } from './read.js';

/**
 * parseMail(raw, source, opts?): parse one raw RFC 822 message (MIME decoding, attachments,
 * format=flowed detection). Throws MessageError (a UserError) when it is not mail, LimitError past a limit.
 */
export { parseMail, MessageError, DEFAULT_MAX_MESSAGE_BYTES } from './mail.js';

/**
 * collectMessages(inputs, opts): read several inputs, then thread and order them: a
 * series' parts by index under their cover letter, versions of a series grouped (each
 * Message gets `seriesKey`). Bad messages are returned in `errors`; throws UserError only
 * when no input could be read at all.
 */
export { collectMessages } from './collect.js';

export { parseSubject, isCoverLetter, threadMessages, type SubjectInfo } from './series.js';
