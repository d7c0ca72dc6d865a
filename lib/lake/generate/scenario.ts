// The planted incidents whose answers truth.json records: five kinds of patients touched only by
// planted accesses, an investigated user, a bulk export, a KMS key-policy mistake and a CloudTrail
// logging gap. Built once on the main thread; workers weave the emissions into the day files.
import { imagingStudyCall, type ImagingCaller, type ImagingRead } from './actions-imaging';
import { keyPolicy, putKeyPolicy, samlSignIn, trailControl } from './actions-management';
import { s3ObjectRequest, type Caller, type S3Op } from './actions-s3';
import type { Principal } from './cloudtrail-record';
import type { Emission } from './emission';
import { readableAt } from './lifecycle';
import type { Plan } from './plan';
import { Principals } from './principals';
import { Rng, rngFor } from './random';
import { USER_AGENTS } from './reference-data';
import { addDays, addYears, dayStart, HOUR, LocalClock, MINUTE, SECOND } from './time';
import {
  addPatient,
  createStudy,
  isBoundaryDate,
  uniqueEmail,
  TIME_ZONE,
  type ClinicalRole,
  type Clinician,
  type Patient,
  type PlantedKind,
  type Study,
  type World,
} from './world';

export type Cast = {
  patients: Record<PlantedKind, number[]>;
  investigated: number;
  bulk: number;
};

type PlantedPatientSpec = {
  kind: PlantedKind;
  facility: number;
  ageYears: number;
  vip: boolean;
  studies: { modality: string; daysBeforeWindow?: number; yearsBeforeEnd?: number; legalHold?: boolean }[];
};

const PLANTED_PATIENTS: PlantedPatientSpec[] = [
  // The no-access patient's mammograms: one 9 years old on legal hold, one 11 years old past the 10-year rule.
  // The adult's first study is past retention on the window's last day (an end-of-retention candidate with an access in the window).
  { kind: 'adult', facility: 0, ageYears: 58, vip: false, studies: [{ modality: 'CT', yearsBeforeEnd: 8 }, { modality: 'MR', daysBeforeWindow: 40 }] },
  { kind: 'pediatric', facility: 4, ageYears: 9, vip: false, studies: [{ modality: 'CR', yearsBeforeEnd: 8 }, { modality: 'US', daysBeforeWindow: 20 }] },
  { kind: 'vip', facility: 2, ageYears: 47, vip: true, studies: [{ modality: 'CT', daysBeforeWindow: 25 }] },
  { kind: 'vip', facility: 6, ageYears: 35, vip: true, studies: [{ modality: 'MR', daysBeforeWindow: 35 }, { modality: 'DX', daysBeforeWindow: 900 }] },
  { kind: 'no-access', facility: 9, ageYears: 72, vip: false, studies: [{ modality: 'MG', yearsBeforeEnd: 9, legalHold: true }, { modality: 'US', daysBeforeWindow: 50 }, { modality: 'MG', yearsBeforeEnd: 11 }] },
  { kind: 's3-only', facility: 10, ageYears: 64, vip: false, studies: [{ modality: 'CT', daysBeforeWindow: 30 }] },
];

/** Adds the planted patients and the two staff members whose every event is planted. */
export function addCast(world: World): Cast {
  const rng = rngFor(world.seed, 'cast');
  const mrns = new Set(world.patients.map((p) => p.mrn));
  const patients: Record<PlantedKind, number[]> = { adult: [], pediatric: [], vip: [], 'no-access': [], 's3-only': [] };
  for (const spec of PLANTED_PATIENTS) {
    const birthDate = addDays(addYears(world.to, -spec.ageYears), -rng.int(20, 300));
    const patient = addPatient(world, rng, mrns, { birthDate, facility: spec.facility, vip: spec.vip, kind: spec.kind });
    for (const s of spec.studies) {
      let date = s.yearsBeforeEnd !== undefined ? addYears(world.to, -s.yearsBeforeEnd) : addDays(world.from, -s.daysBeforeWindow!);
      while (isBoundaryDate(date, birthDate, world.to)) date = addDays(date, -1);
      createStudy(world, rng, patient, date, {
        legalHold: Boolean(s.legalHold),
        planted: true,
        modality: s.modality,
        objects: s.modality === 'CR' ? 1 : 2,
        acquisitionMin: rng.int(8 * 60, 16 * 60),
      });
    }
    patients[spec.kind].push(patient.id);
  }
  const used = new Set(world.clinicians.map((c) => c.email));
  const staff = (role: ClinicalRole, facility: number): number => {
    const c: Clinician = {
      id: world.clinicians.length,
      email: uniqueEmail(rng, used, world.hospitals[facility]!.domain),
      role,
      facility,
      shiftStartMin: 8 * 60,
      shiftHours: 9,
      workRate: 0,
      weight: 0,
      remote: false,
      background: false,
    };
    world.clinicians.push(c);
    return c.id;
  };
  return { patients, investigated: staff('ClinicianRole', 3), bulk: staff('RadiologistRole', 8) };
}

