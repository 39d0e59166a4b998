/**
 * Which files vfio-review follows: the vfio-pci driver and the PCI core it leans on. The
 * mailing-list job (per-list globs, these by default) and the Action (which commits of a pull
 * request to review on their own) ask the same question, so they share the answer.
 */
import picomatch from 'picomatch';

export const FOLLOWED_GLOBS = [
  'drivers/vfio/pci/**',
  'drivers/pci/**',
  'include/linux/pci*.h',
  'include/linux/vfio_pci_core.h',
];

/** A path test for a list of globs. */
export function globMatcher(globs: string[]): (path: string) => boolean {
  const m = picomatch(globs, { dot: true });
  return (p) => m(p);
}

/**
 * Paths a diff touches, from its `diff --git a/X b/Y` and `---`/`+++` lines: a scan, not a parse,
 * so it stays cheap on a backfill of thousands of mails.
 */
export function filesInText(texts: string[]): string[] {
  const files = new Set<string>();
  for (const text of texts) {
    for (const m of text.matchAll(/^diff --git a\/(\S+) b\/(\S+)/gm)) {
      files.add(m[1]);
      files.add(m[2]);
    }
    for (const m of text.matchAll(/^(?:\+\+\+|---) [ab]\/(\S+)/gm)) files.add(m[1]);
  }
  return [...files];
}

/**
 * filesInText of a plain mail's bytes. Most list mail has no diff line at all, which a byte
 * search tells without decoding the mail; otherwise only the part from the line of the first
 * marker on is decoded (filesInText reads nothing before it). A line start is a character
 * boundary, so the UTF-8 decode is the same.
 */
export function filesInBytes(raw: Buffer): string[] {
  let first = -1;
  for (const marker of DIFF_MARKERS) {
    const at = raw.indexOf(marker);
    if (at >= 0 && (first < 0 || at < first)) first = at;
  }
  if (first < 0) return [];
  const lineStart = Math.max(raw.lastIndexOf(0x0a, first), raw.lastIndexOf(0x0d, first)) + 1;
  return filesInText([raw.toString('utf8', lineStart)]);
}

// What filesInText's line patterns start with (they also need a line start before them).
const DIFF_MARKERS = ['diff --git a/', '+++ ', '--- '];
