/**
 * What the operator sees on stderr. Three modes:
 * - `--json`: one JSON object per line (time, level, msg, fields), for log shippers;
 * - a terminal: a progress bar redrawn in place during a backfill, log lines above it;
 * - otherwise (cron, systemd): plain lines, plus a "read N/M" line every 1000 messages.
 */
export type Level = 'info' | 'warn' | 'error';

export class Log {
  private bar?: { done: number; total: number; label: string; started: number; drawn: number };
  private readonly tty: boolean;

  constructor(
    private readonly json: boolean,
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly quiet = false,
  ) {
    this.tty = !json && out.isTTY === true;
  }

  /** A bar is drawn (a terminal): the total of a backfill is worth a walk of the archive. */
  get drawsBar(): boolean {
    return this.tty;
  }

  info(msg: string, fields: Record<string, unknown> = {}): void {
    this.emit('info', msg, fields);
  }
  warn(msg: string, fields: Record<string, unknown> = {}): void {
    this.emit('warn', msg, fields);
  }
  error(msg: string, fields: Record<string, unknown> = {}): void {
    this.emit('error', msg, fields);
  }

  private emit(level: Level, msg: string, fields: Record<string, unknown>): void {
    if (this.quiet && level === 'info') return;
    if (this.json) {
      this.out.write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }) + '\n');
      return;
    }
    this.clearBar();
    const prefix = level === 'info' ? '' : `${level}: `;
    this.out.write(`vfio-review ingest: ${prefix}${msg}\n`);
    this.drawBar();
  }

  /** Start (or extend) a progress count: `total` more units are coming. */
  plan(label: string, total: number): void {
    if (!this.bar) this.bar = { done: 0, total: 0, label, started: Date.now(), drawn: 0 };
    this.bar.total += total;
    this.bar.label = label;
  }

  tick(n = 1): void {
    // Units may be read before their count is known (it is taken beside the reading).
    this.bar ??= { done: 0, total: 0, label: 'messages', started: Date.now(), drawn: 0 };
    const b = this.bar;
    b.done += n;
    if (this.tty) {
      if (Date.now() - b.drawn > 100 || b.done >= b.total) this.drawBar();
    } else if (Math.floor(b.done / 1000) !== Math.floor((b.done - n) / 1000) && (b.total >= 1000 || b.total === 0)) {
      // without a total (not counted: see ReadContext.wantsCount), the count so far
      const of = b.total ? `/${b.total}` : '';
      this.emit('info', `read ${b.done}${of} ${b.label} (${rate(b)}/s)`, b.total ? { done: b.done, total: b.total } : { done: b.done });
    }
  }

  endBar(): void {
    this.clearBar();
    this.bar = undefined;
  }

  private drawBar(): void {
    const b = this.bar;
    if (!this.tty || !b || b.total < 50) return; // a bar for a handful of mails is noise
    const width = 30;
    const frac = b.total ? Math.min(1, b.done / b.total) : 0;
    const fill = Math.round(frac * width);
    this.out.write(`\r[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${b.done}/${b.total} ${b.label} ${rate(b)}/s\x1b[K`);
    b.drawn = Date.now();
  }

  private clearBar(): void {
    if (this.tty && this.bar && this.bar.drawn) this.out.write('\r\x1b[K');
  }
}

function rate(b: { done: number; started: number }): number {
  const s = (Date.now() - b.started) / 1000;
  return s > 0 ? Math.round(b.done / s) : 0;
}
