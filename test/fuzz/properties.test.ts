// Property-based tests (fast-check, issue 11 must-have 7): generated mboxes split as git
// mailsplit splits them; generated mail, diffs and C never make an exception other than a
// UserError escape; the one-line error text and the --tree line map keep their promises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { isFromLine, isFromLineBytes, isSplitProblem, splitMbox } from '../../src/ingest/mbox.js';
import { parseMail } from '../../src/ingest/mail.js';
import { parseDiff } from '../../src/patch/diff.js';
import { analyzeC } from '../../src/patch/cparse.js';
import { lineMapper } from '../../src/patch/apply.js';
import { longestIdentifier } from '../../src/ingest/limits.js';
import { oneLine, UserError } from '../../src/errors.js';

const SEED = 20261202; // fixed: a failure is reproducible
const runs = (numRuns: number) => ({ numRuns, seed: SEED });

/** Lines an mbox is made of, the tricky ones over-represented. */
const mboxLine = fc.oneof(
  fc.constantFrom(
    'From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001',
    'From mboxrd@z Thu Jan  1 00:00:00 1970',
    'From nobody Mon Sep 18 10:20:30 2023',
    'From x 1:22:33 2023',
    'From 1:22:33 2023',
    'From the log: 10:20:30 1989',
    '>From here',
    '>>From there',
    'From: A <a@example.org>',
    'Subject: [PATCH] x',
    '',
    ' ',
    '-- ',
  ),
  fc.string({ maxLength: 30 }).map((s) => s.replace(/[\r\n]/g, '')),
  fc.tuple(fc.constantFrom('From ', '>From ', 'From  '), fc.string({ maxLength: 24 })).map(([a, b]) => a + b.replace(/[\r\n]/g, '')),
);
const mbox = fc
  .tuple(fc.array(mboxLine, { minLength: 1, maxLength: 40 }), fc.constantFrom('\n', '\r\n'), fc.boolean())
  .map(([lines, nl, end]) => Buffer.from('From a@b Mon Sep 18 10:20:30 2023' + nl + lines.join(nl) + (end ? nl : ''), 'latin1'));

async function* one(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}

test('property: generated mboxes split as git mailsplit splits them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vfio-prop-'));
  let n = 0;
  try {
    await fc.assert(
      fc.asyncProperty(mbox, async (buf) => {
        const sub = join(dir, String(n++));
        mkdirSync(sub);
        writeFileSync(join(sub, 'in'), buf);
        execFileSync('git', ['mailsplit', '--keep-cr', `-o${sub}`, join(sub, 'in')], { stdio: 'pipe' });
        const git = readdirSync(sub).filter((f) => f !== 'in').sort().map((f) => readFileSync(join(sub, f)));
        const ours = [];
        for await (const m of splitMbox(one(buf), { maxMessageBytes: 1e9 })) ours.push(m);
        assert.equal(ours.length, git.length, 'message count');
        ours.forEach((m, i) => {
          const nl = git[i].indexOf(0x0a); // a postmark on the last line may have no line end
          const g = (nl < 0 ? Buffer.alloc(0) : git[i].subarray(nl + 1)).toString('latin1').replace(/(\r?\n)\r?\n$/, '$1');
          if (isSplitProblem(m)) assert.equal(g.trim(), '', `message ${i + 1} empty`);
          else assert.equal(m.raw.toString('latin1'), g.replace(/^\r?\n$/, ''), `message ${i + 1}`);
        });
      }),
      runs(150),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('property: isFromLine on a string is isFromLineBytes on its line', () => {
  fc.assert(
    fc.property(mboxLine, (line) => {
      assert.equal(isFromLine(line), isFromLineBytes(Buffer.from(line + '\n', 'latin1')));
    }),
    runs(2000),
  );
});

const onlyUserErrors = async (work: () => Promise<unknown>) => {
  try {
    await work();
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
  }
};

test('property: any bytes after a header line parse as mail or fail as a UserError', async () => {
  const header = fc.constantFrom('Subject: x\n', 'From: a@b\n', 'Content-Type: multipart/mixed; boundary=b\nSubject: x\n\n--b\n');
  await fc.assert(
    fc.asyncProperty(header, fc.uint8Array({ maxLength: 2000 }), async (h, body) => {
      await onlyUserErrors(() => parseMail(Buffer.concat([Buffer.from(h), Buffer.from(body)]), 'p.eml'));
    }),
    runs(300),
  );
});

const diffLine = fc.oneof(
  fc.constantFrom('diff --git a/x.c b/x.c', '--- a/x.c', '+++ b/x.c', '@@ -1,3 +1,3 @@', '@@ -1 +1 @@ int f(void)', '\\ No newline at end of file', 'GIT binary patch', '-- ', 'new file mode 100644', 'rename from x.c'),
  fc.tuple(fc.constantFrom(' ', '+', '-', ''), fc.string({ maxLength: 20 })).map(([m, s]) => m + s.replace(/\n/g, '')),
);

test('property: diff-like text parses, or is damaged, or is past a limit; nothing else', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(diffLine, { maxLength: 60 }), async (lines) => {
      await onlyUserErrors(async () => parseDiff(lines.join('\n')));
    }),
    runs(500),
  );
});

test('property: C-like text parses or is past a limit', async () => {
  const tok = fc.oneof(fc.constantFrom('{', '}', '(', ')', ';', 'static', 'int', '__init', '__attribute__((', '/*', '*/', '"', '\n', '#define', '\\\n', '.f = g,'), fc.string({ maxLength: 8 }));
  await fc.assert(
    fc.asyncProperty(fc.array(tok, { maxLength: 200 }), async (toks) => {
      await onlyUserErrors(() => analyzeC(toks.join(' ')));
    }),
    runs(300),
  );
});

test('property: oneLine gives one line, within its length', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 2000 }), fc.integer({ min: 2, max: 400 }), (s, max) => {
      const out = oneLine(s, max);
      assert.ok(out.length <= max);
      assert.doesNotMatch(out, /[\x00-\x1f\x7f\u2028\u2029]/);
    }),
    runs(1000),
  );
});

test('property: longestIdentifier agrees with a regular expression on small texts', () => {
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom('a', 'Z', '_', '1', ' ', '(', 'x'), maxLength: 60 }), (s) => {
      const names = s.match(/(?<![A-Za-z0-9_])[A-Za-z_][A-Za-z0-9_]*/g) ?? [];
      assert.equal(longestIdentifier(s).length, Math.max(0, ...names.map((n) => n.length)));
    }),
    runs(1000),
  );
});

test('property: the --tree line map never goes down and is exact inside hunks', () => {
  // Spans: hunks placed in the tree, in order, each with its patch lines increasing.
  const spans = fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 30 })), { minLength: 1, maxLength: 6 }).map((xs) => {
    let tree = 1;
    let patch = 1;
    return xs.map(([treeGap, len, patchGap]) => {
      tree += treeGap;
      patch += patchGap;
      const span = { from: tree, to: tree + len - 1, patchLines: Array.from({ length: len }, (_, k) => patch + k), changed: [] as number[] };
      tree += len;
      patch += len;
      return span;
    });
  });
  fc.assert(
    fc.property(spans, (ss) => {
      const map = lineMapper(ss);
      let prev = 0;
      for (let line = 1; line <= ss[ss.length - 1].to + 20; line++) {
        const p = map(line)!;
        assert.ok(p >= prev, `line ${line} maps to ${p}, below ${prev}`);
        prev = p;
      }
      for (const s of ss) for (let k = 0; k <= s.to - s.from; k++) assert.equal(map(s.from + k), s.patchLines[k]);
    }),
    runs(500),
  );
});
