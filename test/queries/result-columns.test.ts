import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, describe, expect, it } from 'vitest';
import { ResultsTable, pageSummary } from '@/components/query/results-table';
import type { EngineColumn } from '@/lib/engine/port';
import { formatNumber, formatTime, plural, shortArn, shortenMiddle } from '@/lib/format';
import { createKeyRing } from '@/lib/keys/key-ring';
import { patientViewPath, openPatientView, sealPatientView } from '@/lib/patients/patient-view';
import { describeColumns, humanise } from '@/lib/queries/columns';
import { openPatientLink, PATIENT_LINK_TTL_MS, sealPatientLink } from '@/lib/queries/patient-link';
import { findQuery, listQueries, loadRegistry, parseSavedQuery, QueryFileError } from '@/lib/queries/registry';

// Result columns as people read them: labels and tooltips from the saved query, values formatted by
// kind, the columns that answer the question first; and the sealed links a result row may carry.

const engineColumns = (id: string): EngineColumn[] => findQuery(id)!.columns.map((c) => ({ name: c.name, type: c.kind === 'number' ? 'bigint' : 'varchar' }));

describe('column metadata of the built-in saved queries', () => {
  it.each(listQueries().map((q) => [q.id, q] as const))('%s labels every column in words, never snake_case', (_id, query) => {
    for (const c of query.columns) {
      expect(c.label, `${query.id}.${c.name}`).toMatch(/^[A-Z][^_]*$/);
      expect(c.label.length).toBeLessThanOrEqual(40);
      expect(c.description.length).toBeGreaterThan(5);
    }
  });

  it('puts time, person, action, study, outcome and source address first in the patient view', () => {
    const columns = describeColumns(findQuery('patient-access-history')!.columns, engineColumns('patient-access-history'));
    expect(columns.slice(0, 6).map((c) => c.label)).toEqual(['Time (UTC)', 'Person', 'Action', 'Study', 'Outcome', 'Source address']);
    expect(columns.slice(0, 6).every((c) => c.primary)).toBe(true);
    expect(columns.slice(6).some((c) => c.primary)).toBe(false);
    // every column is still there, and each knows where its value is in the row
    expect(columns.map((c) => c.name).sort()).toEqual(engineColumns('patient-access-history').map((c) => c.name).sort());
    const names = engineColumns('patient-access-history').map((c) => c.name);
    for (const c of columns) expect(names[c.index]).toBe(c.name);
    const person = columns.find((c) => c.name === 'federated_user')!;
    expect(names[person.fallback!]).toBe('principal');
  });

  it('keeps the column names of the existing queries (scripts and exports read them)', () => {
    expect(findQuery('patient-access-history')!.columns.map((c) => c.name)).toEqual([
      'event_time', 'principal', 'federated_user', 'role', 'action', 'source', 'study_instance_uid', 'accession_number', 'modality',
      'source_ip', 'user_agent', 'outcome', 'sources', 'request_id', 'event_id',
    ]);
    expect(findQuery('after-hours-access')!.columns.map((c) => c.name)).toEqual([
      'event_time', 'local_time', 'principal', 'federated_user', 'action', 'source', 'patient_id_hash', 'study_instance_uid', 'source_ip', 'outcome', 'request_id', 'event_id',
    ]);
  });

  it('drills from the after-hours summary into after-hours-access with the person and the day', () => {
    const summary = findQuery('after-hours-summary')!;
    expect(summary.drilldown).toEqual({ query: 'after-hours-access', label: 'Show requests', columns: { person: 'person', from: 'day', to: 'day' }, params: ['time_zone', 'start_hour', 'end_hour'] });
    expect(summary.roles).toEqual(findQuery('after-hours-access')!.roles);
    const person = findQuery('after-hours-access')!.params.find((p) => p.name === 'person')!;
    expect(person.required).toBe(false);
  });

  it('gives a column the metadata does not know a humanised label and a kind from its type', () => {
    expect(humanise('source_ip')).toBe('Source IP');
    expect(humanise('study_instance_uid')).toBe('Study instance UID');
    expect(humanise('est_monthly_usd')).toBe('Est monthly USD');
    const [a, b, c] = describeColumns(undefined, [
      { name: 'first_seen', type: 'timestamp' },
      { name: 'n', type: 'bigint' },
      { name: 'held', type: 'boolean' },
    ]);
    expect([a!.label, a!.kind, b!.kind, c!.kind]).toEqual(['First seen', 'time', 'number', 'boolean']);
  });
});

