// The modelled archive: AWS accounts and identifiers, hospitals, staff, patients, studies and the
// S3 objects (with versions) that hold them. Plain data, so it can be handed to worker threads.
import { patientIdHash } from '@/lib/phi';
import type { ResolvedOptions } from './options';
import { scaleFor } from './options';
import { Rng, rngFor } from './random';
import {
  FIRST_NAMES,
  HEALTH_SYSTEM_DOMAIN,
  HOSPITALS,
  LAST_NAMES,
  MODALITIES,
  type ModalitySpec,
} from './reference-data';
import { addDays, addYears, DAY, dayStart, daysFrom, LocalClock, MINUTE, SECOND } from './time';
import type { LakeLayout } from '@/lib/lake/tables';

export const IMAGING_ACCOUNT = '210987654321';
export const ANALYTICS_ACCOUNT = '345678901234';
export const ORGANIZATION_ID = 'o-h7c2k9x4m1';
export const REGIONS = ['us-east-1', 'us-west-2'] as const;
export type Region = (typeof REGIONS)[number];
export const PRIMARY_REGION: Region = 'us-east-1';
export const ARCHIVE_BUCKET = 'custos-demo-imaging-archive';
export const LOG_BUCKET = 'custos-demo-logs';
export const INVENTORY_CONFIG_ID = 'daily-full';
export const TIME_ZONE = 'America/New_York';
export const BUSINESS_HOURS = [7, 19] as const;

/** The four trail outputs: (account, region) pairs, in a fixed order used as an index. */
export const PAIRS = [
  { account: IMAGING_ACCOUNT, region: 'us-east-1' },
  { account: IMAGING_ACCOUNT, region: 'us-west-2' },
  { account: ANALYTICS_ACCOUNT, region: 'us-east-1' },
  { account: ANALYTICS_ACCOUNT, region: 'us-west-2' },
] as const satisfies readonly { account: string; region: Region }[];
export type PairIndex = 0 | 1 | 2 | 3;

export function pairIndex(account: string, region: string): PairIndex {
  const i = PAIRS.findIndex((p) => p.account === account && p.region === region);
  if (i < 0) throw new Error(`no trail output for ${account}/${region}`);
  return i as PairIndex;
}

export type ClinicalRole = 'RadiologistRole' | 'ClinicianRole' | 'TechnologistRole';

export type Hospital = { name: string; code: string; domain: string; natIps: string[]; pediatric: boolean };

export type Clinician = {
  id: number;
  email: string;
  role: ClinicalRole;
  facility: number;
  /** Local shift start (minutes after midnight) and length in hours. */
  shiftStartMin: number;
  shiftHours: number;
  /** Probability of working on a given local date. */
  workRate: number;
  /** Relative reading volume. */
  weight: number;
  /** Reads from home over the VPN outside the day shift. */
  remote: boolean;
  /** False for staff whose every event is planted by the scenario. */
  background: boolean;
};

export type Patient = {
  id: number;
  mrn: string;
  hash: string;
  birthDate: string;
  facility: number;
  vip: boolean;
  /** Set for the patients the scenario plants; background traffic never touches them. */
  kind: PlantedKind | null;
  studies: number[];
};

export type PlantedKind = 'adult' | 'pediatric' | 'vip' | 'no-access' | 's3-only';

export type Study = {
  id: number;
  patient: number;
  uid: string;
  accession: string;
  imageSetId: string;
  modality: string;
  bodyPart: string;
  /** Local study date, YYYY-MM-DD. */
  studyDate: string;
  /** When the objects were written to S3 (epoch ms). */
  ingestAt: number;
  retentionClass: 'adult' | 'pediatric';
  legalHold: boolean;
  facility: number;
  /** Object Lock retain-until date (YYYY-MM-DD). */
  retainUntil: string;
  objects: number[];
  planted: boolean;
};

export type ObjectVersion = {
  versionId: string;
  lastModified: number;
  size: number;
  etag: string;
  multipart: boolean;
  checksum: string;
  deleteMarker: boolean;
};

export type StoredObject = {
  id: number;
  study: number;
  key: string;
  /** Oldest first; the last one is current. */
  versions: ObjectVersion[];
  /** False for misfiled objects whose current version is a delete marker. */
  live: boolean;
};

export type ServiceRoleName =
  | 'ViewerServiceRole'
  | 'ImagingIngestRole'
  | 'HealthImagingImportRole'
  | 'ResearchExportRole'
  | 'SecurityAuditRole'
  | 'MonitoringRole'
  | 'AWSServiceRoleForConfig'
  | 'CiDeployRole'
  | 'AnalyticsEtlRole'
  | 'BiAnalystRole'
  | 'Ec2InstanceRole';

