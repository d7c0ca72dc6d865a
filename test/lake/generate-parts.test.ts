import { createPublicKey, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { accessLogLine, fieldCountFor, type AccessLogFields } from '@/lib/lake/generate/access-log-line';
import { ageBand, reportDates } from '@/lib/lake/generate/inventory';
import { readableAt, storageClassAt, transitionAt } from '@/lib/lake/generate/lifecycle';
import { hashString, rngFor } from '@/lib/lake/generate/random';
import { listPublicKeysResponse, regionKey } from '@/lib/lake/generate/rsa-keys';
import { accessLogTime, addYears, isoSecond, LocalClock } from '@/lib/lake/generate/time';
import { isBoundaryDate, retainUntil, type ObjectVersion } from '@/lib/lake/generate/world';

describe('lake generator building blocks', () => {
  it('derives the same random streams from the same seed and labels, and different ones otherwise', () => {
    const draw = (seed: number, label: string) => Array.from({ length: 5 }, () => rngFor(seed, label).u32());
    const a = rngFor(1, 'x');
    const b = rngFor(1, 'x');
    expect(Array.from({ length: 20 }, () => a.u32())).toEqual(Array.from({ length: 20 }, () => b.u32()));
    expect(draw(1, 'x')).not.toEqual(draw(2, 'x'));
    expect(rngFor(1, 'x').u32()).not.toBe(rngFor(1, 'y').u32());
    const r = rngFor(3, 'ids');
    for (let i = 0; i < 500; i++) {
      expect(r.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const n = r.int(3, 7);
      expect(n).toBeGreaterThanOrEqual(3);
      expect(n).toBeLessThanOrEqual(7);
    }
    expect(new Set(Array.from({ length: 1000 }, () => r.upperHex(16))).size).toBe(1000);
  });

  it('formats times exactly as CloudTrail and the S3 access log do', () => {
    const r = rngFor(9, 'times');
    for (let i = 0; i < 2000; i++) {
      const ms = Date.UTC(2015, 0, 1) + Math.floor(r.next() * 12 * 365 * 86_400) * 1000;
      expect(isoSecond(ms)).toBe(new Date(ms).toISOString().slice(0, 19) + 'Z');
    }
    expect(accessLogTime(Date.UTC(2019, 1, 6, 0, 0, 38))).toBe('[06/Feb/2019:00:00:38 +0000]');
    expect(addYears('2020-02-29', 7)).toBe('2027-02-28');
    expect(addYears('2020-02-29', 4)).toBe('2024-02-29');
  });

  it('converts America/New_York wall-clock times across daylight-saving changes', () => {
    const clock = new LocalClock('America/New_York');
    expect(new Date(clock.toUtc('2026-07-01', 9 * 60)).toISOString()).toBe('2026-07-01T13:00:00.000Z');
    expect(new Date(clock.toUtc('2026-12-01', 9 * 60)).toISOString()).toBe('2026-12-01T14:00:00.000Z');
    expect(clock.hour(Date.UTC(2026, 10, 1, 5, 30))).toBe(1);
    expect(clock.hour(Date.UTC(2026, 10, 1, 6, 30))).toBe(1);
    expect(clock.localDate(Date.UTC(2026, 9, 31, 2, 0))).toBe('2026-10-30');
  });

  it('derives one RSA-2048 signing key per seed and Region, and publishes it as ListPublicKeys does', () => {
    const k1 = regionKey(5, 'us-east-1');
    const again = regionKey(5, 'us-east-1');
    expect(again.fingerprint).toBe(k1.fingerprint);
    expect(regionKey(5, 'us-west-2').fingerprint).not.toBe(k1.fingerprint);
    expect(regionKey(6, 'us-east-1').fingerprint).not.toBe(k1.fingerprint);
    expect(k1.privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const response = listPublicKeysResponse(k1, Date.UTC(2026, 0, 1), Date.UTC(2027, 0, 1));
    const entry = response.PublicKeyList[0]!;
    expect(entry.Fingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(entry.ValidityStartTime).toBe(Date.UTC(2026, 0, 1) / 1000);
    const publicKey = createPublicKey({ key: Buffer.from(entry.Value, 'base64'), format: 'der', type: 'pkcs1' });
    const signature = sign('sha256', Buffer.from('digest'), k1.privateKey);
    expect(verify('sha256', Buffer.from('digest'), publicKey, signature)).toBe(true);
    expect(verify('sha256', Buffer.from('digest!'), publicKey, signature)).toBe(false);
    expect(sign('sha256', Buffer.from('digest'), again.privateKey).equals(signature)).toBe(true);
  });

  it('moves objects through the lifecycle after the UTC midnight following creation + N days', () => {
    const v: ObjectVersion = {
      versionId: 'v1',
      lastModified: Date.UTC(2026, 0, 10, 15, 30),
      size: 100,
      etag: 'e',
      multipart: false,
      checksum: '',
      deleteMarker: false,
    };
    const t30 = transitionAt(v, 30);
    expect(t30).toBeGreaterThan(Date.UTC(2026, 1, 10));
    expect(t30).toBeLessThan(Date.UTC(2026, 1, 10, 5, 2));
    expect(storageClassAt(v, t30 - 1)).toBe('STANDARD');
    expect(storageClassAt(v, t30)).toBe('STANDARD_IA');
    expect(storageClassAt(v, transitionAt(v, 90))).toBe('GLACIER');
    expect(storageClassAt(v, transitionAt(v, 365))).toBe('DEEP_ARCHIVE');
    expect(readableAt(v, transitionAt(v, 90) - 1)).toBe(true);
    expect(readableAt(v, transitionAt(v, 90))).toBe(false);
    expect(readableAt(v, v.lastModified - 1)).toBe(false);
  });

  it('writes access log lines of 24 to 28 fields, most of them 27', () => {
    const f: AccessLogFields = {
      time: Date.UTC(2026, 9, 2, 13, 22, 9),
      remoteIp: '198.18.1.10',
      requester: 'arn:aws:sts::210987654321:assumed-role/ClinicianRole/a@b.example',
      requestId: '7B4A0FABB1234567',
      operation: 'REST.GET.OBJECT',
      key: 'studies/1.2/3.4/5.6.dcm',
      requestUri: 'GET /studies/1.2/3.4/5.6.dcm HTTP/1.1',
      status: '200',
      errorCode: null,
      bytesSent: 524288,
      objectSize: 524288,
      totalTime: 41,
      turnAround: 12,
      userAgent: 'aws-sdk-js/3.654.0 ua/2.1',
      versionId: null,
      hostId: 'abc=',
      sigv: 'SigV4',
      cipher: 'TLS_AES_128_GCM_SHA256',
      auth: 'AuthHeader',
      host: 'bucket.s3.us-east-1.amazonaws.com',
      tls: 'TLSv1.3',
      sourceRegion: null,
    };
    const line = accessLogLine('owner', 'bucket', f);
    expect(line).toBe(
      'owner bucket [02/Oct/2026:13:22:09 +0000] 198.18.1.10 arn:aws:sts::210987654321:assumed-role/ClinicianRole/a@b.example 7B4A0FABB1234567 REST.GET.OBJECT studies/1.2/3.4/5.6.dcm "GET /studies/1.2/3.4/5.6.dcm HTTP/1.1" 200 - 524288 524288 41 12 "-" "aws-sdk-js/3.654.0 ua/2.1" - abc= SigV4 TLS_AES_128_GCM_SHA256 AuthHeader bucket.s3.us-east-1.amazonaws.com TLSv1.3 - - -',
    );
    expect(accessLogLine('owner', 'bucket', f, 24).endsWith('bucket.s3.us-east-1.amazonaws.com TLSv1.3')).toBe(true);
    expect(accessLogLine('owner', 'bucket', f, 28).endsWith('TLSv1.3 - - - -')).toBe(true);
    const counts = new Map<number, number>();
    for (let i = 0; i < 20_000; i++) {
      const n = fieldCountFor(hashString(`request-${i}`));
      counts.set(n, (counts.get(n) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([24, 25, 26, 27, 28]);
    expect(counts.get(27)! / 20_000).toBeGreaterThan(0.95);
  });

  it('never uses dates on which day counts and calendar years would disagree', () => {
    expect(isBoundaryDate('2019-10-31', '1980-01-01', '2026-10-31')).toBe(true);
    expect(isBoundaryDate('2026-10-01', '1980-01-01', '2026-10-31')).toBe(true);
    expect(isBoundaryDate('2020-05-02', '2002-05-02', '2026-10-31')).toBe(true);
    expect(isBoundaryDate('2019-11-15', '1980-01-01', '2026-10-31')).toBe(false);
    const asOf = '2026-10-31';
    const r = rngFor(4, 'dates');
    for (let i = 0; i < 3000; i++) {
      const d = new Date(Date.UTC(2014, 0, 1) + Math.floor(r.next() * 4700) * 86_400_000).toISOString().slice(0, 10);
      if (isBoundaryDate(d, '1970-06-15', asOf)) continue;
      const days = Math.round((Date.parse(`${asOf}T00:00:00Z`) - Date.parse(`${d}T00:00:00Z`)) / 86_400_000);
      for (const [n, years] of [[365, 1], [1095, 3], [2555, 7]] as const) expect(days >= n).toBe(d <= addYears(asOf, -years));
      expect(ageBand(d, asOf)).toBe(days < 30 ? '<30d' : days < 90 ? '30-90d' : days < 365 ? '90d-1y' : days < 1095 ? '1-3y' : days < 2555 ? '3-7y' : '>7y');
    }
  });

  it('keeps pediatric studies until the later of 7 years and the 24th birthday (21 + 3), mammography 10 years', () => {
    expect(retainUntil('2018-03-01', '2015-06-01', true, 'CR')).toBe('2039-06-01');
    expect(retainUntil('2018-03-01', '1998-06-01', true, 'CR')).toBe('2025-03-01');
    expect(retainUntil('2018-03-01', '2015-06-01', false, 'CR')).toBe('2025-03-01');
    expect(retainUntil('2018-03-01', '1970-06-01', false, 'MG')).toBe('2028-03-01');
    expect(retainUntil('2020-02-29', '1970-06-01', false, 'CT')).toBe('2027-02-28');
    expect(retainUntil('2020-02-29', '2008-02-29', true, 'CT')).toBe('2032-02-29');
  });

  it('schedules inventory reports on Sundays plus the last day of the window', () => {
    expect(reportDates('2026-10-01', '2026-10-31')).toEqual(['2026-10-04', '2026-10-11', '2026-10-18', '2026-10-25', '2026-10-31']);
    expect(reportDates('2026-10-19', '2026-10-25')).toEqual(['2026-10-25']);
  });
});
