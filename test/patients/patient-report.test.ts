import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { PatientReport } from '@/components/patients/patient-report';
import type { PatientReportDto } from '@/lib/patients/get-patient-report';
import { describeColumns } from '@/lib/queries/columns';
import { findQuery } from '@/lib/queries/registry';
import type { RunDto } from '@/lib/queries/run-dto';

// The patient view's page as a person reads it: an unknown patient said in words, apart from a
// patient nobody accessed; the variant that found the patient; who accessed the images above the
// request list; and the spot the log-coverage notice goes in.

const run = (id: string, queryId: string): RunDto => ({
  id, queryId, queryTitle: queryId, status: 'succeeded', parameters: { patient: 'P-ABCDEFGHJKMN' }, phiParameters: { patient: '••••••2782' }, engineError: null,
  engine: 'duckdb', engineExecutionId: null, sqlSha256: 'x', scope: { from: '2026-10-02', to: '2026-10-31' }, estimatedBytes: 0, bytesScanned: 0, filesScanned: 0,
  costUsd: 0, rowCount: 0, resultSha256: null, durationMs: 1, error: null, startedAt: '2026-11-01T00:00:00.000Z', finishedAt: null, actorLabel: 'po', actorRole: 'privacy_officer', rerunOf: null, coverage: null, readSplit: null,
});

const studyColumns = describeColumns(findQuery('patient-studies')!.columns, findQuery('patient-studies')!.columns.map((c) => ({ name: c.name, type: 'varchar' as const })));
const accessColumns = describeColumns(findQuery('patient-access-history')!.columns, findQuery('patient-access-history')!.columns.map((c) => ({ name: c.name, type: 'varchar' as const })));

function report(over: Partial<PatientReportDto>): PatientReportDto {
  return {
    patient: { reference: 'P-ABCDEFGHJKMN', partial: '••••••2782' },
    found: true,
    match: 'as-written',
    tried: ['as-written'],
    window: { from: '2026-10-02', to: '2026-10-31' },
    studiesRun: run('s', 'patient-studies'),
    accessRun: run('a', 'patient-access-history'),
    studies: { columns: studyColumns, rows: [['1.2.3', 'ACC1', '2026-09-01', 'CT', 'CHEST', 'H', 'adult', false, false, 'set']] },
    accessColumns,
    timeline: [],
    people: [],
    totals: { accesses: 0, principals: 0, people: 0, denied: 0 },
    ...over,
  };
}

const accesses = (r: PatientReportDto) => ({
  page: { columns: [], rows: [], total: r.totals.accesses, offset: 0, limit: 50 },
  view: { columns: r.accessColumns, links: [], drilldownLabel: null },
  dir: 'asc' as const,
  baseHref: '/patients/report?view=t',
});

const render = (r: PatientReportDto, extra: Record<string, unknown> = {}) =>
  renderToStaticMarkup(createElement(PatientReport, { report: r, accesses: r.accessRun ? accesses(r) : null, ...extra }));

describe('the patient view page', () => {
  it('says so when no study in the catalog belongs to the MRN, naming what was tried', () => {
    const html = render(report({ found: false, match: null, tried: ['as-written', 'upper-case'], accessRun: null, window: null, studies: { columns: studyColumns, rows: [] } }));
    expect(html).toContain('No study in the catalog for this MRN');
    expect(html).toContain('the MRN exactly as typed and the MRN in upper case');
    expect(html).not.toContain('Access history');
    expect(html).not.toContain('Who accessed the images');
  });

  it('tells a patient nobody accessed apart from an unknown one', () => {
    const html = render(report({}));
    expect(html).not.toContain('No study in the catalog');
    expect(html).toContain('Studies found, no access in this window.');
    expect(html).toContain('0 accesses by 0 people from 2026-10-02 to 2026-10-31 (UTC).');
    expect(html).toContain('1 study in the catalog.');
  });

  it('says out loud when only a variant of the MRN found the patient', () => {
    expect(render(report({ match: 'upper-case', tried: ['as-written', 'upper-case'] }))).toContain('Found only with the MRN in upper case');
    expect(render(report({ match: 'trimmed', tried: ['trimmed'] }))).toContain('Found without the spaces around the MRN');
    expect(render(report({ match: 'as-written' }))).not.toContain('Found');
  });

  it('lists who accessed the images, above the requests, in the right numbers', () => {
    const html = render(
      report({
        totals: { accesses: 9, principals: 2, people: 2, denied: 1 },
        people: [
          { person: 'jane@x.example', principals: ['arn:aws:sts::1:assumed-role/RadiologistRole/jane@x.example'], roles: ['RadiologistRole'], accesses: 8, denied: 1, first: '2026-10-03T01:02:03Z', last: '2026-10-09T04:05:06Z', studies: [{ studyInstanceUid: '1.2.3', accessionNumber: 'ACC1' }] },
          { person: 'arn:aws:iam::1:user/pacs-bridge', principals: ['arn:aws:iam::1:user/pacs-bridge'], roles: [], accesses: 1, denied: 0, first: '2026-10-04T00:00:00Z', last: '2026-10-04T00:00:00Z', studies: [{ studyInstanceUid: '1.2.3', accessionNumber: 'ACC1' }] },
        ],
      }),
    );
    expect(html).toContain('9 accesses by 2 people from 2026-10-02 to 2026-10-31 (UTC), 1 refused.');
    expect(html.indexOf('Who accessed the images')).toBeLessThan(html.indexOf('Access history'));
    expect(html).toContain('>jane@x.example</th>');
    expect(html).toMatch(/>8<span[^>]*>\(1 refused\)</);
    expect(html).toContain('<time dateTime="2026-10-03T01:02:03Z">2026-10-03 01:02:03</time>');
    expect(html).toContain('title="1.2.3">ACC1</span>');
    expect(html).toContain('RadiologistRole');
    expect(html).toContain('user/pacs-bridge');
  });

  it('keeps a marked spot for the log-coverage notice, above everything else', () => {
    const html = render(report({}), { coverageNotice: createElement('p', { id: 'coverage' }, 'Logs missing on 2026-10-12') });
    expect(html).toContain('<p id="coverage">Logs missing on 2026-10-12</p>');
    expect(html.indexOf('id="coverage"')).toBeLessThan(html.indexOf('Studies'));
  });
});
