// Writes one UTC day of the lake: the CloudTrail files delivered that day (for every account and
// Region) and the server access log objects holding that day's requests. Counts what truth.json
// needs about the day's accesses.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { accessLogKey, cloudTrailLogKey } from '@/lib/lake/layout';
import type { Activity } from './activity';
import { resolveEmission, type AccessLine, type Emission } from './emission';
import type { Plan } from './plan';
import { hashString, rngFor } from './random';
import { DAY, HOUR, isAfterHours, isoHour, SECOND } from './time';
import { personOf } from './truth';
import {
  ARCHIVE_BUCKET,
  BUSINESS_HOURS,
  IMAGING_ACCOUNT,
  ORGANIZATION_ID,
  PAIRS,
  REGIONS,
  type PairIndex,
  type World,
} from './world';

const GZIP_LEVEL = 3;

export type CtFileMeta = {
  pair: PairIndex;
  key: string;
  deliveredMs: number;
  sha256: string;
  oldest: number;
  newest: number;
};

export type DayResult = {
  day: number;
  ctFiles: CtFileMeta[];
  files: number;
  bytes: number;
  records: number;
  accesses: number;
  afterHours: number;
  /** The day's after-hours accesses per person: [person, requests, distinct studies, distinct patients]. */
  afterHoursByPerson: [string, number, number, number][];
  /** `${principal}\t${source}` → denied requests. */
  failed: [string, number][];
  /** `${hour}\t${keyArn}\t${principal}` → denied Decrypt calls. */
  decryptDenied: [string, number][];
};

/** CloudTrail's delivery schedule: one file per account/Region every 5–15 minutes with events. */
export class Delivery {
  private readonly cache = new Map<string, number[]>();

  constructor(
    private readonly seed: number,
    private readonly plan: Plan,
  ) {}

  private slots(pair: PairIndex, epochDay: number): number[] {
    const key = `${pair}:${epochDay}`;
    let slots = this.cache.get(key);
    if (!slots) {
      const rng = rngFor(this.seed, 'slots', pair, epochDay);
      slots = [];
      const end = (epochDay + 1) * DAY;
      for (let t = epochDay * DAY + rng.int(0, 299) * SECOND; t < end; t += rng.int(300, 900) * SECOND) slots.push(t);
      if (this.cache.size > 64) this.cache.clear();
      this.cache.set(key, slots);
    }
    return slots;
  }

  /** First scheduled delivery at or after `ms`. */
  slotAtOrAfter(pair: PairIndex, ms: number): number {
    const day = Math.floor(ms / DAY);
    for (const t of this.slots(pair, day)) if (t >= ms) return t;
    return this.slots(pair, day + 1)[0]!;
  }

  /** Delivery time of a logged record; records pending when logging stopped go out in one final file. */
  deliver(pair: PairIndex, ms: number, eventId: string): number {
    const latency = (60 + (hashString(eventId) % 841)) * SECOND;
    const t = this.slotAtOrAfter(pair, ms + latency);
    const gap = this.plan.gap;
    if (PAIRS[pair].region === gap.region && ms <= gap.stopAt && t >= gap.flushAt) return gap.flushAt;
    return t;
  }

  /** Where a duplicate copy of the record is delivered again, if it is one of the few duplicated. */
  duplicate(pair: PairIndex, ms: number, eventId: string, deliveredMs: number): number | null {
    if (hashString(`${eventId}#dup`) % 1000 >= 2) return null;
    const gap = this.plan.gap;
    if (PAIRS[pair].region === gap.region && ms > gap.stopAt - 2 * HOUR && ms < gap.startAt + 2 * HOUR) return null;
    return this.slotAtOrAfter(pair, deliveredMs + SECOND);
  }
}

type PendingFile = { pair: PairIndex; deliveredMs: number; items: string[]; oldest: number; newest: number };

export class DayWriter {
  private readonly delivery: Delivery;
  private readonly madeDirs = new Set<string>();

  constructor(
    private readonly world: World,
    private readonly plan: Plan,
    private readonly activity: Activity,
    private readonly outDir: string,
  ) {
    this.delivery = new Delivery(world.seed, plan);
  }

