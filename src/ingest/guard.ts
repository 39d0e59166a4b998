/**
 * One message, one outcome: whatever goes wrong while one message is read, parsed or reviewed
 * becomes an error for that message (`errors[]`), and the other messages go on. A UserError
 * (LimitError, MessageError) says what is wrong with the input; any other exception is a bug
 * of ours that this input found, reported as such on the same one line, cut to a sane length
 * (an exception may quote a whole 33,000-character name).
 */
import type { InputError } from '../model.js';
import { oneLine, UserError } from '../errors.js';

/** The one-line text for an exception met while `stage` ("reading the mail", "reviewing"). */
export function messageFailure(err: unknown, stage: string): string {
  if (err instanceof UserError) return oneLine(err.message);
  const e = err as { name?: unknown; message?: unknown } | undefined;
  const what = typeof e?.message === 'string' ? `${typeof e.name === 'string' ? e.name : 'Error'}: ${e.message}` : String(err);
  return oneLine(`internal error while ${stage} (please report it): ${what}`);
}

/** The InputError for one message: `source` names the input and the message (`path#3`). */
export function messageError(source: string, err: unknown, stage: string, index?: number): InputError {
  const e: InputError = { source: oneLine(source, 200), message: messageFailure(err, stage) };
  if (index !== undefined) e.messageIndex = index;
  return e;
}

export type Guarded<T> = { ok: true; value: T } | { ok: false; error: InputError };

/** Run one message's stage; an exception becomes that message's InputError. */
export async function guarded<T>(source: string, stage: string, work: () => Promise<T>, index?: number): Promise<Guarded<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (err) {
    return { ok: false, error: messageError(source, err, stage, index) };
  }
}
