/**
 * collectMessages: read every input, then thread and order what was read.
 */
import type { InputError, Message } from '../model.js';
import { UserError } from '../errors.js';
import { isInputError, type ReadOptions } from './index.js';
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
  try {
    return { messages: threadMessages(messages), errors };
  } catch (err) {
    // Threading is an ordering nicety: a bug there must not cost the messages themselves.
    errors.push({ source: inputs.join(', '), message: messageFailure(err, 'threading the messages') });
    return { messages, errors };
  }
}
