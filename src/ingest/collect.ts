/**
 * collectMessages: read every input, then thread and order what was read.
 */
import type { InputError, Message } from '../model.js';
import { oneLine, UserError } from '../errors.js';
import { isInputError, type ReadOptions } from './options.js';
import { readMessages } from './read.js';
import { threadMessages } from './series.js';
import { messageFailure } from './guard.js';

export async function collectMessages(inputs: string[], opts: ReadOptions = {}): Promise<{ messages: Message[]; errors: InputError[] }> {
  const messages: Message[] = [];
  const errors: InputError[] = [];
  for (const input of inputs) {
    try {
      for await (const item of readMessages(input, opts)) {
        if (isInputError(item)) errors.push(item);
        else messages.push(item);
      }
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      errors.push({ source: err.source ?? input, message: err.message });
    }
  }
  if (messages.length === 0) {
    const first = errors[0];
    if (!first) throw new UserError('no messages', inputs.join(', '));
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
    throw new UserError(first.message + more, first.source);
  }
  reportDuplicates(messages, errors);
  try {
    return { messages: threadMessages(messages), errors };
  } catch (err) {
    // Threading is an ordering nicety: a bug there must not cost the messages themselves.
    errors.push({ source: inputs.join(', '), message: messageFailure(err, 'threading the messages') });
    return { messages, errors };
  }
}

/**
 * Threading reviews a Message-ID once (the same mail given twice: an mbox and its files, a
 * mail cross-posted to two lists); each later copy says so in errors, so that every message
 * read has exactly one outcome.
 */
export function reportDuplicates(messages: Message[], errors: InputError[]): void {
  const first = new Map<string, Message>();
  for (const m of messages) {
    if (!m.messageId) continue;
    const f = first.get(m.messageId);
    if (f) errors.push({ source: m.source, message: oneLine(`skipped: the same Message-ID as ${f.source}, reviewed there`) });
    else first.set(m.messageId, m);
  }
}
