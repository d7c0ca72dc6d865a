// Files every query reads (manifests) are parsed again only when they change: a year's compaction
// manifest runs to tens of megabytes.
import fs from 'node:fs/promises';

export type ParsedFiles<T> = Map<string, { stamp: string; value: T }>;

/**
 * `read()` of `file`, or what it returned before while the file has the same inode, size and
 * modification time (a replaced file gets a new inode); `missing()` when there is no file.
 */
export async function readUnlessUnchanged<T>(cache: ParsedFiles<T>, file: string, read: () => Promise<T>, missing: () => T): Promise<T> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return missing();
    throw error;
  }
  const stamp = `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  const hit = cache.get(file);
  if (hit?.stamp === stamp) return hit.value;
  const value = await read();
  cache.set(file, { stamp, value });
  return value;
}
