import 'server-only';
import fs from 'node:fs';
import path from 'node:path';

export type DirectoryLock = { release(): void };

export class LockedError extends Error {
  override name = 'LockedError';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The embedded database is a single-process store: a second process opening it would corrupt it.
 * A pid file guards it; a lock left by a process that no longer exists is taken over.
 */
export function acquireDirectoryLock(dir: string, name: string): DirectoryLock {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.lock`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          if (fs.readFileSync(file, 'utf8') === String(process.pid)) fs.unlinkSync(file);
        } catch {
          // already gone
        }
      };
      process.once('exit', release);
      return { release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(fs.readFileSync(file, 'utf8').trim());
      if (holder === process.pid) {
        throw new LockedError(`The embedded database in ${dir} is already open in this process.`);
      }
      if (Number.isInteger(holder) && holder > 0 && alive(holder)) {
        throw new LockedError(
          `The embedded database in ${dir} is in use by process ${holder} (a running portal?). ` +
            'Stop that process, or set DATABASE_URL to use PostgreSQL.',
        );
      }
      fs.unlinkSync(file);
    }
  }
  throw new LockedError(`Could not lock the embedded database in ${dir}.`);
}
