// Files every query reads (manifests) are parsed again only when they change: a year's compaction
// manifest runs to tens of megabytes.
import fs from 'node:fs/promises';

/** What was read from each file, under the stamp it had; a read in flight is shared too. */
export type ParsedFiles<T> = Map<string, { stamp: string; value: Promise<T> }>;

/**
 * `read()` of `file`, or what it returned before while the file has the same inode, size and
 * modification time (a replaced file gets a new inode); `missing()` when there is no file.
 * Callers that arrive while the file is being read wait for that read rather than starting their
 * own: a query plans its tables at once, and each parse of a year's manifest allocates about
 * 100 MB.
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
  const entry = { stamp, value: read() };
  cache.set(file, entry);
  try {
    return await entry.value;
  } catch (error) {
    if (cache.get(file) === entry) cache.delete(file);
    throw error;
  }
}