  /** Day index from the window start; `world.days` is the day after the window (late deliveries only). */
  async write(day: number): Promise<DayResult> {
    const w = this.world;
    const dayStartMs = w.startMs + day * DAY;
    const dayEndMs = dayStartMs + DAY;
    const owned = (ms: number) => ms >= dayStartMs && ms < dayEndMs;
    const firstHour = Math.floor(dayStartMs / HOUR);
    const hours: number[] = [];
    if (day > 0) hours.push(firstHour - 1);
    if (day < w.days) for (let h = 0; h < 24; h++) hours.push(firstHour + h);

    const files = new Map<string, PendingFile>();
    const lines: AccessLine[] = day < w.days ? this.activity.lifecycleLines(day) : [];
    const failed = new Map<string, number>();
    const decryptDenied = new Map<string, number>();
    const regionHours = REGIONS.map(() => new Int32Array(24));
    let accesses = 0;
    let afterHours = 0;
    const nights = new Map<string, { requests: number; studies: Set<number>; patients: Set<number> }>();
    const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
    const place = (pair: PairIndex, deliveredMs: number, ms: number, json: string) => {
      const key = `${pair}:${deliveredMs}`;
      let f = files.get(key);
      if (!f) files.set(key, (f = { pair, deliveredMs, items: [], oldest: ms, newest: ms }));
      f.items.push(json);
      if (ms < f.oldest) f.oldest = ms;
      if (ms > f.newest) f.newest = ms;
    };

    for (const hour of hours) {
      const emissions: Emission[] = this.activity.hour(hour);
      for (const e of emissions) {
        const res = resolveEmission(this.plan.gap, e);
        e.records.forEach((r, i) => {
          if (!res.logged[i]) return;
          const eventId = String(r.record.eventID);
          const delivered = this.delivery.deliver(r.pair, r.ms, eventId);
          const again = this.delivery.duplicate(r.pair, r.ms, eventId, delivered);
          let json: string | null = null;
          if (owned(delivered)) place(r.pair, delivered, r.ms, (json = JSON.stringify(r.record)));
          if (again !== null && owned(again)) place(r.pair, again, r.ms, json ?? JSON.stringify(r.record));
          if (owned(r.ms)) {
            const counts = regionHours[REGIONS.indexOf(PAIRS[r.pair].region)]!;
            const h = Math.floor((r.ms - dayStartMs) / HOUR);
            counts[h] = counts[h]! + 1;
          }
        });
        if (e.line && owned(e.line.ms)) lines.push(e.line);
        const a = res.access;
        if (a && owned(a.time)) {
          accesses++;
          if (isAfterHours(this.activity.clock, a.time, BUSINESS_HOURS)) {
            afterHours++;
            const person = personOf(a.principal);
            let night = nights.get(person);
            if (!night) nights.set(person, (night = { requests: 0, studies: new Set(), patients: new Set() }));
            night.requests++;
            night.studies.add(a.study);
            night.patients.add(w.studies[a.study]!.patient);
          }
          if (a.outcome !== 'success') bump(failed, `${a.principal}\t${a.source}`);
        }
        const k = res.kmsDenied;
        if (k && owned(k.ms)) {
          bump(failed, `${k.principal}\tkms`);
          bump(decryptDenied, `${isoHour(k.ms)}\t${k.keyArn}\t${k.principal}`);
        }
      }
    }
    if (day < w.days) this.checkCoverage(dayStartMs, regionHours);

    const written: CtFileMeta[] = [];
    let bytes = 0;
    let records = 0;
    for (const f of [...files.values()].sort((a, b) => a.pair - b.pair || a.deliveredMs - b.deliveredMs)) {
      const rng = rngFor(w.seed, 'file', f.pair, f.deliveredMs);
      const { account, region } = PAIRS[f.pair];
      const key = cloudTrailLogKey(
        w.layout,
        { account, organizationId: account === IMAGING_ACCOUNT ? ORGANIZATION_ID : undefined },
        region,
        new Date(f.deliveredMs),
        rng.alnum(16),
      );
      const body = Buffer.from(`{"Records":[${rng.shuffle(f.items).join(',')}]}`);
      records += f.items.length;
      const meta: CtFileMeta = {
        pair: f.pair,
        key,
        deliveredMs: f.deliveredMs,
        sha256: createHash('sha256').update(body).digest('hex'),
        oldest: f.oldest,
        newest: f.newest,
      };
      written.push(meta);
      // One file at a time: a day's records are already in memory as strings; their gzip copies need not be.
      const gz = zlib.gzipSync(body, { level: GZIP_LEVEL });
      f.items = [];
      bytes += gz.length;
      await this.put(key, gz);
    }
    let logFiles = 0;
    if (lines.length > 0) {
      const byHour = new Map<number, AccessLine[]>();
      const add = (h: number, l: AccessLine) => {
        const list = byHour.get(h) ?? [];
        list.push(l);
        byHour.set(h, list);
      };
      for (const l of lines) {
        const h = Math.floor((l.ms - dayStartMs) / HOUR);
        add(h, l);
        // Server access logging is best effort: a few records are delivered twice.
        if (h < 23 && hashString(`${l.requestId}#dup`) % 2000 === 0) add(h + 1, l);
      }
      for (const [h, list] of [...byHour.entries()].sort((a, b) => a[0] - b[0])) {
        list.sort((a, b) => a.ms - b.ms || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
        const rng = rngFor(w.seed, 'access-log', day, h);
        const key = accessLogKey(w.layout, IMAGING_ACCOUNT, 'us-east-1', ARCHIVE_BUCKET, new Date(dayStartMs), rng.upperHex(16));
        const body = Buffer.from(list.map((l) => `${l.text}\n`).join(''));
        bytes += body.length;
        logFiles++;
        await this.put(key, body);
      }
    }
    written.sort((a, b) => a.pair - b.pair || a.deliveredMs - b.deliveredMs);
    return {
      day,
      ctFiles: written,
      files: written.length + logFiles,
      bytes,
      records,
      accesses,
      afterHours,
      afterHoursByPerson: [...nights.entries()].map(([person, n]) => [person, n.requests, n.studies.size, n.patients.size]),
      failed: [...failed.entries()],
      decryptDenied: [...decryptDenied.entries()],
    };
  }

  /** The heartbeat guarantees two records per Region-hour; only the planned gap may be empty. */
  private checkCoverage(dayStartMs: number, regionHours: Int32Array[]) {
    const gap = this.plan.gap;
    REGIONS.forEach((region, ri) => {
      for (let h = 0; h < 24; h++) {
        const start = dayStartMs + h * HOUR;
        const inGap = region === gap.region && start >= gap.from && start < gap.to;
        const n = regionHours[ri]![h]!;
        if (inGap ? n !== 0 : n < 2) {
          throw new Error(`coverage invariant broken: ${region} ${new Date(start).toISOString()} has ${n} records`);
        }
      }
    });
  }

  /** Synchronous: a worker thread has nothing else to do meanwhile, and it keeps one buffer alive at a time. */
  private async put(key: string, body: Buffer) {
    const file = path.join(this.outDir, key);
    const dir = path.dirname(file);
    if (!this.madeDirs.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      this.madeDirs.add(dir);
    }
    fs.writeFileSync(file, body);
  }
}