export type RoleInfo = { name: string; account: string; id: string };

export type IamUser = { name: string; account: string; id: string; accessKeyId: string };

export type World = {
  seed: number;
  days: number;
  eventsPerDay: number;
  from: string;
  to: string;
  startMs: number;
  endMs: number;
  layout: LakeLayout;
  kmsKeyArn: string;
  drKmsKeyArn: string;
  datastoreIds: Record<Region, string>;
  bucketOwnerId: string;
  samlProviderArn: string;
  samlIdpId: string;
  vpceS3: string;
  vpceImaging: string;
  roles: Record<ClinicalRole | ServiceRoleName, RoleInfo>;
  users: { pacsBridge: IamUser; secopsAdmin: IamUser; analyticsAdmin: IamUser; biReporting: IamUser };
  trails: { account: string; name: string; arn: string; organizationId: string | null }[];
  hospitals: Hospital[];
  clinicians: Clinician[];
  patients: Patient[];
  studies: Study[];
  objects: StoredObject[];
};

const YEARS_OF_HISTORY = 12;
const RECENT_SHARE = 0.35;
const RECENT_DAYS_BEFORE_WINDOW = 90;

export function buildWorld(o: ResolvedOptions): World {
  const rng = rngFor(o.seed, 'world');
  const role = (name: string, account = IMAGING_ACCOUNT): RoleInfo => ({ name, account, id: `AROA${rng.iamId(17)}` });
  const user = (name: string, account = IMAGING_ACCOUNT): IamUser => ({
    name,
    account,
    id: `AIDA${rng.iamId(17)}`,
    accessKeyId: `AKIA${rng.iamId(16)}`,
  });
  const world: World = {
    seed: o.seed,
    days: o.days,
    eventsPerDay: o.eventsPerDay,
    from: o.from,
    to: o.end,
    startMs: o.startMs,
    endMs: o.endMs,
    layout: o.layout,
    kmsKeyArn: `arn:aws:kms:us-east-1:${IMAGING_ACCOUNT}:key/${rng.uuid()}`,
    drKmsKeyArn: `arn:aws:kms:us-west-2:${IMAGING_ACCOUNT}:key/mrk-${rng.hex(32)}`,
    datastoreIds: { 'us-east-1': rng.lowerAlnum(32), 'us-west-2': rng.lowerAlnum(32) },
    bucketOwnerId: rng.hex(64),
    samlProviderArn: `arn:aws:iam::${IMAGING_ACCOUNT}:saml-provider/HealthSystemSSO`,
    samlIdpId: rng.base64(21),
    vpceS3: `vpce-0${rng.hex(16)}`,
    vpceImaging: `vpce-0${rng.hex(16)}`,
    roles: {
      RadiologistRole: role('RadiologistRole'),
      ClinicianRole: role('ClinicianRole'),
      TechnologistRole: role('TechnologistRole'),
      ViewerServiceRole: role('ViewerServiceRole'),
      ImagingIngestRole: role('ImagingIngestRole'),
      HealthImagingImportRole: role('HealthImagingImportRole'),
      ResearchExportRole: role('ResearchExportRole'),
      SecurityAuditRole: role('SecurityAuditRole'),
      MonitoringRole: role('MonitoringRole'),
      AWSServiceRoleForConfig: role('AWSServiceRoleForConfig'),
      CiDeployRole: role('CiDeployRole'),
      AnalyticsEtlRole: role('AnalyticsEtlRole', ANALYTICS_ACCOUNT),
      BiAnalystRole: role('BiAnalystRole', ANALYTICS_ACCOUNT),
      Ec2InstanceRole: role('Ec2InstanceRole'),
    },
    users: {
      pacsBridge: user('pacs-bridge'),
      secopsAdmin: user('secops-admin'),
      analyticsAdmin: user('analytics-admin', ANALYTICS_ACCOUNT),
      biReporting: user('bi-reporting', ANALYTICS_ACCOUNT),
    },
    trails: [
      {
        account: IMAGING_ACCOUNT,
        name: 'custos-org-trail',
        arn: `arn:aws:cloudtrail:us-east-1:${IMAGING_ACCOUNT}:trail/custos-org-trail`,
        organizationId: ORGANIZATION_ID,
      },
      {
        account: ANALYTICS_ACCOUNT,
        name: 'analytics-trail',
        arn: `arn:aws:cloudtrail:us-east-1:${ANALYTICS_ACCOUNT}:trail/analytics-trail`,
        organizationId: null,
      },
    ],
    hospitals: HOSPITALS.map((h, i) => ({
      name: h.name,
      code: h.code,
      domain: `${h.code}.${HEALTH_SYSTEM_DOMAIN}`,
      natIps: [0, 1, 2, 3].map((k) => `198.18.${i + 1}.${10 + k}`),
      pediatric: Boolean(h.pediatric),
    })),
    clinicians: [],
    patients: [],
    studies: [],
    objects: [],
  };
  const scale = scaleFor(o.days, o.eventsPerDay);
  buildClinicians(world, rng, scale.clinicians);
  buildBackgroundPatients(world, rng, scale.studies);
  return world;
}

