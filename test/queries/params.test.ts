import { describe, expect, it } from 'vitest';
import { ValidationError } from '@/lib/errors';
import { createKeyRing } from '@/lib/keys/key-ring';
import { DEMO_CATALOG_KEY, patientIdHash } from '@/lib/phi';
import { engineRequest, estimateRequest } from '@/lib/queries/engine-request';
import { parseSavedQuery } from '@/lib/queries/registry';
import { prepareParams, type PrepareOptions } from '@/lib/queries/params';

// Parameter validation on its own: every declared type against a hostile corpus. Whatever a
// person types, the outcome is either typed values (never text spliced into SQL) or a
// ValidationError naming the field by its label.
const QUERY = parseSavedQuery(
  `/*---
id: every-type
title: Every parameter type
description: One parameter of each type.
roles: [privacy_officer]
tables: [cloudtrail_logs]
range: { from: from, to: to, maxDays: 31 }
params:
  - { name: patient, type: mrn, label: Patient MRN, required: false }
  - { name: from, type: date, label: From, default: $range_start }
  - { name: to, type: date, label: To, default: $range_end }
  - { name: study, type: study, label: Study, required: false }
  - { name: who, type: principal, label: Principal, required: false }
  - { name: note, type: string, label: Note, required: false, minLength: 2, maxLength: 12, pattern: "[a-z ]+", patternHelp: lowercase letters and spaces }
  - { name: count, type: integer, label: Count, required: false, min: 1, max: 500 }
  - { name: hour, type: hour, label: Hour, required: false }
  - { name: zone, type: timezone, label: Time zone, required: false }
  - { name: kind, type: enum, label: Kind, required: false, options: [adult, pediatric] }
columns:
  - { name: n, description: A count. }
---*/
SELECT count(*) AS n FROM cloudtrail_logs
WHERE :patient IS NOT NULL AND :from_partition <= :to_next_partition AND :study IS NOT NULL AND :who IS NOT NULL
  AND :note IS NOT NULL AND :count > 0 AND :hour >= 0 AND :zone IS NOT NULL AND :kind IS NOT NULL AND :from_iso < :to_next_iso`,
  'every-type.sql',
);

const OPTIONS: PrepareOptions = {
  catalogKey: DEMO_CATALOG_KEY,
  maxDays: 366,
  defaults: { rangeStart: '2026-10-01', rangeEnd: '2026-10-31', timeZone: 'America/New_York', businessStart: 7, businessEnd: 19 },
  source: 'form',
  pseudonym: createKeyRing(Buffer.alloc(32, 3)).pseudonym,
};
const WINDOW = { from: '2026-10-01', to: '2026-10-07' };
const ALL = { patient: 'MRN0001234', ...WINDOW, study: '1.2.840.113619.2.55', who: 'arn:aws:iam::123456789012:role/Radiology', note: 'night read', count: '25', hour: '19', zone: 'Europe/Paris', kind: 'adult' };

