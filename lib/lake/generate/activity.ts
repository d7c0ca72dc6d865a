// Background traffic, one clock hour at a time. An hour is a pure function of (world, plan, hour):
// any worker can regenerate any hour and get the same records, which is what lets late deliveries
// cross day boundaries without shared state.
import { imagingImportJob, imagingKmsCall, imagingStudyCall, type ImagingCaller } from './actions-imaging';
import { heartbeat, noise, samlSignIn } from './actions-management';
import { lifecycleLine, s3ObjectRequest, type Caller } from './actions-s3';
import type { AccessLine, Emission } from './emission';
import { readableAt, transitionAt, TRANSITIONS } from './lifecycle';
import type { Plan } from './plan';
import { Principals } from './principals';
import { hash32, hashUnit, Rng, rngFor } from './random';
import { USER_AGENTS } from './reference-data';
import { DAY, dayStart, HOUR, LocalClock, MINUTE, SECOND } from './time';
import { TIME_ZONE, type Clinician, type PairIndex, type Study, type World } from './world';

const HOUR_WEIGHTS = [
  0.3, 0.25, 0.22, 0.22, 0.25, 0.35, 0.6, 1.0, 1.5, 1.7, 1.7, 1.6, 1.5, 1.6, 1.6, 1.5, 1.3, 1.1, 0.9, 0.7, 0.6, 0.5,
  0.4, 0.35,
];
const VIEWS_PER_CLINICIAN_HOUR = 12;
const PREFETCH_STUDIES_PER_SESSION = 15;
const PACS_STUDIES_PER_HOUR = 8;

type Shift = { start: number; end: number };

type Sampler = { ids: Int32Array; cumulative: Float64Array };

function recencyWeight(ageDays: number): number {
  if (ageDays < 30) return 1;
  if (ageDays < 90) return 0.45;
  if (ageDays < 365) return 0.06;
  return 0.012 * Math.exp(-(ageDays - 365) / 1500) + 0.004;
}