describe('column metadata in a query file', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  const header = (columns: string, extra = '') =>
    `/*---\nid: q\ntitle: Q\ndescription: d\nroles: [auditor]\ntables: [study_catalog]\ncolumns:\n${columns}\n${extra}---*/\nSELECT 1 AS a, 2 AS b FROM study_catalog`;

  it('labels a site query column by its name, but refuses a built-in one without a label', () => {
    const text = header('  - { name: study_date, description: The study date. }');
    expect(parseSavedQuery(text, 'q.sql').columns[0]!.label).toBe('Study date');
    expect(() => parseSavedQuery(text, 'q.sql', undefined, { requireLabels: true })).toThrow(/q\.sql: column study_date needs a label/);
  });

  it('refuses a key it does not know, such as the rest of a description cut at an unquoted comma', () => {
    expect(() => parseSavedQuery(header('  - { name: a, label: A, description: The modality (CT, MR). }'), 'q.sql')).toThrow(QueryFileError);
    expect(() => parseSavedQuery(header('  - { name: a, lable: A, description: x }'), 'q.sql')).toThrow(/columns\.0: Unrecognized key/);
    expect(() => parseSavedQuery(header('  - { name: a, description: x }', 'params:\n  - { name: from, type: date, label: From, help: First day (UTC), inclusive. }\n'), 'q.sql')).toThrow(/params\.0/);
  });

  it('refuses shared priorities, unknown fallbacks and kinds', () => {
    expect(() => parseSavedQuery(header('  - { name: a, description: x, priority: 1 }\n  - { name: b, description: y, priority: 1 }'), 'q.sql')).toThrow(/share a priority/);
    expect(() => parseSavedQuery(header('  - { name: a, description: x, fallback: c }'), 'q.sql')).toThrow(/fallback c is not another column/);
    expect(() => parseSavedQuery(header('  - { name: a, description: x, kind: money }'), 'q.sql')).toThrow(/columns\.0\.kind/);
  });

  it('refuses a drill-down that would put a patient identifier in a link, or names what does not exist', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-drill-'));
    dirs.push(dir);
    const file = (id: string, params: string, columns: string, drill = '') =>
      `/*---\nid: ${id}\ntitle: ${id}\ndescription: d\nroles: [privacy_officer]\ntables: [study_catalog]\nparams:\n${params}\ncolumns:\n${columns}\n${drill}---*/\nSELECT 1 AS a FROM study_catalog WHERE :p IS NOT NULL`;
    fs.writeFileSync(path.join(dir, 'target.sql'), file('target', '  - { name: p, type: mrn, label: P }', '  - { name: a, description: x }'));
    fs.writeFileSync(
      path.join(dir, 'source.sql'),
      file('source', '  - { name: p, type: principal, label: P }', '  - { name: a, description: x }', 'drilldown: { query: target, label: Open, columns: { p: a } }\n'),
    );
    expect(() => loadRegistry(dir)).toThrow(/source\.sql: drilldown: target's p identifies a patient/);
    fs.writeFileSync(
      path.join(dir, 'source.sql'),
      file('source', '  - { name: p, type: principal, label: P }', '  - { name: a, description: x }', 'drilldown: { query: nowhere, label: Open, columns: { p: a } }\n'),
    );
    expect(() => loadRegistry(dir)).toThrow(/drilldown\.query nowhere is not a saved query/);
    expect(() =>
      parseSavedQuery(file('source', '  - { name: p, type: principal, label: P }', '  - { name: a, description: x, kind: patient }', 'drilldown: { query: target, label: Open, columns: { p: a } }\n'), 'source.sql', dir),
    ).toThrow(/a names a patient and cannot travel in a link/);
    expect(() =>
      parseSavedQuery(file('source', '  - { name: p, type: principal, label: P }', '  - { name: a, description: x }', 'drilldown: { query: target, label: Open, columns: { p: zz } }\n'), 'source.sql', dir),
    ).toThrow(/zz is not a column/);
  });
});

