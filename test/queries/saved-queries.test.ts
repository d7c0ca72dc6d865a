import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { QueryEngine } from '@/lib/engine/port';
import type { Truth, TruthAccess } from '@/lib/lake/generate/truth';
import { lakeEngine, runQuery, type QueryResult } from '../support/run-query';

// Every saved query, run on the generated lake, must return exactly what the generator planted.
const lake = inject('testLake');

describe.each([
  ['compacted', lake.compacted],
  ['raw', lake.raw],
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

  it('bulk-access names the bulk-export principal and only it', async () => {
    const result = await runQuery(engine, 'bulk-access', { ...window, threshold: '20' });
    expect(result.rows.length).toBeGreaterThan(0);
    expect(new Set(result.rows.map((r) => r.principal))).toEqual(new Set([truth.bulkAccess.principal]));
    for (const r of result.rows) {
      expect(String(r.first_access) >= truth.bulkAccess.from && String(r.last_access) <= truth.bulkAccess.to).toBe(true);
    }
    const total = result.rows.reduce((n, r) => n + Number(r.distinct_studies), 0);
    expect(total).toBeGreaterThanOrEqual(truth.bulkAccess.distinctStudies);
  });

  it('after-hours-access counts the accesses outside business hours', async () => {
    const result = await runQuery(engine, 'after-hours-access', {
      ...window,
      time_zone: truth.timeZone,
      start_hour: String(truth.businessHours[0]),
      end_hour: String(truth.businessHours[1]),
    });
    expect(result.rows).toHaveLength(truth.afterHours.count);
    for (const r of result.rows) {
      const hour = Number(String(r.local_time).slice(11, 13));
      expect(hour < truth.businessHours[0] || hour >= truth.businessHours[1]).toBe(true);
    }
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
