/**
 * Helpers for the rule tests: read a `git format-patch` file into a Message (headers and body;
 * these fixtures are plain 8-bit text) and run it through the real pipeline.
 */
import { readFile } from 'node:fs/promises';
import type { Finding, Message } from '../../src/model.js';
import { reviewMessages } from '../../src/pipeline.js';
import type { KnowledgeBase } from '../../src/kb/types.js';

/** Parse a format-patch file (one message) into a Message. */
export function patchToMessage(text: string, source: string): Message {
  const norm = text.replace(/\r\n/g, '\n');
  const start = norm.startsWith('From ') ? norm.indexOf('\n') + 1 : 0;
  const split = norm.indexOf('\n\n', start);
  const head = norm.slice(start, split < 0 ? norm.length : split);
  const body = split < 0 ? '' : norm.slice(split + 2);
  const headers = new Map<string, string>();
  let last = '';
  for (const line of head.split('\n')) {
    if (/^[ \t]/.test(line) && last) headers.set(last, `${headers.get(last)} ${line.trim()}`);
    else {
      const m = /^([\w-]+):\s*(.*)$/.exec(line);
      if (!m) continue;
      last = m[1].toLowerCase();
      headers.set(last, m[2]);
    }
  }
  const angle = (v?: string) => v?.replace(/^\s*<|>\s*$/g, '');
  return {
    source,
    messageId: angle(headers.get('message-id')),
    subject: headers.get('subject') ?? '',
    from: headers.get('from'),
    date: headers.get('date'),
    inReplyTo: angle(headers.get('in-reply-to')),
    references: (headers.get('references') ?? '').split(/\s+/).filter(Boolean).map((r) => angle(r)!),
    to: [],
    cc: [],
    body,
    attachments: [],
  };
}

/** Review one or more patch files (a series, in order) and return the findings per file. */
export async function reviewPatchFiles(
  files: string[],
  opts: { kernel?: string; kb?: KnowledgeBase; ignore?: string[] } = {},
): Promise<{ findings: Finding[][]; target?: string }> {
  const messages: Message[] = [];
  for (const f of files) {
    const msg = patchToMessage(await readFile(f, 'utf8'), f);
    if (files.length > 1) msg.seriesKey = 'test-series';
    messages.push(msg);
  }
  const r = await reviewMessages(messages, [], { kernel: opts.kernel, kb: opts.kb, ignore: opts.ignore });
  return { findings: r.patches.map((p) => p.findings), target: r.target?.description };
}
