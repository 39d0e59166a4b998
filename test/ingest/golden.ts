// The Message fields a golden file pins (raw and the full body are checked separately).
import type { InputError, Message } from '../../src/model.js';

export function project(m: Message | InputError): Record<string, unknown> {
  if ((m as Message).body === undefined) return { error: m };
  const msg = m as Message;
  return {
    source: msg.source,
    messageId: msg.messageId,
    subject: msg.subject,
    from: msg.from,
    fromAddress: msg.fromAddress,
    date: msg.date,
    inReplyTo: msg.inReplyTo,
    references: msg.references,
    to: msg.to,
    cc: msg.cc,
    attachments: msg.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, firstLine: a.text.split('\n', 1)[0] })),
    mangled: msg.mangled,
    seriesKey: msg.seriesKey,
    bodyFirstLine: msg.body.split('\n', 1)[0],
    bodyLines: msg.body.split('\n').length,
  };
}
