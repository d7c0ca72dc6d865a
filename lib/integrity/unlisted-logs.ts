// Log files no digest lists. A day's log folder is matched against the keys the digests read so
// far list, once the next day's digests are in (a digest lists files delivered up to an hour
// before it ends); what is left is unlisted unless it lies in hours whose digests are missing.
import { parseCloudTrailLogKey } from '@/lib/lake/layout';
import type { DigestJson } from './digest-file';
import { compactTimeMs, dayFolderOf } from './keys';

// A log key carries its delivery minute; the digest window holds the exact second.
const KEY_TIME_SLACK_MS = 60_000;

export class UnlistedLogs {
  /** Keys listed by the digests read so far, by delivery day folder, until that folder is scanned. */
  private readonly listed = new Map<string, Set<string>>();
  private readonly candidates: { key: string; at: number }[] = [];
  private readonly gaps: { start: number; end: number }[] = [];
  private readonly folders: Set<string>;

  /** `days`: the UTC days whose log folders are scanned. */
  constructor(days: string[]) {
    this.folders = new Set(days.map(dayFolderOf));
  }

  listedBy(digest: DigestJson): void {
    for (const entry of digest.logFiles) {
      const folder = parseCloudTrailLogKey(entry.s3Object)?.day;
      if (!folder || !this.folders.has(folder)) continue;
      let set = this.listed.get(folder);
      if (!set) this.listed.set(folder, (set = new Set()));
      set.add(entry.s3Object);
    }
  }

  /** Hours whose digests are missing: their log files are reported as those digests. */
  gap(start: number, end: number): void {
    this.gaps.push({ start, end });
  }

  async scan(day: string, keys: AsyncIterable<string>): Promise<void> {
    const folder = dayFolderOf(day);
    const known = this.listed.get(folder);
    for await (const key of keys) {
      if (known?.delete(key)) continue;
      this.candidates.push({ key, at: compactTimeMs(parseCloudTrailLogKey(key)?.deliveredAt ?? '') });
    }
    for (const f of [...this.listed.keys()]) if (f <= folder) this.listed.delete(f);
  }

  /** After every digest of the window (and the next one of each chain) was read. */
  unlisted(): { key: string; at: number }[] {
    return this.candidates.filter((c) => !this.gaps.some((g) => c.at >= g.start - KEY_TIME_SLACK_MS && c.at < g.end));
  }
}
