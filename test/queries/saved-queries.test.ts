import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { QueryEngine } from '@/lib/engine/port';
import { CANARY_MRN, checkCatalogCanary } from '@/lib/lake/catalog-canary';
import { personOf, type Truth, type TruthAccess } from '@/lib/lake/generate/truth';
import { DEMO_CATALOG_KEY } from '@/lib/phi';
import { lakeEngine, runQuery, type QueryResult } from '../support/run-query';

// Every saved query, run on the generated lake, must return exactly what the generator planted.
const lake = inject('testLake');

describe.each([
  ['compacted', lake.compacted],
  ['raw', lake.raw],
  ['indexed', lake.indexed],
  ['mixed (index and raw)', lake.mixed],
])('saved queries on the %s lake', (_layer, dir) => {
  let engine: QueryEngine;
  let truth: Truth;
  let window: { from: string; to: string };
  beforeAll(async () => {
    engine = await lakeEngine(dir);
    truth = JSON.parse(fs.readFileSync(path.join(dir, 'truth.json'), 'utf8')) as Truth;
    window = truth.window;
  });
  afterAll(async () => engine?.close());

  const asAccess = (r: QueryResult['rows'][number]) => ({
    time: r.event_time,
    principal: r.principal,
    action: r.action,
    source: r.source,
    studyInstanceUid: r.study_instance_uid,
    sourceIp: r.source_ip,
    outcome: r.outcome,
    sources: String(r.sources).split(','),
    eventId: r.event_id,
    requestId: r.source === 's3' ? r.request_id : null,
  });
  const expected = (accesses: TruthAccess[]) =>
    accesses.map((a) => ({ ...a, sources: [...a.sources].sort() }));

  it('patient-access-history returns every planted access of every planted patient, once', async () => {
    expect(truth.patients.map((p) => p.kind)).toEqual(expect.arrayContaining(['adult', 'pediatric', 'vip', 'no-access', 's3-only']));
    for (const patient of truth.patients) {
      const result = await runQuery(engine, 'patient-access-history', { patient: patient.mrn, ...window });
      expect(result.rows.map(asAccess), `${patient.kind} patient`).toEqual(expected(patient.accesses));
    }
    const s3Only = truth.patients.find((p) => p.kind === 's3-only')!;
    expect(s3Only.accesses.every((a) => a.source === 's3')).toBe(true);
    const both = truth.patients.flatMap((p) => p.accesses).filter((a) => a.sources.includes('cloudtrail') && a.sources.includes('s3_access_log'));
    expect(both.length).toBeGreaterThan(0);
  });

  it('study-access finds a study by UID and by accession number', async () => {
    const patient = truth.patients.find((p) => p.kind === 'adult')!;
    const study = patient.studies.find((s) => patient.accesses.some((a) => a.studyInstanceUid === s.studyInstanceUid))!;
    const want = expected(patient.accesses.filter((a) => a.studyInstanceUid === study.studyInstanceUid));
    const byUid = await runQuery(engine, 'study-access', { study: study.studyInstanceUid, ...window });
    const byAccession = await runQuery(engine, 'study-access', { study: study.accessionNumber, ...window });
    expect(byUid.rows.map(asAccess)).toEqual(want);
    expect(byAccession.rows.map(asAccess)).toEqual(want);
  });

  it('user-activity lists the investigated user and the patients they touched', async () => {
    const user = truth.investigatedUser;
    const result = await runQuery(engine, 'user-activity', { principal: user.principal, ...window });
    const accesses = result.rows.filter((r) => r.study_instance_uid !== null);
    expect(accesses).toHaveLength(user.accesses);
    expect(new Set(accesses.map((r) => r.study_instance_uid))).toEqual(new Set(user.studies));
    expect(new Set(accesses.map((r) => r.patient_id_hash))).toEqual(new Set(user.patientIdHashes));
    expect(result.rows.every((r) => r.principal === user.principal)).toBe(true);
    // by session name (the person) the list also holds their SAML sign-ins, which carry no role ARN
    const session = user.principal.split('/')[2]!;
    const bySession = await runQuery(engine, 'user-activity', { principal: session, ...window });
    expect(bySession.rows).toEqual(expect.arrayContaining(result.rows));
    const extra = bySession.rows.filter((r) => r.principal !== user.principal);
    expect(extra.length).toBeGreaterThan(0);
    expect(extra.every((r) => r.principal === `SAMLUser:${session}` && r.action === 'AssumeRoleWithSAML')).toBe(true);
  });

  it('vip-access lists every access to a VIP patient', async () => {
    const result = await runQuery(engine, 'vip-access', window);
    const got = result.rows.map((r) => `${r.time ?? r.event_time}|${r.patient_id_hash}|${r.study_instance_uid}|${r.principal}|${r.action}|${r.source}`).sort();
    const want = truth.vipAccesses.map((a) => `${a.time}|${a.patientIdHash}|${a.studyInstanceUid}|${a.principal}|${a.action}|${a.source}`).sort();
    expect(got).toEqual(want);
  });

  it('bulk-access lists exactly the planted hours above the threshold, and nothing else', async () => {
    const bulk = truth.bulkAccess;
    const session = bulk.principal.split('/')[2]!;
    const rowsAbove = (threshold: number) =>
      bulk.hours
        .filter((h) => h.distinctStudies > threshold)
        .map((h) => ({
          hour: h.hour,
          principal: bulk.principal,
          federated_user: session,
          distinct_studies: h.distinctStudies,
          accesses: h.accesses,
          denied: h.denied,
          first_access: h.firstAccess,
          last_access: h.lastAccess,
        }));
    // no one else touches more than 20 studies in an hour (test/lake/generate.test.ts), so these are all the rows
    for (const threshold of [20, 50, Math.max(...bulk.hours.map((h) => h.distinctStudies)) - 1]) {
      const result = await runQuery(engine, 'bulk-access', { ...window, threshold: String(threshold) });
      expect(rowsAbove(threshold).length, `threshold ${threshold}`).toBeGreaterThan(0);
      expect(result.rows, `threshold ${threshold}`).toEqual(rowsAbove(threshold));
    }
    const highest = Math.max(...bulk.hours.map((h) => h.distinctStudies));
    expect((await runQuery(engine, 'bulk-access', { ...window, threshold: String(highest) })).rows).toEqual([]);
    expect(bulk.hours.reduce((n, h) => n + h.accesses, 0)).toBeGreaterThanOrEqual(bulk.distinctStudies);
  });

  const businessHours = () => ({ time_zone: truth.timeZone, start_hour: String(truth.businessHours[0]), end_hour: String(truth.businessHours[1]) });
  const localHour = (iso: string) => Number(new Intl.DateTimeFormat('en-US', { timeZone: truth.timeZone, hour: 'numeric', hourCycle: 'h23' }).format(new Date(iso)));
  const afterHours = (iso: string) => localHour(iso) < truth.businessHours[0] || localHour(iso) >= truth.businessHours[1];

  it('after-hours-access lists every access outside business hours: the planted ones exactly', async () => {
    const result = await runQuery(engine, 'after-hours-access', { ...window, ...businessHours() });
    expect(result.rows).toHaveLength(truth.afterHours.count);
    for (const r of result.rows) {
      const hour = Number(String(r.local_time).slice(11, 13));
      expect(hour < truth.businessHours[0] || hour >= truth.businessHours[1]).toBe(true);
      expect(afterHours(String(r.event_time))).toBe(true);
    }
    // every planted patient's after-hours accesses, row for row (background traffic never touches them)
    const row = (r: QueryResult['rows'][number]) => ({
      time: r.event_time,
      principal: r.principal,
      action: r.action,
      source: r.source,
      studyInstanceUid: r.study_instance_uid,
      sourceIp: r.source_ip,
      outcome: r.outcome,
      eventId: r.event_id,
      requestId: r.source === 's3' ? r.request_id : null,
    });
    const planted = (a: TruthAccess) => ({ time: a.time, principal: a.principal, action: a.action, source: a.source, studyInstanceUid: a.studyInstanceUid, sourceIp: a.sourceIp, outcome: a.outcome, eventId: a.eventId, requestId: a.requestId });
    let seen = 0;
    for (const patient of truth.patients) {
      const want = patient.accesses.filter((a) => afterHours(a.time)).map(planted);
      expect(result.rows.filter((r) => r.patient_id_hash === patient.patientIdHash).map(row), `${patient.kind} patient`).toEqual(want);
      seen += want.length;
    }
    expect(seen).toBeGreaterThan(0);
    // and grouped by person and UTC day, exactly what the generator counted
    const groups = new Map<string, { requests: number; studies: Set<unknown>; patients: Set<unknown> }>();
    for (const r of result.rows) {
      const k = `${String(r.event_time).slice(0, 10)}\t${personOf(String(r.principal))}`;
      const g = groups.get(k) ?? { requests: 0, studies: new Set(), patients: new Set() };
      g.requests++;
      g.studies.add(r.study_instance_uid);
      g.patients.add(r.patient_id_hash);
      groups.set(k, g);
    }
    const got = [...groups.entries()]
      .map(([k, g]) => ({ person: k.split('\t')[1]!, day: k.split('\t')[0]!, requests: g.requests, studies: g.studies.size, patients: g.patients.size }))
      .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.person < b.person ? -1 : 1));
    expect(got).toEqual(truth.afterHours.byPersonDay);
  });

  it('after-hours-summary counts each person and UTC day exactly, and each row opens its requests', async () => {
    const result = await runQuery(engine, 'after-hours-summary', { ...window, ...businessHours() });
    expect(result.columns.map((c) => c.name)).toEqual(['person', 'day', 'after_hours_requests', 'studies', 'patients']);
    const got = result.rows.map((r) => ({ person: r.person, day: r.day, requests: r.after_hours_requests, studies: r.studies, patients: r.patients }));
    const byDayAndPerson = (a: { day: unknown; person: unknown }, b: typeof a) => (String(a.day) < String(b.day) ? -1 : String(a.day) > String(b.day) ? 1 : String(a.person) < String(b.person) ? -1 : 1);
    expect([...got].sort(byDayAndPerson)).toEqual(truth.afterHours.byPersonDay);
    expect(got.reduce((n, r) => n + Number(r.requests), 0)).toBe(truth.afterHours.count);
    // the busiest first
    const counts = got.map((r) => Number(r.requests));
    expect(counts).toEqual([...counts].sort((a, b) => b - a));

    // a row's drill-down (after-hours-access for that person on that day) holds exactly its requests:
    // the busiest row, the investigated user's, and an IAM user's (named by ARN)
    const investigated = personOf(truth.investigatedUser.principal);
    const picks = [
      got[0]!,
      got.find((r) => r.person === investigated),
      got.find((r) => String(r.person).startsWith('arn:aws:iam::')),
    ].filter((r): r is (typeof got)[number] => r !== undefined);
    expect(picks.length).toBeGreaterThanOrEqual(2);
    for (const pick of picks) {
      const day = String(pick.day);
      const detail = await runQuery(engine, 'after-hours-access', { from: day, to: day, ...businessHours(), person: String(pick.person) });
      expect(detail.rows, `${pick.person} on ${day}`).toHaveLength(Number(pick.requests));
      expect(detail.rows.every((r) => personOf(String(r.principal)) === pick.person && String(r.event_time).startsWith(day))).toBe(true);
      expect(new Set(detail.rows.map((r) => r.study_instance_uid)).size).toBe(Number(pick.studies));
      expect(new Set(detail.rows.map((r) => r.patient_id_hash)).size).toBe(Number(pick.patients));
    }
  });

  it('patient-studies never lists the catalog canary as a study', async () => {
    expect(await checkCatalogCanary(engine, DEMO_CATALOG_KEY)).toEqual({ ok: true });
    expect((await runQuery(engine, 'patient-studies', { patient: CANARY_MRN })).rows).toEqual([]);
    const adult = truth.patients.find((p) => p.kind === 'adult')!;
    const studies = await runQuery(engine, 'patient-studies', { patient: adult.mrn });
    expect(studies.rows.map((r) => r.study_instance_uid).sort()).toEqual(adult.studies.map((s) => s.studyInstanceUid).sort());
  });

  it('failed-access groups every refusal by principal and service', async () => {
    const result = await runQuery(engine, 'failed-access', window);
    const got = result.rows.map((r) => `${r.principal}|${r.source}|${r.denied}`).sort();
    const want = truth.failedAccess.map((f) => `${f.principal}|${f.source}|${f.count}`).sort();
    expect(got).toEqual(want);
  });

  it('decrypt-denied-timeline shows the burst after the key-policy change', async () => {
    const result = await runQuery(engine, 'decrypt-denied-timeline', window);
    const got = result.rows.map((r) => `${r.hour}|${r.key_arn}|${r.principal}|${r.denied}`).sort();
    const want = truth.decryptDeniedHourly.map((h) => `${h.hour}|${h.keyArn}|${h.principal}|${h.count}`).sort();
    expect(got).toEqual(want);
    const burst = result.rows
      .filter((r) => String(r.first_denied) >= truth.decryptDenied.from && String(r.last_denied) <= truth.decryptDenied.to && r.key_arn === truth.decryptDenied.keyArn)
      .reduce((n, r) => n + Number(r.denied), 0);
    expect(burst).toBe(truth.decryptDenied.count);
  });

  it('storage-tier-distribution matches the latest inventory report', async () => {
    const result = await runQuery(engine, 'storage-tier-distribution', { as_of: window.to });
    const byClass: Record<string, { objects: number; bytes: number }> = {};
    for (const r of result.rows) {
      const c = (byClass[String(r.storage_class)] ??= { objects: 0, bytes: 0 });
      c.objects += Number(r.objects);
      c.bytes += Number(r.bytes);
    }
    const want = Object.fromEntries(Object.entries(truth.storage).filter(([, v]) => v.objects > 0));
    expect(byClass).toEqual(want);
    const bands = result.rows.filter((r) => r.age_band !== 'unknown').map((r) => `${r.storage_class}|${r.age_band}|${r.objects}|${r.bytes}`).sort();
    expect(bands).toEqual(truth.storageByBand.map((b) => `${b.storageClass}|${b.band}|${b.objects}|${b.bytes}`).sort());
    expect(result.rows.every((r) => Number(r.est_monthly_usd) >= 0)).toBe(true);
  });

  it('storage-tier-trend takes the latest report of each month, whose rows are that report\'s, the last one the latest report', async () => {
    const monthly = await runQuery(engine, 'storage-tier-trend', { ...window, granularity: 'month' });
    const every = await runQuery(engine, 'storage-tier-trend', { ...window, granularity: 'report' });
    const reports = [...new Set(every.rows.map((r) => String(r.report)))].sort();
    expect(reports.length).toBeGreaterThan(1);
    const latestOfMonth = new Map(reports.map((dt) => [dt.slice(0, 7), dt]));
    const line = (r: Record<string, unknown>) => `${r.report}|${r.storage_class}|${r.objects}|${r.bytes}`;
    expect(monthly.rows.map((r) => r.report)).toEqual(monthly.rows.map((r) => latestOfMonth.get(String(r.period))));
    expect(monthly.rows.map(line)).toEqual(every.rows.filter((r) => latestOfMonth.get(String(r.report).slice(0, 7)) === r.report).map(line));
    const last = monthly.rows.filter((r) => r.report === reports.at(-1));
    const byClass = Object.fromEntries(last.map((r) => [String(r.storage_class), { objects: Number(r.objects), bytes: Number(r.bytes) }]));
    expect(byClass).toEqual(Object.fromEntries(Object.entries(truth.storage).filter(([, v]) => v.objects > 0)));
    expect(every.rows.every((r) => Number(r.objects) > 0)).toBe(true);
  });

  it('retention-due lists exactly the studies past retention and not on hold', async () => {
    const result = await runQuery(engine, 'retention-due', { as_of: window.to });
    expect(result.rows.map((r) => r.study_instance_uid).sort()).toEqual([...truth.retentionDue].sort());
    expect(result.rows.every((r) => String(r.retain_until) < window.to)).toBe(true);
  });

  it('trail-coverage reports the CloudTrail delivery gap and nothing else', async () => {
    const result = await runQuery(engine, 'trail-coverage', window);
    expect(result.rows.map((r) => ({ region: r.region, from: r.gap_start, to: r.gap_end }))).toEqual(truth.coverageGaps);
  });
});

describe('the raw and the compacted layers', () => {
  it('give identical answers', async () => {
    const truth = JSON.parse(fs.readFileSync(path.join(lake.raw, 'truth.json'), 'utf8')) as Truth;
    const raw = await lakeEngine(lake.raw);
    const compacted = await lakeEngine(lake.compacted);
    try {
      for (const [id, params] of [
        ['patient-access-history', { patient: truth.patients[0]!.mrn, ...truth.window }],
        ['failed-access', truth.window],
        ['trail-coverage', truth.window],
      ] as const) {
        const a = await runQuery(raw, id, params);
        const b = await runQuery(compacted, id, params);
        expect(a.rows, id).toEqual(b.rows);
      }
    } finally {
      await raw.close();
      await compacted.close();
    }
  });
});
