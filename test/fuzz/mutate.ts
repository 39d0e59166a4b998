/**
 * A seeded mutation engine for the fuzz tests and bench/fuzz.ts: the same seed gives the same
 * mutants, so a failure names a seed that reproduces it. Mutations work on bytes and on lines,
 * and splice in the tokens each stage reacts to (postmarks, MIME boundaries, hunk headers,
 * brackets, long names, encoded words, CR/LF, NUL).
 */

/** mulberry32: small, fast, good enough to drive mutations. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rand = () => number;
const int = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)];

/** Tokens that steer a parser somewhere: each stage's own syntax, and hostile sizes. */
const TOKENS = [
  'From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\n',
  'From mboxrd@z Thu Jan  1 00:00:00 1970\n',
  'From nobody Mon Sep 18 10:20:30 2023\n',
  '>From ',
  '\n\n',
  '\r\n',
  '\r',
  '\x00',
  '\xff\xfe',
  'Content-Type:\n',
  'Content-Type: multipart/mixed; boundary="b"\n\n--b\n',
  '--b\n',
  '--b--\n',
  'Content-Type: text/plain; format=flowed\n',
  'Content-Transfer-Encoding: base64\n',
  'Content-Transfer-Encoding: quoted-printable\n',
  '=?utf-8?b?PGltZyBzcmM9eCBvbmVycm9yPWFsZXJ0KDEpPg==?=',
  '=?iso-8859-1?q?=0D=0ABcc:_x@evil?=',
  'Subject: Re: [PATCH v2 3/4] x\n',
  'In-Reply-To: <a@b>\n',
  'Message-ID: <../../etc/passwd>\n',
  'diff --git a/drivers/vfio/pci/x.c b/drivers/vfio/pci/x.c\n',
  '--- a/drivers/vfio/pci/x.c\n+++ b/drivers/vfio/pci/x.c\n',
  '@@ -1,3 +1,4 @@ static int f(void)\n',
  '@@ -99999999999,1 +0,0 @@\n',
  '@@ -1 +1 @@\n',
  '+\tpci_restore_state(pdev);\n',
  '-\tpci_save_state(pdev);\n',
  '\\ No newline at end of file\n',
  'GIT binary patch\nliteral 5\nMcmZ?\n',
  '-- \n2.39.5\n',
  '{',
  '}',
  '(',
  '#define X(a) \\\n',
  '/*',
  '*/',
  '"',
  '__attribute__((',
  'static int __init ',
  '.reset_done = f,\n',
];

function token(r: Rand): string {
  const roll = r();
  if (roll < 0.04) return 'x'.repeat(1 + int(r, 40_000)); // a long name or line
  if (roll < 0.07) return pick(r, ['{', '(', '[']).repeat(1 + int(r, 2000)); // deep nesting
  if (roll < 0.09) return ' '.repeat(1 + int(r, 20_000)); // long white space (regex backtracking)
  if (roll < 0.1) return pick(r, TOKENS).repeat(1 + int(r, 300));
  return pick(r, TOKENS);
}

type Op = (b: Buffer, r: Rand, donor: Buffer) => Buffer;

const at = (b: Buffer, r: Rand) => int(r, b.length + 1);
const lineStarts = (b: Buffer): number[] => {
  const out = [0];
  for (let i = b.indexOf(0x0a); i !== -1 && i + 1 < b.length; i = b.indexOf(0x0a, i + 1)) out.push(i + 1);
  return out;
};
const lineAt = (b: Buffer, r: Rand) => pick(r, lineStarts(b));

const OPS: Op[] = [
  // bytes
  (b, r) => {
    const c = Buffer.from(b);
    for (let n = 1 + int(r, 8); n > 0 && c.length; n--) c[int(r, c.length)] ^= 1 << int(r, 8);
    return c;
  },
  (b, r) => {
    const i = at(b, r);
    return Buffer.concat([b.subarray(0, i), Buffer.from([int(r, 256)]), b.subarray(i)]);
  },
  (b, r) => {
    const i = at(b, r);
    return Buffer.concat([b.subarray(0, i), b.subarray(Math.min(b.length, i + 1 + int(r, 64)))]);
  },
  (b, r) => b.subarray(0, at(b, r)), // truncate
  // tokens, at a line start or anywhere
  (b, r) => {
    const i = r() < 0.7 ? lineAt(b, r) : at(b, r);
    return Buffer.concat([b.subarray(0, i), Buffer.from(token(r), 'latin1'), b.subarray(i)]);
  },
  // lines: delete, duplicate, swap, from the donor
  (b, r) => {
    const s = lineStarts(b);
    const k = int(r, s.length);
    return Buffer.concat([b.subarray(0, s[k]), b.subarray(s[k + 1] ?? b.length)]);
  },
  (b, r) => {
    const s = lineStarts(b);
    const k = int(r, s.length);
    const line = b.subarray(s[k], s[k + 1] ?? b.length);
    return Buffer.concat([b.subarray(0, s[k]), ...Array(1 + int(r, r() < 0.1 ? 5000 : 4)).fill(line), b.subarray(s[k])]);
  },
  (b, r, donor) => {
    const d = lineStarts(donor);
    const k = int(r, d.length);
    const chunk = donor.subarray(d[k], d[Math.min(d.length - 1, k + 1 + int(r, 30))] ?? donor.length);
    const i = lineAt(b, r);
    return Buffer.concat([b.subarray(0, i), chunk, b.subarray(i)]);
  },
  // line ends
  (b) => Buffer.from(b.toString('latin1').replace(/\n/g, '\r\n'), 'latin1'),
  (b) => Buffer.from(b.toString('latin1').replace(/\r?\n/g, '\r'), 'latin1'),
];

/** Mutants stay a little over the 10 MiB message limit: big enough to test it, no bigger. */
export const MAX_MUTANT = 11 * 1024 * 1024;

/** One mutant of `seed` (1 to 4 mutations), `donor` giving lines to splice in. */
export function mutate(seed: Buffer, r: Rand, donor: Buffer = seed): Buffer {
  let b = seed;
  for (let n = 1 + int(r, 4); n > 0; n--) {
    b = pick(r, OPS)(b, r, donor);
    if (b.length > MAX_MUTANT) b = b.subarray(0, MAX_MUTANT);
  }
  return b;
}
