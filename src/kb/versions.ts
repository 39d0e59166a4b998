/** Kernel version strings: "6.12", "6.12.117", "v6.19-rc1", "6.12.117-1~deb12u1". */

export interface KernelVersion {
  major: number;
  minor: number;
  /** Stable sublevel; undefined for "6.12" or "v6.19-rc1". */
  sub?: number;
}

/** Parse a version; undefined when it does not start like one. */
export function parseVersion(text: string): KernelVersion | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), sub: m[3] === undefined ? undefined : Number(m[3]) };
}

/** Compare major.minor only. */
export function compareMinor(a: KernelVersion, b: KernelVersion): number {
  return a.major - b.major || a.minor - b.minor;
}

/** Compare including the sublevel (absent = 0). */
export function compareFull(a: KernelVersion, b: KernelVersion): number {
  return compareMinor(a, b) || (a.sub ?? 0) - (b.sub ?? 0);
}

/** "6.18.10" is in branch "6.18" from sublevel 10 on: true/false, or undefined without a sublevel. */
export function inStableFrom(v: KernelVersion, branch: string, since: string): boolean | undefined {
  const b = parseVersion(branch);
  const s = parseVersion(since);
  if (!b || !s || compareMinor(v, b) !== 0) return false;
  if (v.sub === undefined) return undefined;
  return compareFull(v, s) >= 0;
}

export function formatVersion(v: KernelVersion): string {
  return `${v.major}.${v.minor}${v.sub === undefined ? '' : `.${v.sub}`}`;
}
