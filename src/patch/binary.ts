/**
 * Binary patches. jsdiff flags `Binary files a/x and b/y differ` but not `GIT binary patch`
 * (measured, ecosystem-notes §5.2: a new binary file comes out as an empty text create), and
 * the base85 payload must not reach it as text. We find both kinds ourselves.
 */

export type BinaryKind = 'git-binary-patch' | 'binary-files-differ';

/** The binary marker a file block's header line is, if any. */
export function binaryMarker(line: string): BinaryKind | undefined {
  if (line === 'GIT binary patch') return 'git-binary-patch';
  if (/^Binary files .* differ$/.test(line)) return 'binary-files-differ';
  return undefined;
}

/**
 * Index just past the payload of a `GIT binary patch` that starts at `from` (the marker line):
 * `literal N`/`delta N` records of base85 lines, each ended by a blank line.
 */
export function skipBinaryPayload(lines: string[], from: number): number {
  let i = from + 1;
  while (i < lines.length) {
    const l = lines[i];
    if (/^(literal|delta) \d+$/.test(l) || l === '' || isBase85Line(l)) i++;
    else break;
  }
  return i;
}

/** A base85 line: a length character (A-Z = 1..26, a-z = 27..52) then 5-char groups. */
function isBase85Line(l: string): boolean {
  return /^[A-Za-z][0-9A-Za-z!#$%&()*+\-;<=>?@^_`{|}~]+$/.test(l) && (l.length - 1) % 5 === 0;
}