function buildClinicians(world: World, rng: Rng, count: number) {
  const used = new Set<string>();
  for (let i = 0; i < count; i++) {
    const role = rng.weighted<ClinicalRole>([
      ['RadiologistRole', 35],
      ['ClinicianRole', 50],
      ['TechnologistRole', 15],
    ]);
    const shift = rng.weighted<'day' | 'evening' | 'night'>([
      ['day', 80],
      ['evening', 14],
      ['night', 6],
    ]);
    const facility = i < 14 ? i : rng.int(0, world.hospitals.length - 1);
    world.clinicians.push({
      id: i,
      email: uniqueEmail(rng, used, world.hospitals[facility]!.domain),
      role,
      facility,
      shiftStartMin:
        shift === 'day' ? rng.int(6 * 60 + 30, 9 * 60) : shift === 'evening' ? rng.int(14 * 60, 16 * 60) : rng.int(19 * 60, 21 * 60),
      shiftHours: shift === 'day' ? rng.int(9, 12) : shift === 'evening' ? rng.int(8, 9) : rng.int(10, 12),
      workRate: 0.55 + rng.next() * 0.25,
      weight: role === 'RadiologistRole' ? 3 : role === 'ClinicianRole' ? 1 : 0.6,
      remote: role === 'RadiologistRole' && rng.chance(0.3),
      background: true,
    });
  }
}

export function uniqueEmail(rng: Rng, used: Set<string>, domain: string): string {
  for (;;) {
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    let local = `${first}.${last}`;
    if (used.has(`${local}@${domain}`)) local = `${first}.${last}${rng.int(2, 9)}`;
    const email = `${local}@${domain}`;
    if (!used.has(email)) {
      used.add(email);
      return email;
    }
  }
}

function buildBackgroundPatients(world: World, rng: Rng, targetStudies: number) {
  const mrns = new Set<string>();
  const recentFrom = addDays(world.from, -RECENT_DAYS_BEFORE_WINDOW);
  const historyFrom = addYears(world.to, -YEARS_OF_HISTORY);
  const recentSpan = daysFrom(recentFrom, world.to);
  const historySpan = daysFrom(historyFrom, recentFrom);
  while (world.studies.length < targetStudies) {
    const facility = rng.int(0, world.hospitals.length - 1);
    const child = rng.chance(world.hospitals[facility]!.pediatric ? 0.85 : 0.08);
    const ageYears = child ? rng.int(0, 17) : Math.min(97, 18 + Math.floor(rng.exp(1) * 22 + rng.next() * 25));
    const birthDate = addDays(addYears(world.to, -ageYears), -rng.int(1, 364));
    const patient = addPatient(world, rng, mrns, { birthDate, facility, vip: false, kind: null });
    const count = Math.min(5, 1 + Math.floor(rng.exp(0.9)));
    for (let k = 0; k < count; k++) {
      let studyDate = '';
      for (let attempt = 0; attempt < 50; attempt++) {
        // History grows over time: squaring the uniform draw puts more studies in recent years.
        const candidate = rng.chance(RECENT_SHARE)
          ? addDays(recentFrom, rng.int(0, recentSpan))
          : addDays(historyFrom, Math.floor(Math.sqrt(rng.next()) * historySpan));
        if (candidate > birthDate && !isBoundaryDate(candidate, birthDate, world.to)) {
          studyDate = candidate;
          break;
        }
      }
      if (!studyDate) continue;
      const study = createStudy(world, rng, patient, studyDate, { legalHold: rng.chance(0.005), planted: false });
      // Annual follow-ups (screening, oncology) come with last year's study as the comparison prior.
      const prior = addDays(studyDate, -365 + rng.int(-7, 7));
      if (studyDate >= recentFrom && rng.chance(0.3) && prior > birthDate && !isBoundaryDate(prior, birthDate, world.to)) {
        createStudy(world, rng, patient, prior, { legalHold: false, planted: false, modality: study.modality });
      }
    }
  }
}

