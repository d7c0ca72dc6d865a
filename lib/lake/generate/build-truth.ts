// Assembles truth.json from the world, the planted emissions (resolved exactly as the logs show
// them), the per-day counts the day writers returned and the latest inventory report.
import { principalArn } from './cloudtrail-record';
import type { DayResult } from './day-files';
import { resolveEmission, type ResolvedAccess } from './emission';
import type { InventoryReport, StorageTotals } from './inventory';
import type { Plan } from './plan';
import type { Cast } from './scenario';
import { dateOf, DAY, isoHour, isoSecond } from './time';
import { compareAccesses, type AfterHoursDay, type BulkHour, type Truth, type TruthAccess } from './truth';
import {
  ANALYTICS_ACCOUNT,
  ARCHIVE_BUCKET,
  BUSINESS_HOURS,
  IMAGING_ACCOUNT,
  LOG_BUCKET,
  ORGANIZATION_ID,
  PRIMARY_REGION,
  REGIONS,
  TIME_ZONE,
  type PlantedKind,
  type World,
} from './world';

const KIND_ORDER: PlantedKind[] = ['adult', 'pediatric', 'vip', 'no-access', 's3-only'];

function sum<K>(entries: Iterable<[K, number]>): Map<K, number> {
  const m = new Map<K, number>();
  for (const [k, n] of entries) m.set(k, (m.get(k) ?? 0) + n);
  return m;
}

