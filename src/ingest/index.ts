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
export { INPUT_FORMATS, isInputError, type InputFormat, type ReadOptions } from './options.js';

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