describe('formats', () => {
  it('groups digits, counts in words, and shows times in one UTC form', () => {
    expect(formatNumber(1441)).toBe('1,441');
    expect(formatNumber('9007199254740993')).toBe('9,007,199,254,740,993');
    expect([plural(0, 'row'), plural(1, 'row'), plural(2, 'row'), plural(1441, 'row'), plural(1, 'study', 'studies'), plural(3, 'study', 'studies')]).toEqual([
      '0 rows', '1 row', '2 rows', '1,441 rows', '1 study', '3 studies',
    ]);
    expect(formatTime('2026-10-19T15:54:12Z')).toBe('2026-10-19 15:54:12');
    expect(formatTime('2026-10-19T15:54:12.123Z')).toBe('2026-10-19 15:54:12');
    expect(formatTime('not a time')).toBe('not a time');
  });

  it('shortens ARNs to what they name and long ids to their two ends', () => {
    expect(shortArn('arn:aws:sts::210987654321:assumed-role/RadiologistRole/jane@x.example')).toBe('RadiologistRole/jane@x.example');
    expect(shortArn('arn:aws:iam::210987654321:user/pacs-bridge')).toBe('user/pacs-bridge');
    expect(shortArn('arn:aws:kms:us-east-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab')).toBe('key/1234abcd-12ab-34cd-56ef-1234567890ab');
    expect(shortArn('-')).toBe('-');
    const long = shortArn('arn:aws:sts::210987654321:assumed-role/RadiologistRole/deborah.anderson@maplegrove.health.example');
    expect(long.length).toBeLessThanOrEqual(45);
    expect(long).toMatch(/^RadiologistRole\/.*….*health\.example$/);
    expect(shortenMiddle('1.2.826.0.1.3680043.8.498.1234567890')).toBe('1.2.826.0.…34567890');
    expect(shortenMiddle('ACC-12')).toBe('ACC-12');
  });

  it('says which rows a page shows, in the right number', () => {
    expect(pageSummary(0, 0, 0)).toBe('No rows');
    expect(pageSummary(1, 0, 1)).toBe('1 row');
    expect(pageSummary(1441, 50, 50)).toBe('Rows 51–100 of 1,441');
    expect(pageSummary(7365, 100000, 0)).toBe('No rows on this page; the result has 7,365 rows');
  });
});

