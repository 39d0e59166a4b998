/** Which kernel line a version belongs to. Lines are listed oldest first in kernels.yaml. */
import { compareMinor, inStableFrom, parseVersion } from './versions.js';
import type { KernelLine } from './types.js';

/**
 * The line of "6.12", "6.12.117", "v6.19-rc1": a stable entry of a newer line wins over the
 * since/until range of an older one (6.18.10 has the 6.19+ shape).
 */
export function lineForVersion(lines: KernelLine[], text: string): KernelLine | undefined {
  const v = parseVersion(text);
  if (!v) return undefined;
  for (const line of [...lines].reverse()) {
    if ((line.stable ?? []).some((s) => inStableFrom(v, s.branch, s.since) === true)) return line;
  }
  return lines.find((line) => {
    const since = parseVersion(line.since)!;
    const until = line.until ? parseVersion(line.until) : undefined;
    return compareMinor(v, since) >= 0 && (!until || compareMinor(v, until) <= 0);
  });
}