type Window = { from: number; to: number };

class Planter {
  readonly clock = new LocalClock(TIME_ZONE);
  readonly principals: Principals;
  readonly emissions: Emission[] = [];
  readonly avoid: Window[] = [];

  constructor(
    readonly world: World,
    readonly rng: Rng,
  ) {
    this.principals = new Principals(world);
  }

  /** A local wall-clock time on window day `day`, moved to a later day if it hits an avoided window. */
  at(day: number, hh: number, mm: number): number {
    const last = this.world.days - 2;
    for (let d = Math.min(day, last), tries = 0; tries <= this.world.days; tries++, d = d >= last ? 0 : d + 1) {
      const ms = this.clock.toUtc(addDays(this.world.from, d), hh * 60 + mm) + this.rng.int(0, 59) * SECOND;
      const clash = this.avoid.some((w) => ms >= w.from - HOUR && ms < w.to + HOUR);
      if (!clash && ms >= this.world.startMs + HOUR && ms < this.world.endMs - 3 * HOUR) return ms;
    }
    throw new Error('no free time for a planted access');
  }

  push(...e: Emission[]) {
    this.emissions.push(...e);
  }

  /** A fresh federated session for a planted activity, with its sign-in event. */
  session(c: Clinician, firstMs: number, ip: string): Principal {
    const start = firstMs - this.rng.int(5, 25) * MINUTE;
    const principal = this.principals.clinician(c, start);
    this.push(samlSignIn(this.world, this.rng, { clinician: c, session: principal, ms: start, ip, durationHours: 8 }));
    return principal;
  }

  clinicianIp(c: Clinician, ms: number): string {
    const h = this.clock.hour(ms);
    if (h < 7 || h >= 19) return `203.0.113.${200 + (c.id % 50)}`;
    const nat = this.world.hospitals[c.facility]!.natIps;
    return nat[c.id % nat.length]!;
  }

  /** GetImageSetMetadata, then frames / DICOMweb instances / other reads a few seconds apart. */
  view(c: Clinician, study: Study, ms: number, follow: ImagingRead[] = []) {
    const ip = this.clinicianIp(c, ms);
    const caller: ImagingCaller = {
      principal: this.session(c, ms, ip),
      ip,
      userAgent: USER_AGENTS.browserViewer[c.id % USER_AGENTS.browserViewer.length]!,
      vpce: false,
    };
    let t = ms;
    const calls: ImagingRead[] = ['GetImageSetMetadata', ...follow];
    for (const eventName of calls) {
      this.push(imagingStudyCall(this.world, this.rng, { caller, study, eventName, ms: t }));
      t += this.rng.int(2, 9) * SECOND;
    }
  }

  s3(caller: Caller, study: Study, op: S3Op, ms: number, deny: 'kms' | null = null, objectIndex = 0) {
    const object = this.world.objects[study.objects[objectIndex % study.objects.length]!]!;
    if (op === 'GetObject' && !deny && !readableAt(object.versions[object.versions.length - 1]!, ms)) {
      throw new Error('a planted GetObject would hit an archived object');
    }
    const e = s3ObjectRequest(this.world, this.rng, { caller, op, object, ms, deny });
    this.push(e);
    return e;
  }

  clinicianS3(c: Clinician, ms: number, session?: Principal): Caller {
    const ip = this.clinicianIp(c, ms);
    return {
      principal: session ?? this.session(c, ms, ip),
      ip,
      userAgent: USER_AGENTS.desktopS3[0],
      sdk: 'js',
      network: 'internet',
    };
  }
}

function careTeam(world: World, facility: number, role: ClinicalRole, skip: Set<number>): Clinician {
  const pool = world.clinicians.filter((c) => c.background && c.facility === facility && !skip.has(c.id));
  const found = pool.find((c) => c.role === role) ?? pool[0] ?? world.clinicians.find((c) => c.background && !skip.has(c.id));
  if (!found) throw new Error('no clinician to plant an access with');
  return found;
}