describe('the results table', () => {
  const render = (props: Parameters<typeof ResultsTable>[0]) => renderToStaticMarkup(createElement(ResultsTable, props));
  const arn = 'arn:aws:sts::210987654321:assumed-role/RadiologistRole/jane@x.example';
  const names = engineColumns('patient-access-history').map((c) => c.name);
  const row = (values: Record<string, unknown>) => names.map((n) => (values[n] ?? null) as string | number | null);

  it('shows labels with the description as a tooltip, the answering columns first, and values formatted', () => {
    const columns = describeColumns(findQuery('patient-access-history')!.columns, engineColumns('patient-access-history'));
    const html = render({
      caption: 'Accesses',
      columns,
      rows: [row({ event_time: '2026-10-19T15:54:12Z', principal: arn, federated_user: 'jane@x.example', action: 'GetObject', study_instance_uid: '1.2.826.0.1.3680043.8.498.1234567890', outcome: 'success', source_ip: '203.0.113.9' })],
      total: 1,
      offset: 0,
      limit: 50,
      dir: 'asc',
      baseHref: '/audit/runs/x',
    });
    expect(html).not.toMatch(/>event_time<|>federated_user<|>source_ip</);
    const headers = [...html.matchAll(/<th scope="col"[^>]*title="([^"]*)"[^>]*>.*?<a[^>]*>([^<]+)</g)].map((m) => m[2]);
    expect(headers.slice(0, 6)).toEqual(['Time (UTC)', 'Person', 'Action', 'Study', 'Outcome', 'Source address']);
    expect(html).toContain('title="When the request happened (UTC)');
    expect(html).toContain('<time dateTime="2026-10-19T15:54:12Z">2026-10-19 15:54:12</time>');
    // the study UID shortened, the full value on hover, to screen readers and in the copy button
    expect(html).toContain('title="1.2.826.0.1.3680043.8.498.1234567890">1.2.826.0.…34567890</span>');
    expect(html).toContain('<span class="sr-only">1.2.826.0.1.3680043.8.498.1234567890</span>');
    expect(html).toContain('aria-label="Copy the full study"');
    expect(html).toContain('>1 row<');
  });

  it('shows the principal where no person is named, and bytes, counts and booleans in words', () => {
    const columns = describeColumns(findQuery('patient-access-history')!.columns, engineColumns('patient-access-history'));
    const html = render({ caption: 'c', columns, rows: [row({ principal: 'arn:aws:iam::210987654321:user/pacs-bridge', federated_user: null })], total: 1, offset: 0, limit: 50, dir: 'asc' });
    const person = html.split('<td')[2]!;
    expect(person).toContain('user/pacs-bridge');

    const storage = describeColumns(findQuery('storage-tier-distribution')!.columns, [
      { name: 'report', type: 'varchar' }, { name: 'storage_class', type: 'varchar' }, { name: 'age_band', type: 'varchar' },
      { name: 'objects', type: 'bigint' }, { name: 'bytes', type: 'bigint' }, { name: 'est_monthly_usd', type: 'double' },
    ]);
    const tiers = render({ caption: 't', columns: storage, rows: [['2026-10-31-00-00', 'STANDARD', '<30d', 1441, 120273612102, 2.57]], total: 1, offset: 0, limit: 50, dir: 'asc' });
    expect(tiers).toContain('>1,441<');
    expect(tiers).toContain('title="120,273,612,102 bytes">112 GB<');
    expect(tiers).toContain('>$2.57<');
    const studies = describeColumns(findQuery('patient-studies')!.columns, findQuery('patient-studies')!.columns.map((c) => ({ name: c.name, type: c.kind === 'boolean' ? 'boolean' : 'varchar' })));
    const vip = render({ caption: 's', columns: studies, rows: [['1.2.3', 'A1', '2026-01-02', 'CT', null, 'H', 'adult', true, false, 'x']], total: 1, offset: 0, limit: 1, dir: 'asc' });
    expect(vip).toContain('>Yes<');
    expect(vip).toContain('>No<');
  });

  it('renders the links a row carries: a patient view, and a drill-down', () => {
    const vip = findQuery('vip-access')!;
    const cols = vip.columns.map((c) => ({ name: c.name, type: 'varchar' as const }));
    const columns = describeColumns(vip.columns, cols);
    const hash = 'a'.repeat(64);
    const cells = vip.columns.map((c) => (c.name === 'patient_id_hash' ? hash : c.name === 'event_time' ? '2026-10-19T15:54:12Z' : 'x'));
    const withLink = render({ caption: 'v', columns, rows: [cells], total: 1, offset: 0, limit: 50, dir: 'asc', links: [{ patients: { 1: '/patients?ref=TOKEN' }, drilldown: null }] });
    expect(withLink).toMatch(/<a[^>]*href="\/patients\?ref=TOKEN"[^>]*>.*aaaaaa…aaaa.*Open the view of patient a{64}<\/span><\/a>/);
    expect(withLink).toContain('aria-label="Copy the full patient hash"');
    const without = render({ caption: 'v', columns, rows: [cells], total: 1, offset: 0, limit: 50, dir: 'asc', links: [{ patients: {}, drilldown: null }] });
    expect(without).not.toContain('/patients?');

    const summary = findQuery('after-hours-summary')!;
    const sc = describeColumns(summary.columns, summary.columns.map((c) => ({ name: c.name, type: c.kind === 'number' ? ('bigint' as const) : ('varchar' as const) })));
    const drilled = render({
      caption: 's', columns: sc, rows: [['jane@x.example', '2026-10-19', 12, 3, 2]], total: 1, offset: 0, limit: 50, dir: 'asc',
      links: [{ patients: {}, drilldown: '/audit/after-hours-access?person=jane%40x.example&from=2026-10-19&to=2026-10-19' }], drilldownLabel: 'Show requests',
    });
    expect(drilled).toContain('href="/audit/after-hours-access?person=jane%40x.example&amp;from=2026-10-19&amp;to=2026-10-19"');
    expect(drilled).toContain('>Show requests<');
    expect(drilled).toContain('>After-hours requests<');
  });
});

