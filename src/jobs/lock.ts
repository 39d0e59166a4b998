/**
 * One job per state file. Two overlapping cron runs would both review the same series and
 * could both hand the same reply to SMTP; the lock file (`<state>.lock`, holding the pid)
 * stops the second one with a clear line. A lock left by a killed job (its pid is gone) is
 * taken over: kill -9 must not need a human to clean up.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../errors.js';

export function acquireLock(stateFile: string): () => void {
  const path = `${stateFile}.lock`;
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(path, 'utf8') === String(process.pid)) unlinkSync(path);
        } catch {
          /* already gone */
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new UserError(`cannot create lock file: ${(err as Error).message}`, path);
      const pid = Number(readFileSync(path, 'utf8').trim());
      if (pid && pid !== process.pid && alive(pid)) {
        throw new UserError(`another vfio-review ingest (pid ${pid}) is using this state file`, stateFile);
      }
      unlinkSync(path); // stale: its owner died without cleaning up
    }
  }
  throw new UserError('cannot take the lock', path);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
