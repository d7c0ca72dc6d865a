import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { CandidatesForm } from '@/components/retention/candidates-form';
import { ApproveForm } from '@/components/retention/decision-forms';
import { ManifestStudies, NotDeleted } from '@/components/retention/manifest-view';
import { collapseReviews, DecisionsTable, ExecutionSummary } from '@/components/retention/request-details';
import { RequestsTable } from '@/components/retention/requests-table';
import { retentionSummary } from '@/components/retention/retention-terms';
import type { CandidateDto } from '@/lib/retention/list-retention-candidates';
import { buildManifest } from '@/lib/retention/manifest';
import type { RequestDto, RequestSummaryDto } from '@/lib/retention/request-dto';

// The retention screens' pieces, rendered as the pages render them.

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&#x27;/g, "'").replace(/&amp;/g, '&').replace(/\s+/g, ' ').trim();
const SHA = 'a'.repeat(64);
const UID = '1.2.840.113619.2.55.3.1001';

const candidate = (over: Partial<CandidateDto> = {}): CandidateDto => ({
  studyInstanceUid: UID,
  accessionNumber: 'ACC1001',
  modality: 'CT',
  studyDate: '2016-02-29',
  facility: 'North',
  retentionClass: 'adult',
  rule: 'adult-7y',
  ruleSet: 'default v1',
  retainedThrough: '2023-02-28',
  retainUntil: '2023-03-01',
  objectVersions: 3,
  bytes: 3072,
  openRequest: null,
  ...over,
});

const summary = (over: Partial<RequestSummaryDto> = {}): RequestSummaryDto => ({
  id: '0b7d3c1e-8a51-4c1f-9d3e-2f6a1b2c3d4e',
  state: 'pending',
  stateLabel: 'Awaiting approval',
  requestedBy: 'privacy@demo.custos',
  requestedAt: '2026-12-01T10:00:00.000Z',
  reason: 'Annual review',
  totals: { studies: 1, objectVersions: 3, bytes: 3072, imageSets: 1 },
  approvals: 0,
  approvalsNeeded: 2,
  awaitingMe: false,
  mine: false,
  ...over,
});

const manifest = buildManifest({
  asOf: '2026-12-01',
  frozenAt: '2026-12-01T10:00:00.000Z',
  studies: [
    {
      studyInstanceUid: UID,
      accessionNumber: 'ACC1001',
      modality: 'CT',
      studyDate: '2016-02-29',
      facility: 'North',
      s3KeyPrefix: 'studies/1001/',
      retention: {
        ruleSetId: 'default',
        ruleSetVersion: 1,
        jurisdiction: 'Health system',
        rule: 'adult-7y',
        retentionClass: 'adult',
        retainedThrough: '2023-02-28',
        retainUntil: '2023-03-01',
        rules: [{ id: 'adult-7y', when: 'every study', applies: 'yes', keptThrough: '2023-02-28', arithmetic: '2016-02-29 + 7 years = 2023-02-28' }],
        steps: ['Rule adult-7y (every study) applies: 2016-02-29 + 7 years = 2023-02-28.'],
      },
      objects: [
        { bucket: 'archive', key: 'studies/1001/a.dcm', versionId: 'v1', deleteMarker: false, size: 3072, etag: 'e1', storageClass: 'GLACIER_IR', retainUntil: null, legalHold: false, replicationStatus: 'COMPLETED' },
      ],
      imageSets: [{ datastoreId: 'ds1', imageSetId: 'is1', versionId: '1' }],
    },
  ],
  elsewhere: { replicas: [{ studyInstanceUid: UID, versions: 1 }], backups: null, storedResults: [] },
});

