import fs from 'node:fs/promises';
import path from 'node:path';

/** Every file under `dir`, at any depth (absolute paths); none when `dir` does not exist. */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}