export function addPatient(
  world: World,
  rng: Rng,
  mrns: Set<string>,
  p: { birthDate: string; facility: number; vip: boolean; kind: PlantedKind | null },
): Patient {
  let mrn: string;
  do mrn = `MRN${rng.digits(7)}`;
  while (mrns.has(mrn));
  mrns.add(mrn);
  const patient: Patient = {
    id: world.patients.length,
    mrn,
    hash: '',
    birthDate: p.birthDate,
    facility: p.facility,
    vip: p.vip,
    kind: p.kind,
    studies: [],
  };
  world.patients.push(patient);
  return patient;
}

/** Fills patient_id_hash (HMAC of the MRN under the catalog key) for every patient. */
export function hashPatients(world: World, catalogKey: string) {
  for (const p of world.patients) p.hash = patientIdHash(p.mrn, catalogKey);
}

/**
 * Dates on which retention, the pediatric cut-off or an age band would depend on whether a query
 * counts days or calendar years, or uses < rather than <=. The generator never uses them, so every
 * reasonable formulation of those rules gives the same answer.
 */
export function isBoundaryDate(studyDate: string, birthDate: string, asOf: string): boolean {
  if (addYears(studyDate, 7) === asOf || addYears(studyDate, 10) === asOf || addYears(birthDate, 24) === asOf) return true;
  if (addYears(birthDate, 18) === studyDate) return true;
  const age = daysFrom(studyDate, asOf);
  for (const [days, years] of [
    [365, 1],
    [1095, 3],
    [2555, 7],
  ] as const) {
    const calendarOlder = studyDate <= addYears(asOf, -years);
    const dayOlder = age >= days;
    if (calendarOlder !== dayOlder || age === days || studyDate === addYears(asOf, -years)) return true;
  }
  return age === 30 || age === 90;
}

export function isPediatricAt(birthDate: string, studyDate: string): boolean {
  return addYears(birthDate, 18) > studyDate;
}

/**
 * The last day retention keeps a study, by the health system's default rule set (lib/retention):
 * 7 years after the study, mammography 10; a minor's until the later of that and the 24th
 * birthday (21 plus a 3-year statute of limitations). 29 February anniversaries fall on 28 February.
 */
export function retainUntil(studyDate: string, birthDate: string, pediatric: boolean, modality: string): string {
  const byStudy = addYears(studyDate, modality === 'MG' ? 10 : 7);
  if (!pediatric) return byStudy;
  const statute = addYears(birthDate, 24);
  return statute > byStudy ? statute : byStudy;
}

const clock = new LocalClock(TIME_ZONE);