export function planScenario(world: World, cast: Cast): Plan {
  const rng = rngFor(world.seed, 'scenario');
  const p = new Planter(world, rng);
  const N = world.days;
  const dayAt = (frac: number) => Math.max(0, Math.min(N - 2, Math.round(frac * (N - 1))));
  const early = (d: number) => Math.min(d, N - 2);
  const study = (kind: PlantedKind, i: number, s: number) => world.studies[world.patients[cast.patients[kind][i]!]!.studies[s]!]!;
  const patient = (kind: PlantedKind, i = 0): Patient => world.patients[cast.patients[kind][i]!]!;
  const used = new Set<number>([cast.investigated, cast.bulk]);
  const pick = (facility: number, role: ClinicalRole) => {
    const c = careTeam(world, facility, role, used);
    used.add(c.id);
    return c;
  };

  // The CloudTrail gap: early in the window (planted S3 reads there must still hit Standard/IA objects),
  // in the small hours UTC.
  const gapDay = Math.max(1, Math.min(20, Math.round(0.35 * (N - 1))));
  const gs = dayStart(addDays(world.from, gapDay)) + rng.int(4, 6) * HOUR;
  const ge = gs + rng.int(3, 6) * HOUR;
  const stopAt = gs - rng.int(120, 300) * SECOND;
  const flushAt = stopAt + rng.int(45, 75) * SECOND;
  const startAt = ge + rng.int(5, 30) * SECOND;
  const admin = p.principals.user('secopsAdmin', stopAt - 12 * MINUTE);
  const analyticsAdmin = p.principals.user('analyticsAdmin', stopAt - 9 * MINUTE);
  p.push(
    trailControl(rng, { principal: admin, pair: 0, trailArn: world.trails[0]!.arn, eventName: 'StopLogging', ms: stopAt - rng.int(10, 30) * SECOND, ip: '198.19.0.10' }),
    trailControl(rng, { principal: analyticsAdmin, pair: 2, trailArn: world.trails[1]!.arn, eventName: 'StopLogging', ms: stopAt, ip: '198.19.0.11' }),
    trailControl(rng, { principal: p.principals.user('secopsAdmin', startAt - 8 * MINUTE), pair: 0, trailArn: world.trails[0]!.arn, eventName: 'StartLogging', ms: startAt, ip: '198.19.0.10' }),
    trailControl(rng, {
      principal: p.principals.user('analyticsAdmin', startAt - 6 * MINUTE),
      pair: 2,
      trailArn: world.trails[1]!.arn,
      eventName: 'StartLogging',
      ms: startAt + rng.int(5, 20) * SECOND,
      ip: '198.19.0.11',
    }),
  );
  p.avoid.push({ from: stopAt - 15 * MINUTE, to: startAt + 30 * MINUTE });

  // The key-policy mistake: Decrypt refused for the viewer service and clinicians until it is fixed.
  let burstDay = Math.round(0.6 * (N - 1));
  if (burstDay === gapDay) burstDay = Math.min(N - 2, burstDay + 1);
  const burstStart = p.clock.toUtc(addDays(world.from, burstDay), rng.int(10 * 60, 12 * 60 + 30)) + rng.int(0, 59) * SECOND;
  const burstEnd = burstStart + rng.int(32, 40) * MINUTE;
  p.avoid.push({ from: burstStart, to: burstEnd });
  const affectedRoles = ['ViewerServiceRole', 'ClinicianRole'];
  const allDecryptors = ['RadiologistRole', 'ClinicianRole', 'TechnologistRole', 'ViewerServiceRole', 'ImagingIngestRole', 'HealthImagingImportRole'];
  p.push(
    putKeyPolicy(world, rng, {
      principal: p.principals.user('secopsAdmin', burstStart - 20 * MINUTE),
      ms: burstStart,
      ip: '198.19.0.10',
      policy: keyPolicy(allDecryptors.filter((r) => !affectedRoles.includes(r))),
    }),
    putKeyPolicy(world, rng, { principal: p.principals.user('secopsAdmin', burstEnd - 15 * MINUTE), ms: burstEnd, ip: '198.19.0.10', policy: keyPolicy(allDecryptors) }),
  );
  const background = world.studies.filter((s) => world.patients[s.patient]!.kind === null);
  const readable = (s: Study, from: number, to: number) =>
    s.ingestAt < from && s.objects.some((id) => {
      const o = world.objects[id]!;
      const v = o.versions[o.versions.length - 1]!;
      return o.live && readableAt(v, from) && readableAt(v, to);
    });
  const firstReadable = (s: Study, ms: number) =>
    s.objects.findIndex((id) => {
      const o = world.objects[id]!;
      return o.live && readableAt(o.versions[o.versions.length - 1]!, ms);
    });
  const burstStudies = rng.shuffle(background.filter((s) => readable(s, burstStart, burstEnd)));
  if (burstStudies.length < 40) throw new Error('too few recent studies for the decrypt-denied burst');
  let burstCursor = 0;
  const burstHour = Math.floor(burstStart / HOUR);
  const burstCallers: { caller: Caller; studies: number }[] = [1, 2, 3].map((k) => ({
    caller: {
      principal: p.principals.role('ViewerServiceRole', `viewer-prefetch-${burstHour % 100000}-${20 + k}`, burstStart - rng.int(2, 9) * MINUTE),
      ip: `10.40.1.${150 + k}`,
      userAgent: USER_AGENTS.viewerService,
      sdk: 'js',
      network: 'vpce',
    },
    studies: rng.int(8, 12),
  }));
  for (const c of [pick(rng.int(0, 13), 'ClinicianRole'), pick(rng.int(0, 13), 'ClinicianRole')]) {
    const first = burstStart + rng.int(2, 10) * MINUTE;
    burstCallers.push({ caller: p.clinicianS3(c, first), studies: rng.int(2, 4) });
  }
  for (const { caller, studies } of burstCallers) {
    for (let i = 0; i < studies; i++) {
      const s = burstStudies[burstCursor++]!;
      let t = burstStart + rng.int(45, Math.floor((burstEnd - burstStart) / SECOND) - 120) * SECOND;
      for (let attempt = rng.int(1, 3); attempt > 0; attempt--) {
        p.s3(caller, s, 'GetObject', t, 'kms', firstReadable(s, t));
        t += rng.int(3, 15) * SECOND;
      }
    }
  }

  // The bulk export: one radiologist pulls originals of well over 150 studies from home one evening.
  let bulkDay = Math.round(0.8 * (N - 1));
  while (bulkDay === gapDay || bulkDay === burstDay) bulkDay = bulkDay <= 0 ? N - 2 : bulkDay - 1;
  bulkDay = Math.min(bulkDay, N - 2);
  const bulkStart = p.clock.toUtc(addDays(world.from, bulkDay), 19 * 60 + rng.int(20, 40)) + rng.int(0, 59) * SECOND;
  const bulkCandidates = rng.shuffle(background.filter((s) => readable(s, bulkStart, bulkStart + 2 * HOUR)));
  const bulkCount = Math.min(bulkCandidates.length, rng.int(165, 185));
  if (bulkCount < 150) throw new Error('too few recent studies for the bulk export');
  const bulkClinician = world.clinicians[cast.bulk]!;
  const bulkCaller: Caller = {
    principal: p.session(bulkClinician, bulkStart, '203.0.113.77'),
    ip: '203.0.113.77',
    userAgent: USER_AGENTS.cli,
    sdk: 'python',
    network: 'internet',
  };
  let t = bulkStart;
  for (let i = 0; i < bulkCount; i++) {
    const s = bulkCandidates[i]!;
    p.s3(bulkCaller, s, 'GetObject', t, null, firstReadable(s, t));
    t += rng.int(15, 40) * SECOND;
  }
  p.avoid.push({ from: bulkStart, to: t });

  // Adult: own radiologist and clinician (one after hours), an S3 download, and the investigated user.
  const adult = patient('adult');
  const adultRad = pick(adult.facility, 'RadiologistRole');
  const adultCli = pick(adult.facility, 'ClinicianRole');
  p.view(adultRad, study('adult', 0, 1), p.at(dayAt(0.15), 10, 12), ['GetImageFrame', 'GetImageFrame', 'GetImageFrame']);
  p.view(adultCli, study('adult', 0, 1), p.at(dayAt(0.45), 22, 40), ['GetDICOMInstance']);
  const adultS3 = p.at(early(3), 14, 5);
  p.s3(p.clinicianS3(adultCli, adultS3), study('adult', 0, 1), 'GetObject', adultS3);

  // Pediatric: the children's hospital's radiologist and clinician, including an S3 download.
  const ped = patient('pediatric');
  const pedRad = pick(ped.facility, 'RadiologistRole');
  const pedCli = pick(ped.facility, 'ClinicianRole');
  p.view(pedRad, study('pediatric', 0, 1), p.at(early(2), 9, 30), ['GetImageFrame', 'GetImageFrame']);
  const pedS3 = p.at(early(4), 11, 15);
  p.s3(p.clinicianS3(pedCli, pedS3), study('pediatric', 0, 1), 'GetObject', pedS3);
  p.view(pedCli, study('pediatric', 0, 0), p.at(dayAt(0.7), 15, 20));

  // VIPs: their own teams, a clinician from another hospital, and a refused attempt.
  const vip1 = patient('vip', 0);
  p.view(pick(vip1.facility, 'RadiologistRole'), study('vip', 0, 0), p.at(dayAt(0.3), 8, 50), ['GetImageFrame', 'GetImageFrame']);
  const snooper = pick((vip1.facility + 5) % 14, 'ClinicianRole');
  const snoopAt = p.at(dayAt(0.55), 13, 37);
  p.view(snooper, study('vip', 0, 0), snoopAt, ['GetImageFrame']);
  const prober = pick((vip1.facility + 9) % 14, 'TechnologistRole');
  const probeAt = snoopAt + rng.int(3, 9) * MINUTE;
  const probeIp = p.clinicianIp(prober, probeAt);
  p.push(
    imagingStudyCall(world, rng, {
      caller: { principal: p.session(prober, probeAt, probeIp), ip: probeIp, userAgent: USER_AGENTS.browserViewer[0], vpce: false },
      study: study('vip', 0, 0),
      eventName: 'GetImageSetMetadata',
      ms: probeAt,
      deny: 'explicit',
    }),
  );
  const vip2 = patient('vip', 1);
  p.view(pick(vip2.facility, 'RadiologistRole'), study('vip', 1, 0), p.at(dayAt(0.25), 16, 10), ['GetImageFrame']);
  p.view(pick(vip2.facility, 'ClinicianRole'), study('vip', 1, 0), p.at(dayAt(0.85), 11, 0), ['GetImageSet']);

  // S3 only: the PACS gateway's reads, one of them while CloudTrail was not logging.
  const pacs: Caller = {
    principal: p.principals.user('pacsBridge'),
    ip: '198.51.100.21',
    userAgent: USER_AGENTS.pacsBridge,
    sdk: 'java',
    network: 'internet',
  };
  const s3only = study('s3-only', 0, 0);
  p.s3(pacs, s3only, 'GetObject', p.at(early(1), 10, 20));
  p.s3(pacs, s3only, 'HeadObject', p.at(early(2), 15, 45), null, 1);
  p.s3(pacs, s3only, 'GetObject', gs + rng.int(65, 95) * MINUTE + rng.int(0, 59) * SECOND, null, 1);

  // The investigated user: a clinician from another hospital browsing records outside their care.
  const inv = world.clinicians[cast.investigated]!;
  const invStudies = rng.shuffle(background.filter((s) => s.facility !== inv.facility));
  const d1 = dayAt(0.2);
  const d2 = dayAt(0.5);
  const d3 = dayAt(0.75);
  const chosen: Study[] = [];
  const another = (before: number, ok: (s: Study) => boolean = () => true) => {
    const s = invStudies.find((x) => x.ingestAt < before && ok(x) && !chosen.some((c) => c.patient === x.patient));
    if (!s) throw new Error('no background study for the investigated user');
    chosen.push(s);
    return s;
  };
  const t1 = p.at(d1, 9, 15);
  p.view(inv, study('adult', 0, 0), t1);
  p.view(inv, another(t1), t1 + rng.int(20, 30) * MINUTE, ['GetImageFrame']);
  const t2 = p.at(d2, 21, 5);
  p.view(inv, study('vip', 1, 0), t2, ['GetImageFrame', 'GetImageFrame']);
  p.view(inv, another(t2), t2 + rng.int(12, 20) * MINUTE);
  const t3 = p.at(d3, 12, 30);
  p.view(inv, another(t3), t3, ['GetImageFrame', 'GetImageFrame']);
  const t4 = t3 + rng.int(15, 25) * MINUTE;
  const download = another(t4, (s) => readable(s, t4, t4 + MINUTE));
  p.s3(p.clinicianS3(inv, t4), download, 'GetObject', t4, null, firstReadable(download, t4));

  return {
    gap: { region: 'us-east-1', stopAt, startAt, from: gs, to: ge, flushAt, finalDigestEnd: flushAt + rng.int(30, 90) * SECOND },
    burst: { start: burstStart, end: burstEnd, affectedRoles },
    quiet: { from: burstStart - 2 * HOUR, to: burstEnd + 2 * HOUR },
    excludedClinicians: [cast.investigated, cast.bulk],
    planted: p.emissions,
  };
}