describe('retention components', () => {
  it('states a candidate’s rule and dates in one line, and says when they cannot be computed', () => {
    expect(retentionSummary(candidate())).toBe('Rule adult-7y of default v1 (an adult at the study): study 2016-02-29, kept through 2023-02-28, deletable from 2023-03-01.');
    expect(retentionSummary(candidate({ rule: null, retainUntil: null, retentionClass: null }))).toMatch(/cannot be computed \(age at the study unknown\)/);
  });

  it('offers a checkbox per candidate, none for one already in a request, and the arithmetic link', () => {
    const html = renderToStaticMarkup(
      createElement(CandidatesForm, {
        candidates: [candidate(), candidate({ studyInstanceUid: '1.2.3', openRequest: '0b7d3c1e-8a51-4c1f-9d3e-2f6a1b2c3d4e' })],
        action: async () => null,
      }),
    );
    expect(html).toContain(`aria-label="Select study ${UID}"`);
    expect(html).not.toContain('aria-label="Select study 1.2.3"');
    expect(text(html)).toContain('in a request');
    expect(html).toContain('href="/retention?explain=1.2.840.113619.2.55.3.1001#explanation"');
    expect(text(html)).toContain('Pick the studies to delete.');
  });

  it('marks requests that await the viewer and links each to its page', () => {
    const html = renderToStaticMarkup(createElement(RequestsTable, { caption: 'Requests', requests: [summary({ awaitingMe: true })], empty: 'None.' }));
    expect(html).toContain('href="/retention/requests/0b7d3c1e-8a51-4c1f-9d3e-2f6a1b2c3d4e"');
    expect(text(html)).toContain('your approval is asked');
    expect(text(html)).toContain('0 of 2');
    expect(renderToStaticMarkup(createElement(RequestsTable, { caption: 'Requests', requests: [], empty: 'Nothing here.' }))).toContain('Nothing here.');
  });

  it('shows the manifest per study with its arithmetic and object versions, and what it does not delete', () => {
    const html = text(renderToStaticMarkup(createElement(ManifestStudies, { manifest })));
    expect(html).toContain('2016-02-29 + 7 years = 2023-02-28');
    expect(html).toContain('archive/studies/1001/a.dcm');
    expect(html).toContain('Image set is1 version 1 in datastore ds1');
    const elsewhere = text(renderToStaticMarkup(createElement(NotDeleted, { manifest })));
    expect(elsewhere).toContain('1 object versions of 1 studies have a completed replica');
    expect(elsewhere).toContain('no backup of the archive is configured');
    expect(elsewhere).toContain('none names a study of the cohort');
  });

  it('binds the approval to the manifest hash and asks for the password, never echoing one back', () => {
    const html = renderToStaticMarkup(createElement(ApproveForm, { action: async () => null, manifestSha256: SHA, stepUp: { method: 'password' } }));
    expect(html).toContain(`name="manifestSha256" value="${SHA}"`);
    const password = /<input id="approve-password"[^>]*>/.exec(html)?.[0] ?? '';
    expect(password).toContain('type="password"');
    expect(password).toContain('name="password"');
    expect(password).not.toContain('value=');
    const oidc = text(renderToStaticMarkup(createElement(ApproveForm, { action: async () => null, manifestSha256: SHA, stepUp: { method: 'oidc', freshUntil: null, minutes: 5 } })));
    expect(oidc).toContain('within the last 5 minutes');
  });

  it('says how each approver re-authenticated, and how far an execution came', () => {
    const decisions: RequestDto['decisions'] = [
      { by: 'approver1@demo.custos', decision: 'approve', decidedAt: '2026-12-01T11:00:00.000Z', stepUp: 'password', stepUpAt: '2026-12-01T11:00:00.000Z', manifestSha256: SHA, comment: null, expiresAt: '2026-12-15T11:00:00.000Z', counts: true },
    ];
    expect(text(renderToStaticMarkup(createElement(DecisionsTable, { decisions })))).toContain('password re-entered, 2026-12-01 11:00:00 UTC');
    const request = {
      executionStartedAt: '2026-12-01T12:00:00.000Z',
      finishedAt: '2026-12-01T12:01:00.000Z',
      items: { pending: 0, deleting: 0, deleted: 2, gone: 0, failed: 0 },
      execution: { verified: true, verifiedAt: '2026-12-01T12:01:00.000Z', appeared: [], resultsPurged: 0 },
    } as unknown as RequestDto;
    const html = text(renderToStaticMarkup(createElement(ExecutionSummary, { request })));
    expect(html).toContain('2 of 2 done (2 deleted, 0 already gone), 0 left, 0 failed');
    expect(html).toContain('nothing of the manifest remains');
  });

  it('shows repeated reviews of the manifest by one person as one line of the history', () => {
    const view = (at: string, by = 'approver1@demo.custos') => ({ at, action: 'retention_request.view', by, details: 'reviewed the manifest' });
    const rows = collapseReviews([view('2026-12-01T10:00:00.000Z'), view('2026-12-01T10:00:03.000Z'), view('2026-12-01T10:00:06.000Z', 'privacy@demo.custos'), view('2026-12-01T10:00:09.000Z', 'privacy@demo.custos')]);
    expect(rows.map((r) => [r.by, r.times, r.lastAt])).toEqual([
      ['approver1@demo.custos', 2, '2026-12-01T10:00:03.000Z'],
      ['privacy@demo.custos', 2, '2026-12-01T10:00:09.000Z'],
    ]);
  });
});