describe('sealed references', () => {
  const keys = createKeyRing(Buffer.alloc(32, 7));
  const hash = 'b'.repeat(64);
  const now = new Date('2026-11-02T10:00:00Z');

  it('a patient link opens only for the person it was made for, only before it expires, and shows no hash', () => {
    const token = sealPatientLink(keys, 'user-1', hash, now);
    expect(token).not.toContain(hash);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(openPatientLink(keys, 'user-1', token, now)).toEqual({ ok: true, patientIdHash: hash, expiresAt: new Date(now.getTime() + PATIENT_LINK_TTL_MS) });
    expect(openPatientLink(keys, 'user-2', token, now)).toEqual({ ok: false, reason: 'invalid' });
    expect(openPatientLink(keys, 'user-1', token, new Date(now.getTime() + PATIENT_LINK_TTL_MS + 1))).toEqual({ ok: false, reason: 'expired' });
    expect(openPatientLink(createKeyRing(Buffer.alloc(32, 8)), 'user-1', token, now)).toEqual({ ok: false, reason: 'invalid' });
    const flipped = token.slice(0, 30) + (token[30] === 'A' ? 'B' : 'A') + token.slice(31);
    expect(openPatientLink(keys, 'user-1', flipped, now).ok).toBe(false);
    expect(openPatientLink(keys, 'user-1', 'not a token', now)).toEqual({ ok: false, reason: 'invalid' });
    expect(() => sealPatientLink(keys, 'user-1', 'MRN0001234', now)).toThrow(/not a patient hash/);
  });

  it('a patient view address carries its runs and how the patient was found, unforgeably', () => {
    const ref = { studiesRunId: '00000000-0000-4000-8000-000000000001', accessRunId: '00000000-0000-4000-8000-000000000002', match: 'upper-case' as const, tried: ['as-written' as const, 'upper-case' as const] };
    const token = sealPatientView(keys, ref);
    expect(openPatientView(keys, token)).toEqual(ref);
    expect(patientViewPath(keys, ref)).toMatch(/^\/patients\/report\?view=[A-Za-z0-9_-]+$/);
    expect(openPatientView(keys, sealPatientView(keys, { ...ref, accessRunId: null, match: null }))).toMatchObject({ accessRunId: null, match: null });
    expect(() => openPatientView(keys, token.slice(0, -2) + 'AA')).toThrow(/not found/);
    expect(() => openPatientView(keys, sealPatientLink(keys, 'patient-view', hash, now))).toThrow(/not found/);
  });
});