function draw(rng: Rng, s: Sampler): number {
  const total = s.cumulative[s.cumulative.length - 1] ?? 0;
  if (total <= 0) return -1;
  const x = rng.next() * total;
  let lo = 0;
  let hi = s.cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (s.cumulative[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return s.ids[lo]!;
}

export class Activity {
  readonly clock = new LocalClock(TIME_ZONE);
  readonly principals: Principals;
  private readonly background: Study[];
  private readonly ingestsByHour = new Map<number, number[]>();
  private readonly fresh: { at: number; study: number }[] = [];
  private readonly lifecycleByDay = new Map<number, { ms: number; object: number; version: number; op: string }[]>();
  private readonly plantedByHour = new Map<number, Emission[]>();
  private readonly clinicians: Clinician[];
  private readonly samplerCache = new Map<number, { byFacility: Sampler[]; all: Sampler }>();
  private readonly dayWeightCache = new Map<number, number>();
  private readonly shiftCache = new Map<string, (Shift | null)[]>();

  constructor(
    readonly world: World,
    readonly plan: Plan,
  ) {
    this.principals = new Principals(world);
    const plantedPatient = (s: Study) => world.patients[s.patient]!.kind !== null;
    this.background = world.studies.filter((s) => !plantedPatient(s));
    for (const s of this.background) {
      if (s.ingestAt >= world.startMs && s.ingestAt < world.endMs) {
        const h = Math.floor(s.ingestAt / HOUR);
        const list = this.ingestsByHour.get(h) ?? [];
        list.push(s.id);
        this.ingestsByHour.set(h, list);
      }
      if (s.ingestAt >= world.startMs - DAY) this.fresh.push({ at: s.ingestAt, study: s.id });
    }
    this.fresh.sort((a, b) => a.at - b.at || a.study - b.study);
    for (const o of world.objects) {
      o.versions.forEach((v, vi) => {
        if (v.deleteMarker) return;
        for (const t of TRANSITIONS) {
          const at = transitionAt(v, t.days);
          if (at < world.startMs || at >= world.endMs) continue;
          const day = Math.floor((at - world.startMs) / DAY);
          const list = this.lifecycleByDay.get(day) ?? [];
          list.push({ ms: at, object: o.id, version: vi, op: t.operation });
          this.lifecycleByDay.set(day, list);
        }
      });
    }
    for (const e of plan.planted) {
      const first = Math.min(...e.records.map((r) => r.ms), e.line ? e.line.ms : Infinity);
      const h = Math.floor(first / HOUR);
      const list = this.plantedByHour.get(h) ?? [];
      list.push(e);
      this.plantedByHour.set(h, list);
    }
    const excluded = new Set(plan.excludedClinicians);
    this.clinicians = world.clinicians.filter((c) => c.background && !excluded.has(c.id));
  }

  /** Lifecycle transition lines of a window day (index from the window start). */
  lifecycleLines(day: number): AccessLine[] {
    const list = this.lifecycleByDay.get(day) ?? [];
    const rng = rngFor(this.world.seed, 'lifecycle', day);
    return list.map((t) => {
      const o = this.world.objects[t.object]!;
      return lifecycleLine(this.world, rng, t.ms, t.op, o.key, o.versions[t.version]!);
    });
  }

  /** Each background clinician's shift on a local date (null: day off). */
  private shifts(localDate: string): (Shift | null)[] {
    let list = this.shiftCache.get(localDate);
    if (list) return list;
    const dayNumber = Math.round(dayStart(localDate) / DAY);
    list = this.clinicians.map((c) => {
      if (hashUnit(this.world.seed, c.id, dayNumber) >= c.workRate) return null;
      const jitter = Math.floor(hashUnit(this.world.seed, c.id, dayNumber, 7) * 40) - 20;
      const start = this.clock.toUtc(localDate, c.shiftStartMin + jitter);
      return { start, end: start + c.shiftHours * HOUR };
    });
    if (this.shiftCache.size > 6) this.shiftCache.clear();
    this.shiftCache.set(localDate, list);
    return list;
  }

  private onShift(hourStart: number): { c: Clinician; shift: Shift }[] {
    const today = this.clock.localDate(hourStart);
    const yesterday = new Date(dayStart(today) - DAY).toISOString().slice(0, 10);
    const out: { c: Clinician; shift: Shift }[] = [];
    for (const d of [yesterday, today]) {
      this.shifts(d).forEach((s, i) => {
        if (s && s.start < hourStart + HOUR - MINUTE && s.end > hourStart + MINUTE) out.push({ c: this.clinicians[i]!, shift: s });
      });
    }
    return out;
  }

  private samplers(day: number) {
    let s = this.samplerCache.get(day);
    if (s) return s;
    const at = this.world.startMs + day * DAY;
    const byFacility: { ids: number[]; w: number[] }[] = this.world.hospitals.map(() => ({ ids: [], w: [] }));
    const all: { ids: number[]; w: number[] } = { ids: [], w: [] };
    for (const st of this.background) {
      if (st.ingestAt >= at) continue;
      const w = recencyWeight((at - dayStart(st.studyDate)) / DAY);
      byFacility[st.facility]!.ids.push(st.id);
      byFacility[st.facility]!.w.push(w);
      all.ids.push(st.id);
      all.w.push(w);
    }
    const build = (x: { ids: number[]; w: number[] }): Sampler => {
      const cumulative = new Float64Array(x.w.length);
      let acc = 0;
      x.w.forEach((w, i) => (cumulative[i] = acc += w));
      return { ids: Int32Array.from(x.ids), cumulative };
    };
    s = { byFacility: byFacility.map(build), all: build(all) };
    if (this.samplerCache.size > 3) this.samplerCache.clear();
    this.samplerCache.set(day, s);
    return s;
  }

  private freshStudies(from: number, to: number): number[] {
    let lo = 0;
    let hi = this.fresh.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.fresh[mid]!.at < from) lo = mid + 1;
      else hi = mid;
    }
    const out: number[] = [];
    for (let i = lo; i < this.fresh.length && this.fresh[i]!.at < to; i++) out.push(this.fresh[i]!.study);
    return out;
  }

  private dayBudget(hourStart: number): number {
    const day = Math.floor(hourStart / DAY);
    let total = this.dayWeightCache.get(day);
    if (total === undefined) {
      total = 0;
      for (let h = 0; h < 24; h++) total += HOUR_WEIGHTS[this.clock.hour(day * DAY + h * HOUR)]!;
      this.dayWeightCache.set(day, total);
    }
    const weekday = this.clock.weekday(hourStart + 12 * HOUR);
    const factor = weekday === 0 || weekday === 6 ? 0.92 : 1.03;
    return (this.world.eventsPerDay * factor * HOUR_WEIGHTS[this.clock.hour(hourStart)]!) / total;
  }

  private inBurst(ms: number): boolean {
    return ms >= this.plan.burst.start - MINUTE && ms <= this.plan.burst.end + MINUTE;
  }

  /** Every emission whose first part falls in the clock hour `hour` (epoch hours). */
  hour(hour: number): Emission[] {
    const w = this.world;
    const hourStart = hour * HOUR;
    const out: Emission[] = [...(this.plantedByHour.get(hour) ?? [])];
    const plantedRecords = out.reduce((n, e) => n + e.records.length, 0);
    if (hourStart < w.startMs || hourStart >= w.endMs) return out;
    const rng = rngFor(w.seed, 'hour', hour);
    const day = Math.floor((hourStart - w.startMs) / DAY);
    const at = (lo = 0, hi = 3599) => hourStart + rng.int(lo, hi) * SECOND;
    const count = (e: Emission) => {
      out.push(e);
      return e.records.length;
    };

    // Heartbeats keep every region above two records an hour.
    for (const pair of [0, 1, 2, 3] as PairIndex[]) {
      count(heartbeat(rng, pair, at(60, 2400), 0));
      if (pair < 2) count(heartbeat(rng, pair, at(60, 2400), 1));
    }

    const budget = Math.max(0, this.dayBudget(hourStart) - 6);
    const noiseTargets: [PairIndex, number][] = [
      [0, budget * 0.19],
      [1, budget * 0.018],
      [2, budget * 0.07],
      [3, budget * 0.007],
    ];
    for (const [pair, n] of noiseTargets) {
      const k = rng.poisson(n);
      for (let i = 0; i < k; i++) count(noise(w, rng, this.principals, pair, at()));
    }
    let remaining = budget * (1 - 0.19 - 0.018 - 0.07 - 0.007) - plantedRecords;

    for (const id of this.ingestsByHour.get(hour) ?? []) remaining -= this.ingest(w.studies[id]!, out);

    const shifts = this.onShift(hourStart);
    for (const { c, shift } of shifts) {
      if (shift.start >= hourStart && shift.start < hourStart + HOUR && hashUnit(w.seed, c.id, shift.start, 3) < 0.35) {
        const session = this.principals.clinician(c, shift.start);
        remaining -= count(samlSignIn(w, rng, { clinician: c, session, ms: shift.start - (shift.start % SECOND), ip: this.clinicianIp(c, shift.start), durationHours: 12 }));
      }
    }

    remaining -= this.pacsBridge(rng, hourStart, budget * 0.04, out);
    remaining -= this.prefetch(rng, hour, budget * 0.06, out);
    if (day >= 0 && hash32(w.seed, day, 11) % 100 < 35 && hash32(w.seed, day, 12) % 24 === hour % 24) {
      remaining -= this.researchExport(rng, hourStart, out);
    }

    const views = new Map<number, number>();
    const deniedChance = Math.min(0.9, (0.06 * w.eventsPerDay) / 2000) * HOUR_WEIGHTS[this.clock.hour(hourStart)]! / 1.2;
    if (rng.chance(deniedChance)) {
      const cands = shifts.filter((s) => s.c.role !== 'RadiologistRole');
      if (cands.length > 0) {
        const { c, shift } = rng.pick(cands);
        const ms = this.timeIn(rng, hourStart, shift);
        const study = this.pickStudy(rng, c, day, hourStart);
        if (ms !== null && study >= 0) {
          views.set(c.id, 1);
          remaining -= count(
            imagingStudyCall(w, rng, {
              caller: this.imagingCaller(c, shift.start, ms),
              study: w.studies[study]!,
              eventName: rng.chance(0.6) ? 'UpdateImageSetMetadata' : 'DeleteImageSet',
              ms,
              deny: 'identity',
            }),
          );
        }
      }
    }

    const weights = shifts.map((s) => s.c.weight);
    let total = weights.reduce((a, b) => a + b, 0);
    while (remaining > 0 && total > 0) {
      let x = rng.next() * total;
      let i = 0;
      while (i < weights.length - 1 && x >= weights[i]!) x -= weights[i++]!;
      const { c, shift } = shifts[i]!;
      // A clinician can be on two shifts in one hour (night then day): the cap is per person.
      const n = views.get(c.id) ?? 0;
      if (n >= VIEWS_PER_CLINICIAN_HOUR) {
        total -= weights[i]!;
        weights[i] = 0;
        continue;
      }
      views.set(c.id, n + 1);
      const ms = this.timeIn(rng, hourStart, shift);
      const study = this.pickStudy(rng, c, day, hourStart);
      if (ms === null || study < 0) {
        remaining -= 1;
        continue;
      }
      remaining -= this.view(rng, c, shift, w.studies[study]!, ms, out);
    }
    return out;
  }

  private timeIn(rng: Rng, hourStart: number, shift: Shift): number | null {
    const lo = Math.max(hourStart, shift.start);
    const hi = Math.min(hourStart + HOUR - MINUTE, shift.end);
    if (hi <= lo) return null;
    const ms = lo + Math.floor(rng.next() * (hi - lo));
    return ms - (ms % SECOND);
  }

  private clinicianIp(c: Clinician, ms: number): string {
    const h = this.clock.hour(ms);
    const hospital = this.world.hospitals[c.facility]!;
    if (c.remote && (h < 7 || h >= 19)) return `203.0.113.${10 + (c.id % 200)}`;
    return hospital.natIps[c.id % hospital.natIps.length]!;
  }

  private imagingCaller(c: Clinician, sessionStart: number, ms: number): ImagingCaller {
    return {
      principal: this.principals.clinician(c, sessionStart),
      ip: this.clinicianIp(c, ms),
      userAgent: USER_AGENTS.browserViewer[c.id % USER_AGENTS.browserViewer.length]!,
      vpce: false,
    };
  }

  private pickStudy(rng: Rng, c: Clinician, day: number, hourStart: number): number {
    if (c.role === 'RadiologistRole' && rng.chance(0.3)) {
      const fresh = this.freshStudies(hourStart - DAY, hourStart).filter((id) => this.world.studies[id]!.facility === c.facility);
      if (fresh.length > 0) return rng.pick(fresh);
    }
    const s = this.samplers(day);
    const local = s.byFacility[c.facility]!;
    return rng.chance(0.9) && local.ids.length > 0 ? draw(rng, local) : draw(rng, s.all);
  }

  /** A clinician opening a study: metadata, frames, sometimes DICOMweb, sometimes the original from S3. */
  private view(rng: Rng, c: Clinician, shift: Shift, study: Study, ms: number, out: Emission[]): number {
    const w = this.world;
    const caller = this.imagingCaller(c, shift.start, ms);
    let n = 0;
    const push = (e: Emission) => {
      out.push(e);
      n += e.records.length;
    };
    push(imagingStudyCall(w, rng, { caller, study, eventName: 'GetImageSetMetadata', ms }));
    let t = ms;
    const frames = rng.int(1, 7);
    for (let i = 0; i < frames; i++) {
      t += rng.int(1, 6) * SECOND;
      push(imagingStudyCall(w, rng, { caller, study, eventName: 'GetImageFrame', ms: t }));
    }
    if (rng.chance(0.25)) {
      for (let i = rng.int(1, 2); i > 0; i--) {
        t += rng.int(1, 5) * SECOND;
        push(imagingStudyCall(w, rng, { caller, study, eventName: 'GetDICOMInstance', ms: t }));
      }
    }
    if (rng.chance(0.08)) push(imagingKmsCall(w, rng, { principal: caller.principal, ms: ms + SECOND, eventName: 'Decrypt' }));
    if (rng.chance(0.06) && !(c.role === 'ClinicianRole' && this.inBurst(t))) {
      const obj = w.objects[rng.pick(study.objects)]!;
      t += rng.int(2, 8) * SECOND;
      if (readableAt(obj.versions[obj.versions.length - 1]!, t)) {
        const userAgent = USER_AGENTS.desktopS3[c.id % USER_AGENTS.desktopS3.length]!;
        const s3Caller: Caller = {
          principal: caller.principal,
          ip: caller.ip,
          userAgent,
          sdk: userAgent.startsWith('aws-cli') ? 'python' : 'js',
          network: 'internet',
        };
        push(s3ObjectRequest(w, rng, { caller: s3Caller, op: 'GetObject', object: obj, ms: t }));
      }
    }
    return n;
  }

  /** New study: PutObject per instance, the import job, and HealthImaging reading the objects. */
  private ingest(study: Study, out: Emission[]): number {
    const w = this.world;
    const r = rngFor(w.seed, 'ingest', study.id);
    let n = 0;
    const push = (e: Emission) => {
      out.push(e);
      n += e.records.length;
    };
    const sessionName = `ingest-${10000 + (hash32(w.seed, study.id) % 90000)}`;
    const sessionStart = study.ingestAt - r.int(2, 10) * MINUTE;
    const caller: Caller = {
      principal: this.principals.role('ImagingIngestRole', sessionName, sessionStart),
      ip: `10.40.1.${r.int(20, 80)}`,
      userAgent: USER_AGENTS.ingest,
      sdk: 'python',
      network: 'vpce',
    };
    let last = study.ingestAt;
    for (const id of study.objects) {
      const obj = w.objects[id]!;
      const v = obj.versions[0]!;
      last = Math.max(last, v.lastModified);
      push(s3ObjectRequest(w, r, { caller, op: 'PutObject', object: obj, ms: v.lastModified, version: v }));
    }
    const start = last + r.int(5, 20) * SECOND;
    const jobId = r.hex(32);
    const imagingCaller: ImagingCaller = { principal: caller.principal, ip: caller.ip, userAgent: USER_AGENTS.ingest, vpce: true };
    push(imagingImportJob(w, r, { caller: imagingCaller, study, jobId, ms: start, polls: [start + r.int(30, 90) * SECOND, start + r.int(120, 300) * SECOND] }));
    push(imagingKmsCall(w, r, { principal: caller.principal, ms: start + r.int(2, 10) * SECOND, eventName: 'GenerateDataKey' }));
    const importer = this.principals.role('HealthImagingImportRole', jobId, start + SECOND);
    let t = start + r.int(5, 15) * SECOND;
    for (const id of study.objects) {
      t += r.int(2, 20) * SECOND;
      push(
        s3ObjectRequest(w, r, {
          caller: {
            principal: importer,
            ip: `192.0.2.${r.int(10, 250)}`,
            userAgent: 'medical-imaging.amazonaws.com',
            sdk: 'java',
            network: 'service',
            invokedBy: 'medical-imaging.amazonaws.com',
          },
          op: 'GetObject',
          object: w.objects[id]!,
          ms: t,
        }),
      );
    }
    return n;
  }

  /** The legacy PACS gateway: an IAM user with a long-term key reading recent originals. */
  private pacsBridge(rng: Rng, hourStart: number, target: number, out: Emission[]): number {
    const w = this.world;
    const fresh = this.freshStudies(hourStart - 20 * DAY, hourStart);
    if (fresh.length === 0) return 0;
    const k = Math.min(PACS_STUDIES_PER_HOUR, rng.poisson(target / 1.8));
    const caller: Caller = {
      principal: this.principals.user('pacsBridge'),
      ip: `198.51.100.${20 + rng.int(0, 3)}`,
      userAgent: USER_AGENTS.pacsBridge,
      sdk: 'java',
      network: 'internet',
    };
    let n = 0;
    for (let i = 0; i < k; i++) {
      const study = w.studies[rng.pick(fresh)]!;
      const obj = w.objects[rng.pick(study.objects)]!;
      const ms = hourStart + rng.int(0, 3500) * SECOND;
      const head = rng.chance(0.3);
      if (!head && !readableAt(obj.versions[obj.versions.length - 1]!, ms)) continue;
      const e = s3ObjectRequest(w, rng, { caller, op: head ? 'HeadObject' : 'GetObject', object: obj, ms });
      out.push(e);
      n += e.records.length;
    }
    return n;
  }

  /** The viewer service warming its cache with newly ingested studies, from inside the VPC. */
  private prefetch(rng: Rng, hour: number, target: number, out: Emission[]): number {
    const w = this.world;
    const hourStart = hour * HOUR;
    const fresh = this.freshStudies(hourStart - 3 * DAY, hourStart);
    if (fresh.length === 0) return 0;
    let n = 0;
    let session = 0;
    let inSession = PREFETCH_STUDIES_PER_SESSION;
    let caller: Caller | null = null;
    while (n < target) {
      if (inSession >= PREFETCH_STUDIES_PER_SESSION || !caller) {
        session++;
        inSession = 0;
        caller = {
          principal: this.principals.role('ViewerServiceRole', `viewer-prefetch-${hour % 100000}-${session}`, hourStart - rng.int(1, 10) * MINUTE),
          ip: `10.40.1.${100 + rng.int(0, 50)}`,
          userAgent: USER_AGENTS.viewerService,
          sdk: 'js',
          network: 'vpce',
        };
      }
      inSession++;
      const study = w.studies[rng.pick(fresh)]!;
      let ms = hourStart + rng.int(0, 3000) * SECOND;
      for (const id of study.objects) {
        ms += rng.int(1, 9) * SECOND;
        const obj = w.objects[id]!;
        n += 1;
        if (this.inBurst(ms) || !readableAt(obj.versions[obj.versions.length - 1]!, ms)) continue;
        const e = s3ObjectRequest(w, rng, { caller, op: 'GetObject', object: obj, ms });
        out.push(e);
        n += e.records.length - 1;
      }
    }
    return n;
  }

  /** A research export job whose role S3 allows but the key policy does not: denied reads. */
  private researchExport(rng: Rng, hourStart: number, out: Emission[]): number {
    const w = this.world;
    const q = this.plan.quiet;
    if (hourStart + HOUR > q.from && hourStart < q.to) return 0;
    const day = new Date(hourStart).toISOString().slice(0, 10).replaceAll('-', '');
    const caller: Caller = {
      principal: this.principals.role('ResearchExportRole', `export-${day}`, hourStart - 3 * MINUTE),
      ip: `10.40.4.${rng.int(10, 40)}`,
      userAgent: USER_AGENTS.ingest,
      sdk: 'python',
      network: 'vpce',
    };
    const fresh = this.freshStudies(hourStart - 30 * DAY, hourStart);
    let n = 0;
    for (let i = rng.int(1, 3); i > 0 && fresh.length > 0; i--) {
      const study = w.studies[rng.pick(fresh)]!;
      const e = s3ObjectRequest(w, rng, {
        caller,
        op: 'GetObject',
        object: w.objects[rng.pick(study.objects)]!,
        ms: hourStart + rng.int(60, 3000) * SECOND,
        deny: 'kms',
      });
      out.push(e);
      n += e.records.length;
    }
    return n;
  }
}