export function createStudy(
  world: World,
  rng: Rng,
  patient: Patient,
  studyDate: string,
  opts: { legalHold: boolean; planted: boolean; modality?: string; objects?: number; acquisitionMin?: number },
): Study {
  const pediatric = isPediatricAt(patient.birthDate, studyDate);
  const spec = opts.modality
    ? MODALITIES.find((m) => m.code === opts.modality)!
    : rng.weighted<ModalitySpec>(
        MODALITIES.filter((m) => (pediatric ? m.pediatricWeight : m.weight) > 0).map(
          (m) => [m, pediatric ? m.pediatricWeight : m.weight] as const,
        ),
      );
  const acquisition = clock.toUtc(studyDate, opts.acquisitionMin ?? rng.int(6 * 60, 21 * 60));
  let ingestAt = acquisition + rng.int(20, 90) * MINUTE + rng.int(0, 59) * SECOND;
  if (ingestAt >= world.endMs - 10 * MINUTE) ingestAt = world.endMs - rng.int(60, 180) * MINUTE;
  const uid = studyUid(rng, patient.facility, studyDate);
  const study: Study = {
    id: world.studies.length,
    patient: patient.id,
    uid,
    accession: `A${rng.digits(9)}`,
    imageSetId: rng.lowerAlnum(32),
    modality: spec.code,
    bodyPart: rng.pick(spec.bodyParts),
    studyDate,
    ingestAt,
    retentionClass: pediatric ? 'pediatric' : 'adult',
    legalHold: opts.legalHold,
    facility: patient.facility,
    retainUntil: retainUntil(studyDate, patient.birthDate, pediatric, spec.code),
    objects: [],
    planted: opts.planted,
  };
  world.studies.push(study);
  patient.studies.push(study.id);
  const objectCount = opts.objects ?? rng.int(1, 4);
  const totalBytes = Math.round((spec.studyMb[0] + rng.next() * (spec.studyMb[1] - spec.studyMb[0])) * 1024 * 1024);
  const canHaveHistory = ingestAt < world.startMs - 30 * DAY;
  for (let k = 0; k < objectCount; k++) {
    const size = Math.max(1024, Math.round((totalBytes / objectCount) * (0.6 + rng.next() * 0.8)));
    const key = `studies/${uid}/${seriesUid(rng, uid)}/${seriesUid(rng, uid)}.dcm`;
    const putAt = ingestAt + k * rng.int(3, 30) * SECOND;
    const versions: ObjectVersion[] = [makeVersion(rng, putAt - (putAt % SECOND), size, ingestAt < world.startMs)];
    if (canHaveHistory && rng.chance(0.01)) {
      // A corrected re-upload before the window: the original stays as a noncurrent version.
      const latest = Math.min(ingestAt + 200 * DAY, world.startMs - DAY);
      const reuploadAt = ingestAt + DAY + Math.floor(rng.next() * Math.max(0, latest - ingestAt - DAY));
      versions.push(makeVersion(rng, reuploadAt - (reuploadAt % SECOND), size + rng.int(-4096, 4096), true));
    }
    addObject(world, study, key, versions, true);
  }
  if (canHaveHistory && rng.chance(0.003)) {
    // A misfiled instance, deleted before the window: a noncurrent version under a delete marker.
    const key = `studies/${uid}/${seriesUid(rng, uid)}/${seriesUid(rng, uid)}.dcm`;
    const putAt = ingestAt + rng.int(60, 600) * SECOND;
    const deletedAt = Math.min(putAt + rng.int(1, 10) * DAY, world.startMs - DAY);
    const size = rng.int(200_000, 4_000_000);
    addObject(
      world,
      study,
      key,
      [
        makeVersion(rng, putAt - (putAt % SECOND), size, true),
        {
          versionId: versionId(rng),
          lastModified: deletedAt - (deletedAt % SECOND),
          size: 0,
          etag: '',
          multipart: false,
          checksum: '',
          deleteMarker: true,
        },
      ],
      false,
    );
  }
  return study;
}

function addObject(world: World, study: Study, key: string, versions: ObjectVersion[], live: boolean) {
  const obj: StoredObject = { id: world.objects.length, study: study.id, key, versions, live };
  world.objects.push(obj);
  study.objects.push(obj.id);
}

const CRC32_DEFAULT_SINCE = dayStart('2025-01-15');
const MULTIPART_PART = 16 * 1024 * 1024;

function makeVersion(rng: Rng, lastModified: number, size: number, mayBeMultipart: boolean): ObjectVersion {
  const multipart = mayBeMultipart && size > 64 * 1024 * 1024;
  return {
    versionId: versionId(rng),
    lastModified,
    size,
    etag: multipart ? `${rng.hex(32)}-${Math.ceil(size / MULTIPART_PART)}` : rng.hex(32),
    multipart,
    checksum: lastModified >= CRC32_DEFAULT_SINCE ? 'CRC32' : '',
    deleteMarker: false,
  };
}

const VERSION_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._';

function versionId(rng: Rng): string {
  let out = '';
  for (let i = 0; i < 32; i++) out += VERSION_CHARS[rng.int(0, VERSION_CHARS.length - 1)];
  return out;
}

/** GE-style or UUID-derived (2.25.<decimal>) DICOM UIDs, at most 64 characters. */
function studyUid(rng: Rng, facility: number, studyDate: string): string {
  if (rng.chance(0.35)) return uuidUid(rng);
  return `1.2.840.113619.2.${404 + facility}.3.${rng.digits(9)}.${studyDate.replaceAll('-', '')}.${rng.int(1, 999999)}`;
}

function seriesUid(rng: Rng, study: string): string {
  if (study.startsWith('2.25.')) return uuidUid(rng);
  return `1.2.840.113619.2.${rng.int(400, 430)}.3.${rng.digits(10)}.${rng.digits(8)}.${rng.int(1, 99999)}`;
}

function uuidUid(rng: Rng): string {
  return `2.25.${BigInt(`0x${rng.hex(32)}`).toString(10)}`;
}

export function objectArn(key: string): string {
  return `arn:aws:s3:::${ARCHIVE_BUCKET}/${key}`;
}
