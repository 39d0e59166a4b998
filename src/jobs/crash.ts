/**
 * Fault injection for the exactly-once tests: VFIO_REVIEW_CRASH_AT=<point>:<n> makes the
 * process SIGKILL itself the n-th time it passes <point>, i.e. exactly in the windows that
 * matter (mid-transaction, after a rename but before the state says so, after SMTP said yes).
 * Unset in production; a no-op costs one string compare.
 */
const spec = process.env.VFIO_REVIEW_CRASH_AT;
const [target, countText] = spec ? spec.split(':') : [];
let remaining = Number(countText ?? 1);

export function crashPoint(name: string): void {
  if (!spec || name !== target) return;
  if (--remaining > 0) return;
  process.kill(process.pid, 'SIGKILL');
}
