/**
 * The closed catalogue of exit codes and the error a user's mistake raises.
 * A UserError is printed as one line (no stack trace); anything else is a bug.
 */

/** Documented exit codes (README "Exit codes"). */
export const EXIT = {
  /** Nothing reached --fail-on. */
  ok: 0,
  /** At least one finding at or above --fail-on. */
  findings: 1,
  /** Bad input or usage: nothing could be read, unknown option, invalid rules file... */
  input: 2,
  /** An outside service failed (GitHub API, SMTP, git): the run did not complete. */
  service: 3,
  /** A bug in vfio-review. */
  internal: 70,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error caused by the user's input or environment, printed as `vfio-review: <source>: <message>`. */
export class UserError extends Error {
  constructor(
    message: string,
    /** The input the error is about: a path, `path#3`, `stdin`, an option name. */
    readonly source?: string,
    readonly exitCode: ExitCode = EXIT.input,
  ) {
    super(message);
    this.name = 'UserError';
  }

  /** The single line shown to the user. */
  line(): string {
    return this.source ? `${this.source}: ${this.message}` : this.message;
  }
}

/** An outside service (GitHub, SMTP, a git remote) failed. */
export class ServiceError extends UserError {
  constructor(message: string, source?: string) {
    super(message, source, EXIT.service);
    this.name = 'ServiceError';
  }
}

/**
 * An input is past one of the documented limits (src/ingest/limits.ts): too large, too deep,
 * too slow. Reported for the one message, naming the limit; the other messages go on.
 */
export class LimitError extends UserError {
  constructor(message: string, source?: string) {
    super(message, source);
    this.name = 'LimitError';
  }
}

/** Longest error text shown for one message (a line of a terminal, give or take). */
export const MAX_ERROR_TEXT = 300;

/**
 * Text from an input (a name, a subject, an exception message that quotes either) made safe for
 * a one-line error: control characters and line breaks become spaces, runs of white space one,
 * and it is cut to `max` characters with an ellipsis.
 */
export function oneLine(text: string, max = MAX_ERROR_TEXT): string {
  const flat = text.replace(/[\x00-\x1f\x7f\u2028\u2029]+/g, ' ').replace(/ {2,}/g, ' ').trim();
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
}
