// A lock file held by one process at a time for a long-running writer of the lake (compaction,
// the access index); a lock left by a process that died is taken over.
import fs from 'node:fs/promises';
import path from 'node:path';

/** Locks this process holds: a second writer in the same process must wait its turn, not take the lock over. */
const held = new Set<string>();

export async function acquireLakeLock(file: string, what: string): Promise<() => Promise<void>> {
  if (held.has(file)) throw new Error(`another ${what} of this lake is running in this process`);
  await fs.mkdir(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fs.writeFile(file, JSON.stringify({ pid: process.pid, since: new Date().toISOString() }), { flag: 'wx' });
      held.add(file);
      return async () => {
        held.delete(file);
        await fs.rm(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = JSON.parse(await fs.readFile(file, 'utf8').catch(() => '{}')) as { pid?: number };
      if (holder.pid && holder.pid !== process.pid && isAlive(holder.pid)) {
        throw new Error(`another ${what} of this lake is running (pid ${holder.pid})`);
      }
      await fs.rm(file, { force: true });
    }
  }
  throw new Error(`could not take the ${what} lock`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