function refusal(input: Record<string, unknown>, options: PrepareOptions = OPTIONS): ValidationError {
  try {
    prepareParams(QUERY, input, options);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(input)}`);
}

const HOSTILE = [
  "' OR 1=1 --",
  "x'; DROP TABLE query_runs; --",
  '1; SELECT pg_sleep(10)',
  "') UNION SELECT password_hash FROM users --",
  '\u0000',
  'a\u0000b',
  '\u202Eevil',
  'zero\u200Bwidth',
  '${jndi:ldap://x}',
  '{{> image-accesses}}',
  ':from_ts',
  '?',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  'x'.repeat(5000),
  '\n',
  '   ',
];

describe('parameter validation against a hostile corpus', () => {
  it('binds every type as typed values, with the derived bind names in placeholder order', () => {
    const prepared = prepareParams(QUERY, ALL, OPTIONS);
    expect(prepared.bound).toMatchObject({ patient: patientIdHash('MRN0001234', DEMO_CATALOG_KEY), count: 25, hour: 19, kind: 'adult' });
    expect(prepared.scope).toEqual(WINDOW);
    expect(QUERY.bindOrder).toEqual(['patient', 'from_partition', 'to_next_partition', 'study', 'who', 'note', 'count', 'hour', 'zone', 'kind', 'from_iso', 'to_next_iso']);
    expect(prepared.binds.map((b) => b.type)).toEqual(['varchar', 'varchar', 'varchar', 'varchar', 'varchar', 'varchar', 'bigint', 'bigint', 'varchar', 'varchar', 'varchar', 'varchar']);
    expect(prepared.binds[1]).toEqual({ type: 'varchar', value: '2026/10/01' });
    expect(prepared.binds[2]).toEqual({ type: 'varchar', value: '2026/10/08' });
    expect(prepared.binds[10]).toEqual({ type: 'varchar', value: '2026-10-01T00:00:00' });
    expect(prepared.display.patient).not.toContain('MRN0001234');
  });

  it.each(['patient', 'study', 'who', 'note', 'count', 'hour', 'zone', 'kind', 'from'])('refuses every hostile value for %s by name, or binds it as a value', (field) => {
    const accepted: string[] = [];
    for (const value of HOSTILE) {
      let prepared;
      try {
        prepared = prepareParams(QUERY, { ...ALL, [field]: value }, OPTIONS);
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        expect(Object.keys((error as ValidationError).fieldErrors), `${field} = ${JSON.stringify(value)}`).toEqual([field]);
        continue;
      }
      // accepted only as a typed value in its own bind, the statement text untouched
      accepted.push(value);
      expect(prepared.binds[QUERY.bindOrder.indexOf(field)]).toEqual({ type: 'varchar', value: value.trim() });
      expect(QUERY.sql).not.toContain(value.trim());
    }
    // only a principal name may contain ':', '/' and '.' (IAM ARNs do); nothing else here gets through
    expect(accepted).toEqual(field === 'who' ? [':from_ts', '../../etc/passwd'] : []);
  });

  it.each([
    [{ from: '2026-02-29', to: '2026-03-01' }, 'from', 'enter a date as YYYY-MM-DD'],
    [{ from: '2026-10-01', to: '2026-09-30' }, 'to', 'must be on or after From (2026-10-01)'],
    [{ from: '2026-01-01', to: '2026-12-31' }, 'to', 'the range spans 365 days; the most allowed is 31'],
    [{ from: '2026-1-1', to: '2026-01-02' }, 'from', 'enter a date as YYYY-MM-DD'],
    [{ from: '2026-10-01T00:00:00Z', to: '2026-10-02' }, 'from', 'enter a date as YYYY-MM-DD'],
  ])('refuses the date range %j', (input, field, message) => {
    expect(refusal({ ...ALL, ...input }).fieldErrors[field]).toBe(message);
  });

  it.each([
    ['count', '0', 'must be at least 1'],
    ['count', '501', 'must be at most 500'],
    ['count', '1.5', 'enter a whole number'],
    ['count', '1e3', 'enter a whole number'],
    ['count', '9007199254740993', 'enter a whole number'],
    ['hour', '25', 'must be at most 24'],
    ['hour', '-1', 'must be at least 0'],
    ['note', 'a', 'must be 2–12 characters'],
    ['note', 'UPPER CASE', 'lowercase letters and spaces'],
    ['kind', 'Adult', 'choose one of: adult, pediatric'],
    ['zone', 'Mars/Olympus_Mons', 'enter an IANA time zone such as America/New_York'],
    ['zone', 'America/../etc', 'enter an IANA time zone such as America/New_York'],
    ['patient', 'MRN 123', 'must be 3–32 letters, digits or dashes, starting with a letter or digit'],
    ['patient', '-MRN123', 'must be 3–32 letters, digits or dashes, starting with a letter or digit'],
  ])('refuses %s = %j with "%s"', (field, value, message) => {
    expect(refusal({ ...ALL, [field]: value }).fieldErrors[field]).toBe(message);
  });

  it('names unknown fields and every bad field at once, by label', () => {
    const error = refusal({ ...ALL, count: 'x', hour: '99', sneaky: '1' });
    expect(Object.keys(error.fieldErrors).sort()).toEqual(['count', 'hour', 'sneaky']);
    expect(error.message).toContain('Count: enter a whole number');
    expect(error.message).toContain('Hour: must be at most 24');
    expect(error.fieldErrors.sneaky).toBe('is not a parameter of Every parameter type');
  });

  it('accepts a patient hash only from a re-run of the ledger, never from a form', () => {
    const hash = patientIdHash('MRN0001234', DEMO_CATALOG_KEY);
    expect(refusal({ ...ALL, patient: hash }).fieldErrors.patient).toMatch(/letters, digits or dashes/);
    const rerun = prepareParams(QUERY, { ...ALL, patient: hash }, { ...OPTIONS, source: 'ledger' });
    expect(rerun.bound.patient).toBe(hash);
    expect(refusal({ ...ALL, patient: 'MRN0001234' }, { ...OPTIONS, source: 'ledger' }).fieldErrors.patient).toBe('is not a patient hash');
  });

  it('binds an optional text parameter left empty as an empty string, and shows nothing for it', () => {
    const prepared = prepareParams(QUERY, { ...ALL, who: '', note: '', kind: '' }, OPTIONS);
    for (const field of ['who', 'note', 'kind']) {
      expect(prepared.binds[QUERY.bindOrder.indexOf(field)], field).toEqual({ type: 'varchar', value: '' });
      expect(prepared.display[field]).toBeUndefined();
    }
    // an optional parameter of another type still has to be given when the SQL uses it
    expect(() => prepareParams(QUERY, { ...ALL, count: '' }, OPTIONS)).toThrow(/Count: is required/);
  });

  it('fills the window from the defaults when it is left empty', () => {
    expect(prepareParams(QUERY, { ...ALL, from: '', to: '' }, OPTIONS).scope).toEqual({ from: '2026-10-01', to: '2026-10-31' });
  });
});

describe('a window beside the access index', () => {
  const SPLIT_QUERY = parseSavedQuery(
    `/*---
id: split-window
title: Split window
description: Reads the index and the raw days after it.
roles: [privacy_officer]
tables: [cloudtrail_logs]
range: { from: from, to: to }
params:
  - { name: from, type: date, label: From }
  - { name: to, type: date, label: To }
columns:
  - { name: n, description: A count. }
---*/
SELECT count(*) AS n FROM access_index
WHERE day BETWEEN :from_day AND :to_indexed
  AND :from_raw_iso < :to_next_iso AND :from_raw_slack_iso < :to_next_slack_iso
  AND :from_raw_slack_ts < :to_next_slack_ts AND :from_raw_slack_partition < :to_next_partition`,
    'split-window.sql',
  );
  const values = (span: { from: string; through: string } | null, window = { from: '2026-10-01', to: '2026-10-31' }) => {
    const prepared = prepareParams(SPLIT_QUERY, window, { ...OPTIONS, maxDays: 366, accessIndex: span });
    return { split: prepared.split, binds: Object.fromEntries(SPLIT_QUERY.bindOrder.map((name, i) => [name, prepared.binds[i]!.value])) };
  };

  it('reads the index up to its watermark and the raw logs after it, with five minutes either side for pairing records', () => {
    const { split, binds } = values({ from: '2026-01-01', through: '2026-10-29' });
    expect(SPLIT_QUERY.readsAccessIndex).toBe(true);
    expect(split).toEqual({ indexed: { from: '2026-10-01', to: '2026-10-29' }, raw: { from: '2026-10-30', to: '2026-10-31' }, indexThrough: '2026-10-29' });
    expect(binds).toMatchObject({
      from_day: '2026-10-01',
      to_indexed: '2026-10-29',
      from_raw_iso: '2026-10-30T00:00:00',
      from_raw_slack_iso: '2026-10-29T23:55:00',
      from_raw_slack_ts: '2026-10-29T23:55:00Z',
      from_raw_slack_partition: '2026/10/29',
      to_next_iso: '2026-11-01T00:00:00',
      to_next_slack_iso: '2026-11-01T00:05:00',
      to_next_partition: '2026/11/01',
    });
  });

  it('a window the index holds whole reads no raw partition', () => {
    const { split, binds } = values({ from: '2026-01-01', through: '2026-11-02' });
    expect(split).toMatchObject({ indexed: { from: '2026-10-01', to: '2026-10-31' }, raw: null });
    expect(binds).toMatchObject({ to_indexed: '2026-10-31', from_raw_iso: '2026-11-01T00:00:00', from_raw_slack_partition: '9999/12/31' });
  });

  it('a window that starts before the index, or with no index, is read raw whole', () => {
    for (const span of [null, { from: '2026-10-05', through: '2026-10-29' }]) {
      const { split, binds } = values(span);
      expect(split).toMatchObject({ indexed: null, raw: { from: '2026-10-01', to: '2026-10-31' } });
      expect(binds).toMatchObject({ to_indexed: '0000-00-00', from_raw_iso: '2026-10-01T00:00:00', from_raw_slack_partition: '2026/09/30' });
    }
  });

  it('an estimate divides the window as the run will: its request is the run\'s, without the statement', () => {
    const window = { from: '2026-10-01', to: '2026-10-31' };
    for (const span of [{ from: '2026-01-01', through: '2026-10-29' }, { from: '2026-01-01', through: '2026-11-02' }, null]) {
      const prepared = prepareParams(SPLIT_QUERY, window, { ...OPTIONS, maxDays: 366, accessIndex: span });
      const { sql: _sql, binds: _binds, ...run } = engineRequest(SPLIT_QUERY, prepared);
      expect(estimateRequest(SPLIT_QUERY, window, span)).toEqual(run);
    }
    expect(estimateRequest(SPLIT_QUERY, window, { from: '2026-01-01', through: '2026-10-29' }).accessIndex).toEqual({
      indexed: { from: '2026-10-01', to: '2026-10-29' },
      rawScope: { from: '2026-10-29', to: '2026-10-31' },
    });
    // a query that does not read the index, or a form without a window yet, is priced raw
    const plain = { ...SPLIT_QUERY, readsAccessIndex: false };
    expect(estimateRequest(plain, window, { from: '2026-01-01', through: '2026-10-29' })).toEqual({ tables: ['cloudtrail_logs'], scope: window });
    expect(estimateRequest(SPLIT_QUERY, null, { from: '2026-01-01', through: '2026-10-29' })).toEqual({ tables: ['cloudtrail_logs'], scope: null });
  });

  it('only a window\'s ends have the forms that depend on the index', () => {
    const text = SPLIT_QUERY.body.replace(':to_indexed', ':from_indexed');
    expect(() => parseSavedQuery(`/*---\nid: bad\ntitle: Bad\ndescription: x\nroles: [privacy_officer]\ntables: [cloudtrail_logs]\nrange: { from: from, to: to }\nparams:\n  - { name: from, type: date, label: From }\n  - { name: to, type: date, label: To }\ncolumns:\n  - { name: n, description: A count. }\n---*/\n${text}`, 'bad.sql')).toThrow(
      /:from_indexed is not a declared parameter/,
    );
  });
});
