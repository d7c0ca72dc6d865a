import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDispositionCertificate, type DispositionCertificateDto } from '@/lib/retention/disposition-certificate';
import { buildManifest, manifestSha256 } from '@/lib/retention/manifest';
import { explainRetention } from '@/lib/retention/evaluate';
import { DEFAULT_RULE_SET } from '@/lib/retention/rule-set';
import { createLocalSigner } from '@/lib/signer/local-p12';
import type { Signer } from '@/lib/signer/port';
import { readPdfSignature, signPdf } from '@/lib/signer/sign-pdf';
import { nssDatabase } from '@/test/signer/pdf-tools';
import { pagesOf, removeTmpDir, tmpDir, writePdf } from '@/test/evidence/pdf-text';

// The proof-of-disposition certificate: everything an auditor needs on paper, signed so that a
// standard validator (poppler's pdfsig) accepts it; no patient identifier or birth date in it.
const STUDY = '1.2.840.113619.2.404.3.123456789.20181031.4471';
const explanation = explainRetention({ studyInstanceUid: STUDY, modality: 'CT', studyDate: '2018-10-31', birthDate: '1968-03-02' }, DEFAULT_RULE_SET, '2026-11-02', { showBirthDate: false });
const manifest = buildManifest({
  asOf: '2026-11-02',
  frozenAt: '2026-11-02T10:00:00.000Z',
  studies: [
    {
      studyInstanceUid: STUDY,
      accessionNumber: 'A000123456',
      modality: 'CT',
      studyDate: '2018-10-31',
      facility: 'Northbridge General Hospital',
      s3KeyPrefix: `studies/${STUDY}/`,
      retention: {
        ruleSetId: 'default',
        ruleSetVersion: 1,
        jurisdiction: DEFAULT_RULE_SET.jurisdiction,
        rule: explanation.rule,
        retentionClass: explanation.retentionClass,
        retainedThrough: explanation.retainedThrough,
        retainUntil: explanation.retainUntil,
        rules: explanation.rules,
        steps: explanation.steps,
      },
      objects: [
        { bucket: 'custos-demo-imaging-archive', key: `studies/${STUDY}/1.2.3/1.2.3.4.dcm`, versionId: 'aZE.v5_VWWz1SPFadoEDhZD2xvVzajmh', deleteMarker: false, size: 314572800, etag: '0b0e7c1d6a1f4d2c9a1e5b7d3c2f1a0e', storageClass: 'DEEP_ARCHIVE', retainUntil: '2025-10-31T00:00:00.000Z', legalHold: false, replicationStatus: 'COMPLETED' },
      ],
      imageSets: [{ datastoreId: 'bbc4f3cccbae4095a34170fddc19b13d', imageSetId: '18f88ac7870584f58d56256646b4d92b', versionId: '1' }],
    },
  ],
  elsewhere: { replicas: [{ studyInstanceUid: STUDY, versions: 1 }], backups: 'AWS Backup plan imaging-archive-35d (vault archive-vault)', storedResults: [{ runId: 'run-1', queryId: 'retention-due', studies: [STUDY] }] },
});
const sha = manifestSha256(manifest);

const dto: DispositionCertificateDto = {
  evidenceId: 'EV-2026-ABCDEFGH',
  kind: 'disposition',
  title: 'Proof of disposition: 1 study',
  generatedAt: '2026-11-02T10:05:00Z',
  generatedBy: 'Custos (retention-executor)',
  portalVersion: '0.1.0',
  journalHead: { seq: 812, hash: 'c'.repeat(64) },
  signer: { subject: 'CN=Custos evidence signer', fingerprint: 'd'.repeat(64) },
  request: { id: '0195f3a2-7c41-7d2e-9b1a-3c4d5e6f7a8b', reason: 'Annual end-of-retention review 2026', requestedBy: 'privacy@demo.custos', requestedAt: '2026-11-02T10:00:00.000Z', asOf: '2026-11-02', executionStartedAt: '2026-11-02T10:03:00.000Z', finishedAt: '2026-11-02T10:04:00.000Z' },
  manifest,
  manifestSha256: sha,
  ruleSets: [{ id: 'default', version: 1, name: DEFAULT_RULE_SET.name, jurisdiction: DEFAULT_RULE_SET.jurisdiction, majorityAge: 18, leapDay: 'feb28', rules: [{ id: 'adult-7y', when: 'every study', keep: '7 years after the study date' }] }],
  decisions: [
    { by: 'Ada Lindqvist <approver1@demo.custos>', decision: 'approve', decidedAt: '2026-11-02T10:01:00.000Z', stepUp: 'password', stepUpAt: '2026-11-02T10:01:00.000Z', manifestSha256: sha, comment: null },
    { by: 'Ben Moreau <approver2@demo.custos>', decision: 'approve', decidedAt: '2026-11-02T10:02:00.000Z', stepUp: 'oidc', stepUpAt: '2026-11-02T10:02:00.000Z', manifestSha256: sha, comment: 'Checked against the records schedule' },
  ],
  execution: {
    items: { deleted: 2, gone: 0, failed: 0, pending: 0, deleting: 0 },
    verified: true,
    verifiedAt: '2026-11-02T10:04:00.000Z',
    appeared: [{ studyInstanceUid: STUDY, key: `studies/${STUDY}/late.dcm`, versionId: 'Xy12', deleteMarker: false, size: 24 }],
    resultsPurged: 1,
  },
};

let signer: Signer;
let nss: string;
beforeAll(() => {
  signer = createLocalSigner({ dir: path.join(tmpDir, 'signer'), installation: 'disposition-test' });
  nss = nssDatabase(path.join(tmpDir, 'nss'));
});
afterAll(removeTmpDir);

describe('the proof-of-disposition certificate', () => {
  it('states the request, the rules and each study’s arithmetic, the approvals with their re-authentication, the execution and what was not deleted', async () => {
    const text = pagesOf(await renderDispositionCertificate(dto)).join('\n').replace(/\s+/g, ' ');
    for (const expected of [
      'PROOF-OF-DISPOSITION CERTIFICATE',
      dto.request.id,
      sha,
      'Annual end-of-retention review 2026',
      'adult-7y',
      '2018-10-31 + 7 years = 2025-10-31',
      'First deletable day 2025-11-01',
      'password typed again just before approving',
      'a fresh sign-in at the identity provider',
      'Ada Lindqvist',
      'Ben Moreau',
      'no version or image set of the manifest remains',
      'AWS Backup plan imaging-archive-35d',
    ]) {
      expect(text, expected).toContain(expected);
    }
    for (const table of ['Found after the manifest was frozen (reported, not deleted)', 'Manifest: object versions deleted', 'Manifest: HealthImaging image sets deleted', 'Custos stored results purged']) {
      expect(text, table).toContain(table);
    }
    expect(text).not.toContain('1968-03-02');
  });

  it('signs as built, and pdfsig says the signature is valid', async () => {
    const pdf = await renderDispositionCertificate(dto);
    const signed = await signPdf(pdf, signer, { reason: 'Custos proof of disposition' }, { signingTime: new Date('2026-11-02T10:05:00Z') });
    expect(readPdfSignature(signed)).toMatchObject({ valid: true, coversWholeFile: true, problems: [] });
    const report = spawnSync('pdfsig', ['-nssdir', `sql:${nss}`, writePdf(signed, 'disposition-signed.pdf')], { encoding: 'utf8' }).stdout;
    expect(report).toContain('Signature is Valid.');
    expect(report).toContain('Total document signed');
  });
});