export function buildTruth(input: {
  world: World;
  plan: Plan;
  cast: Cast;
  days: DayResult[];
  inventory: { reports: InventoryReport[]; totals: StorageTotals };
}): Truth {
  const { world, plan, cast } = input;
  const toAccess = (a: ResolvedAccess): TruthAccess => ({
    time: isoSecond(a.time),
    principal: a.principal,
    action: a.action,
    source: a.source,
    studyInstanceUid: world.studies[a.study]!.uid,
    sourceIp: a.sourceIp,
    outcome: a.outcome,
    sources: [...a.sources].sort(),
    eventId: a.eventId,
    requestId: a.requestId,
  });
  const planted: ResolvedAccess[] = [];
  const deniedDecrypts: number[] = [];
  for (const e of plan.planted) {
    const r = resolveEmission(plan.gap, e);
    if (r.access && r.access.time >= world.startMs && r.access.time < world.endMs) planted.push(r.access);
    if (r.kmsDenied && r.kmsDenied.ms >= plan.burst.start && r.kmsDenied.ms <= plan.burst.end) deniedDecrypts.push(r.kmsDenied.ms);
  }
  const patientOf = (a: ResolvedAccess) => world.patients[world.studies[a.study]!.patient]!;
  const sortAccesses = (list: TruthAccess[]) => list.sort(compareAccesses);

  const patients = KIND_ORDER.flatMap((kind) =>
    cast.patients[kind].map((id) => {
      const p = world.patients[id]!;
      return {
        mrn: p.mrn,
        kind,
        patientIdHash: p.hash,
        studies: p.studies.map((sid) => {
          const s = world.studies[sid]!;
          return { studyInstanceUid: s.uid, accessionNumber: s.accession, imageSetId: s.imageSetId, modality: s.modality, studyDate: s.studyDate };
        }),
        accesses: sortAccesses(planted.filter((a) => patientOf(a).id === id).map(toAccess)),
      };
    }),
  );

  const invPrincipal = principalArn({
    kind: 'role',
    role: world.roles.ClinicianRole,
    session: world.clinicians[cast.investigated]!.email,
    accessKeyId: '',
    sessionStart: 0,
  });
  const inv = sortAccesses(planted.filter((a) => a.principal === invPrincipal).map(toAccess));
  const invStudies = new Set(planted.filter((a) => a.principal === invPrincipal).map((a) => a.study));

  const bulkPrincipal = principalArn({
    kind: 'role',
    role: world.roles.RadiologistRole,
    session: world.clinicians[cast.bulk]!.email,
    accessKeyId: '',
    sessionStart: 0,
  });
  const bulk = sortAccesses(planted.filter((a) => a.principal === bulkPrincipal).map(toAccess));
  const bulkHours = new Map<string, { studies: Set<string>; accesses: number; denied: number; first: string; last: string }>();
  for (const a of bulk) {
    const hour = `${a.time.slice(0, 13)}:00:00Z`;
    const h = bulkHours.get(hour) ?? { studies: new Set<string>(), accesses: 0, denied: 0, first: a.time, last: a.time };
    h.studies.add(a.studyInstanceUid);
    h.accesses++;
    if (a.outcome !== 'success') h.denied++;
    if (a.time < h.first) h.first = a.time;
    if (a.time > h.last) h.last = a.time;
    bulkHours.set(hour, h);
  }
  const hours: BulkHour[] = [...bulkHours.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([hour, h]) => ({ hour, distinctStudies: h.studies.size, accesses: h.accesses, denied: h.denied, firstAccess: h.first, lastAccess: h.last }));

  const byPersonDay: AfterHoursDay[] = input.days
    .flatMap((d) => d.afterHoursByPerson.map(([person, requests, studies, patients]) => ({ person, day: dateOf(world.startMs + d.day * DAY), requests, studies, patients })))
    .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.person < b.person ? -1 : a.person > b.person ? 1 : 0));

  const failed = sum(input.days.flatMap((d) => d.failed));
  const hourly = sum(input.days.flatMap((d) => d.decryptDenied));
  deniedDecrypts.sort((a, b) => a - b);

  return {
    seed: world.seed,
    options: { days: world.days, eventsPerDay: world.eventsPerDay, end: world.to },
    window: { from: world.from, to: world.to },
    accounts: [IMAGING_ACCOUNT, ANALYTICS_ACCOUNT],
    organizationId: ORGANIZATION_ID,
    regions: [...REGIONS],
    archiveBucket: ARCHIVE_BUCKET,
    logBucket: LOG_BUCKET,
    kmsKeyArn: world.kmsKeyArn,
    datastoreIds: { ...world.datastoreIds },
    timeZone: TIME_ZONE,
    businessHours: [BUSINESS_HOURS[0], BUSINESS_HOURS[1]],
    trails: world.trails.map((t) => ({ account: t.account, name: t.name, arn: t.arn, homeRegion: PRIMARY_REGION, organizationId: t.organizationId })),
    inventoryReports: input.inventory.reports,
    patients,
    investigatedUser: {
      principal: invPrincipal,
      from: inv[0]!.time,
      to: inv[inv.length - 1]!.time,
      accesses: inv.length,
      studies: [...invStudies].map((id) => world.studies[id]!.uid).sort(),
      patientIdHashes: [...new Set([...invStudies].map((id) => world.patients[world.studies[id]!.patient]!.hash))].sort(),
    },
    bulkAccess: {
      principal: bulkPrincipal,
      from: bulk[0]!.time,
      to: bulk[bulk.length - 1]!.time,
      distinctStudies: new Set(bulk.map((a) => a.studyInstanceUid)).size,
      hours,
    },
    vipAccesses: planted
      .filter((a) => patientOf(a).vip)
      .map((a) => ({ access: toAccess(a), patientIdHash: patientOf(a).hash }))
      .sort((x, y) => compareAccesses(x.access, y.access))
      .map(({ access, patientIdHash }) => ({
        patientIdHash,
        studyInstanceUid: access.studyInstanceUid,
        principal: access.principal,
        time: access.time,
        action: access.action,
        source: access.source,
      })),
    afterHours: { count: input.days.reduce((n, d) => n + d.afterHours, 0), byPersonDay },
    failedAccess: [...failed.entries()]
      .map(([k, count]) => {
        const [principal, source] = k.split('\t') as [string, 'healthimaging' | 's3' | 'kms'];
        return { principal, source, count };
      })
      .sort((a, b) => (a.principal < b.principal ? -1 : a.principal > b.principal ? 1 : a.source < b.source ? -1 : a.source > b.source ? 1 : 0)),
    decryptDenied: {
      from: isoSecond(deniedDecrypts[0]!),
      to: isoSecond(deniedDecrypts[deniedDecrypts.length - 1]!),
      count: deniedDecrypts.length,
      keyArn: world.kmsKeyArn,
    },
    decryptDeniedHourly: [...hourly.entries()]
      .map(([k, count]) => {
        const [hour, keyArn, principal] = k.split('\t') as [string, string, string];
        return { hour, keyArn, principal, count };
      })
      .sort((a, b) => (a.hour < b.hour ? -1 : a.hour > b.hour ? 1 : a.principal < b.principal ? -1 : a.principal > b.principal ? 1 : 0)),
    storage: input.inventory.totals.storage,
    storageByBand: input.inventory.totals.storageByBand,
    retentionDue: world.studies
      .filter((s) => !s.legalHold && s.retainUntil < world.to)
      .map((s) => s.uid)
      .sort(),
    coverageGaps: [{ region: plan.gap.region, from: isoHour(plan.gap.from), to: isoHour(plan.gap.to) }],
  };
}
