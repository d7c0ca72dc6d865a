// Study catalog objects are Parquet files written by the ingest pipeline and read as they are;
// anything else under the catalog prefix is refused rather than handed to the Parquet reader.
import fs from 'node:fs/promises';

const MAGIC = Buffer.from('PAR1');

/** True when the file starts and ends with the Parquet magic bytes. */
export async function isParquetFile(absPath: string): Promise<boolean> {
  const handle = await fs.open(absPath, 'r');
  try {
    const { size } = await handle.stat();
    if (size < 12) return false;
    const head = Buffer.alloc(4);
    const tail = Buffer.alloc(4);
    await handle.read(head, 0, 4, 0);
    await handle.read(tail, 0, 4, size - 4);
    return head.equals(MAGIC) && tail.equals(MAGIC);
  } finally {
    await handle.close();
  }
}

/** Athena skips objects whose name starts with `_` or `.` (Hadoop hidden files). */
export function isHiddenObject(name: string): boolean {
  return name.startsWith('_') || name.startsWith('.');
}
