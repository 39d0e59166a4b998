/** The options of reading inputs, shared by index.ts, read.ts and collect.ts (its own file, so they need not import each other). */
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
