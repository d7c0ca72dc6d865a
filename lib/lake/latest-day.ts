import fs from 'node:fs';
import path from 'node:path';
import type { LakeLayout } from './tables';

const digits = (n: number) => (name: string) => new RegExp(`^\\d{${n}}$`).test(name);

function listDirs(dir: string, keep: (name: string) => boolean): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && keep(d.name))
      .map((d) => d.name);
  } catch {
    return [];
  }
}

/** The newest CloudTrail delivery day (YYYY-MM-DD) in a local lake, found by walking only year/month/day folders. */
export function latestLogDay(lake: { dir: string; layout: LakeLayout }): string | null {
  const root = path.join(lake.dir, lake.layout.cloudtrailPrefix, 'AWSLogs');
  const accountDirs: string[] = [];
  for (const top of listDirs(root, () => true)) {
    if (/^o-/.test(top)) for (const acct of listDirs(path.join(root, top), digits(12))) accountDirs.push(path.join(root, top, acct));
    else if (/^\d{12}$/.test(top)) accountDirs.push(path.join(root, top));
  }
  let best: string | null = null;
  const bestDirs: string[] = [];
  for (const acct of accountDirs) {
    const trail = path.join(acct, 'CloudTrail');
    for (const region of listDirs(trail, () => true)) {
      const base = path.join(trail, region);
      const year = listDirs(base, digits(4)).sort().at(-1);
      if (!year) continue;
      const month = listDirs(path.join(base, year), digits(2)).sort().at(-1);
      if (!month) continue;
      const day = listDirs(path.join(base, year, month), digits(2)).sort().at(-1);
      if (!day) continue;
      const found = `${year}-${month}-${day}`;
      if (!best || found > best) {
        best = found;
        bestDirs.length = 0;
      }
      if (found === best) bestDirs.push(path.join(base, year, month, day));
    }
  }
  if (best && onlyLateDeliveries(bestDirs)) {
    return new Date(Date.parse(`${best}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  }
  return best;
}

/**
 * A day folder whose files were all delivered in its first half hour holds only the previous day's
 * late events: the data really ends the day before.
 */
function onlyLateDeliveries(dirs: string[]): boolean {
  let files = 0;
  for (const dir of dirs) {
    for (const name of fs.readdirSync(dir)) {
      const m = /_\d{8}T(\d{4})Z_[A-Za-z0-9]{16}\.json\.gz$/.exec(name);
      if (!m) continue;
      files++;
      if (m[1]! > '0030') return false;
    }
  }
  return files > 0;
}
