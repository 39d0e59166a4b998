/**
 * Which (path, line, side) a review comment may be anchored to: the lines of the pull
 * request's own diff. GitHub rejects a whole review (422) when one anchor is outside it, so
 * every anchor is checked here, against the diff we fetched, before anything is posted.
 */

export interface FileAnchors {
  /** Post-image lines shown in the diff: added and context lines. */
  right: Set<number>;
  /** Pre-image lines shown in the diff: removed and context lines. */
  left: Set<number>;
}

export type DiffAnchors = Map<string, FileAnchors>;

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/** Parse a unified (git) diff into the lines each file shows. */
export function parseDiffAnchors(diff: string): DiffAnchors {
  const out: DiffAnchors = new Map();
  let file: FileAnchors | undefined;
  let oldLine = 0;
  let newLine = 0;
  let inHunk = false;
  // Lines left in the hunk per side: a hunk ends by count (a mail's "-- " signature is not a deletion).
  let oldLeft = 0;
  let newLeft = 0;
  for (const raw of diff.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.startsWith('diff --git ')) {
      file = undefined;
      inHunk = false;
      continue;
    }
    if (!inHunk && line.startsWith('+++ ')) {
      const path = stripPrefix(line.slice(4));
      file = path ? { right: new Set(), left: new Set() } : undefined;
      if (path && file) out.set(path, file);
      continue;
    }
    const h = HUNK.exec(line);
    if (h && file) {
      [oldLine, newLine, inHunk] = [Number(h[1]), Number(h[3]), true];
      [oldLeft, newLeft] = [Number(h[2] ?? 1), Number(h[4] ?? 1)];
      continue;
    }
    if (!inHunk || !file) continue;
    if (line.startsWith('+')) {
      file.right.add(newLine++);
      newLeft--;
    } else if (line.startsWith('-')) {
      file.left.add(oldLine++);
      oldLeft--;
    } else if (line.startsWith(' ') || line === '') {
      file.right.add(newLine++);
      file.left.add(oldLine++);
      [oldLeft, newLeft] = [oldLeft - 1, newLeft - 1];
    } else if (!line.startsWith('\\')) inHunk = false;
    if (oldLeft <= 0 && newLeft <= 0) inHunk = false;
  }
  return out;
}

/** "b/path" -> "path"; /dev/null (a deleted file) has no post-image. */
function stripPrefix(p: string): string | undefined {
  const path = p.replace(/\t.*$/, '');
  if (path === '/dev/null') return undefined;
  return path.replace(/^[ab]\//, '').replace(/^"(.*)"$/, '$1');
}

export function isAnchored(
  anchors: DiffAnchors,
  c: { path: string; line: number; side: 'LEFT' | 'RIGHT' },
): boolean {
  const f = anchors.get(c.path);
  if (!f || !Number.isInteger(c.line) || c.line < 1) return false;
  return (c.side === 'LEFT' ? f.left : f.right).has(c.line);
}
