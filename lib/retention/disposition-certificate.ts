// The proof-of-disposition certificate: what was deleted, why it could be, who approved it and how
// they re-authenticated, what the executor did and verified, and what it found but did not delete.
// Drawn with the evidence building blocks; signed and registered like every other evidence.
import { formatBytes, formatTimestamp } from '@/lib/format';
import {
  bullets,
  createReportDocument,
  drawCoverPage,
  drawTable,
  formatNumber,
  heading,
  keyValueBlock,
  MUTED,
  paragraph,
  type ReportHeader,
} from '@/lib/evidence/render';
import type { Manifest } from './manifest';

export type CertificateDecision = {
  by: string;
  decision: 'approve' | 'reject';
  decidedAt: string;
  stepUp: 'password' | 'oidc' | null;
  stepUpAt: string | null;
  manifestSha256: string;
  comment: string | null;
};

export type CertificateRuleSet = { id: string; version: number; name: string; jurisdiction: string; majorityAge: number; leapDay: string; rules: { id: string; when: string; keep: string }[] };

export type DispositionCertificateDto = ReportHeader & {
  request: { id: string; reason: string; requestedBy: string; requestedAt: string; asOf: string; executionStartedAt: string | null; finishedAt: string | null };
  manifest: Manifest;
  manifestSha256: string;
  ruleSets: CertificateRuleSet[];
  decisions: CertificateDecision[];
  execution: {
    items: { deleted: number; gone: number; failed: number; pending: number; deleting: number };
    verified: boolean;
    verifiedAt: string | null;
    appeared: { studyInstanceUid: string; key: string; versionId: string; deleteMarker: boolean; size: number }[];
    resultsPurged: number;
  };
};

const STEP_UP: Record<string, string> = { password: 'password typed again just before approving', oidc: 'a fresh sign-in at the identity provider within 5 minutes before approving' };

export async function renderDispositionCertificate(dto: DispositionCertificateDto): Promise<Buffer> {
  const m = dto.manifest;
  const r = createReportDocument(dto, { subject: `Proof of disposition: deletion request ${dto.request.id} (evidence ${dto.evidenceId})`, keywords: [dto.request.id, dto.manifestSha256] });
  drawCoverPage(r, {
    answers:
      `That the ${formatNumber(m.totals.studies)} ${m.totals.studies === 1 ? 'study' : 'studies'} of deletion request ${dto.request.id} were past their legal retention and free of every hold, ` +
      `that two approvers other than the requester approved exactly this manifest after re-authenticating, and that every object version and image set it lists was deleted and verified gone.`,
    audience: 'An auditor, a records manager, or anyone who must show that an end-of-retention deletion was authorized, exact and complete.',
    facts: [
      { label: 'Deletion request', value: dto.request.id, mono: true },
      { label: 'Manifest SHA-256', value: dto.manifestSha256, mono: true },
    ],
  });

  heading(r, 'The request');
  keyValueBlock(r, [
    { label: 'Request', value: dto.request.id, mono: true },
    { label: 'Requested by', value: dto.request.requestedBy },
    { label: 'Requested at', value: formatTimestamp(dto.request.requestedAt) },
    { label: 'Reason', value: dto.request.reason },
    { label: 'Retention judged on', value: `${m.asOf} (UTC), and again at execution` },
    { label: 'Manifest frozen at', value: formatTimestamp(m.frozenAt) },
    { label: 'Manifest SHA-256', value: `${dto.manifestSha256} (SHA-256 of the manifest's canonical JSON: sorted keys, no whitespace)`, mono: true },
    {
      label: 'Totals',
      value: `${formatNumber(m.totals.studies)} studies, ${formatNumber(m.totals.objectVersions)} object versions (${formatBytes(m.totals.bytes)}, ${formatNumber(m.totals.bytes)} bytes), ${formatNumber(m.totals.imageSets)} image sets`,
    },
  ]);

  heading(r, 'Retention rules applied');
  for (const set of dto.ruleSets) {
    heading(r, `${set.name} — ${set.id} version ${set.version}`, 2);
    keyValueBlock(r, [
      { label: 'Jurisdiction', value: set.jurisdiction },
      { label: 'A minor at the study', value: `under ${set.majorityAge} on the study date` },
      { label: '29 February', value: set.leapDay === 'feb28' ? 'anniversaries fall on 28 February in common years' : 'anniversaries fall on 1 March in common years' },
      ...set.rules.map((rule) => ({ label: rule.id, value: `${rule.when}: kept until ${rule.keep}` })),
    ]);
  }
  paragraph(r, 'Every rule that applies to a study counts and the latest end wins. A study is kept through the last day a rule gives; the day after is the first day it may be deleted.', MUTED);

  heading(r, 'Studies and their retention');
  for (const s of m.studies) {
    heading(r, s.studyInstanceUid, 2);
    keyValueBlock(r, [
      { label: 'Accession number', value: s.accessionNumber ?? '—' },
      { label: 'Modality, study date', value: `${s.modality}, ${s.studyDate}` },
      { label: 'Facility', value: s.facility ?? '—' },
      { label: 'Rule set', value: `${s.retention.ruleSetId} version ${s.retention.ruleSetVersion}` },
      { label: 'Governing rule', value: s.retention.rule ?? '—' },
      { label: 'Retention class', value: s.retention.retentionClass ?? 'unknown' },
      { label: 'Kept through', value: s.retention.retainedThrough ?? '—' },
      { label: 'First deletable day', value: s.retention.retainUntil ?? '—' },
      { label: 'Object versions, image sets', value: `${s.objects.length}, ${s.imageSets.length}` },
    ]);
    bullets(r, s.retention.steps, MUTED);
  }

  heading(r, 'Approvals');
  keyValueBlock(
    r,
    dto.decisions.map((d) => ({
      label: d.decision === 'approve' ? 'Approved' : 'Rejected',
      value:
        `${d.by}, ${formatTimestamp(d.decidedAt)}` +
        (d.stepUp ? `; re-authenticated by ${STEP_UP[d.stepUp]} (${formatTimestamp(d.stepUpAt)})` : '') +
        `; bound to manifest SHA-256 ${d.manifestSha256}` +
        (d.comment ? `; “${d.comment}”` : ''),
    })),
  );

  heading(r, 'Execution and verification');
  const e = dto.execution;
  keyValueBlock(r, [
    { label: 'Started', value: formatTimestamp(dto.request.executionStartedAt) },
    { label: 'Finished', value: formatTimestamp(dto.request.finishedAt) },
    { label: 'Re-checked before deleting', value: 'retention and holds by the recorded rule-set versions, Custos legal holds, S3 legal holds and Object Lock in the live archive, every manifest item unchanged' },
    { label: 'Items deleted', value: formatNumber(e.items.deleted) },
    { label: 'Already gone at deletion', value: formatNumber(e.items.gone) },
    { label: 'Items not deleted', value: formatNumber(e.items.failed + e.items.pending + e.items.deleting) },
    { label: 'Verified', value: e.verified ? `yes, ${formatTimestamp(e.verifiedAt)}: no version or image set of the manifest remains` : 'no' },
    { label: 'Custos stored results purged', value: formatNumber(e.resultsPurged) },
  ]);

  heading(r, 'Not deleted by this request');
  bullets(r, [
    m.elsewhere.replicas.length
      ? `Replicas in the replication destination: ${m.elsewhere.replicas.map((x) => `${x.studyInstanceUid} (${x.versions} versions)`).join(', ')}. They follow that bucket's own retention.`
      : 'No object version of the manifest was reported replicated (inventory ReplicationStatus).',
    m.elsewhere.backups ? `Backups: ${m.elsewhere.backups}. Recovery points expire by the backup plan's own retention.` : 'No backup of the archive is configured in Custos.',
    'The audit logs about these studies (CloudTrail, S3 server access logs, the Custos journal) are never deleted: access history stays answerable by patient.',
  ]);
  await drawTable(
    r,
    [
      { label: 'Study', kind: 'id' },
      { label: 'Key', kind: 'id' },
      { label: 'Version id', kind: 'id' },
      { label: 'Delete marker', kind: 'text' },
      { label: 'Size (bytes)', kind: 'number' },
    ],
    e.appeared.map((a) => [a.studyInstanceUid, a.key, a.versionId, a.deleteMarker ? 'yes' : 'no', a.size]),
    { heading: 'Found after the manifest was frozen (reported, not deleted)', empty: 'Nothing appeared under the studies’ prefixes after the manifest was frozen.' },
  );

  await drawTable(
    r,
    [
      { label: 'Study', kind: 'id' },
      { label: 'Key', kind: 'id' },
      { label: 'Version id', kind: 'id' },
      { label: 'Size (bytes)', kind: 'number' },
      { label: 'ETag', kind: 'id' },
      { label: 'Storage class', kind: 'text' },
      { label: 'Retain until', kind: 'text' },
      { label: 'Legal hold', kind: 'text' },
    ],
    m.studies.flatMap((s) =>
      s.objects.map((o) => [s.studyInstanceUid, o.key, o.versionId, o.size, o.deleteMarker ? '(delete marker)' : o.etag, o.storageClass, o.retainUntil ?? '', o.legalHold ? 'ON' : 'OFF']),
    ),
    { heading: 'Manifest: object versions deleted', title: `Object versions of request ${dto.request.id}`, empty: 'No object versions.' },
  );
  await drawTable(
    r,
    [
      { label: 'Study', kind: 'id' },
      { label: 'Datastore', kind: 'id' },
      { label: 'Image set', kind: 'id' },
      { label: 'Version', kind: 'text' },
    ],
    m.studies.flatMap((s) => s.imageSets.map((i) => [s.studyInstanceUid, i.datastoreId, i.imageSetId, i.versionId])),
    { heading: 'Manifest: HealthImaging image sets deleted', empty: 'No image sets.' },
  );
  if (m.elsewhere.storedResults.length) {
    await drawTable(
      r,
      [
        { label: 'Run', kind: 'id' },
        { label: 'Query', kind: 'text' },
        { label: 'Studies named', kind: 'text' },
      ],
      m.elsewhere.storedResults.map((x) => [x.runId, x.queryId, x.studies.join(', ')]),
      { heading: 'Custos stored results purged with the studies (the run ledger and its hashes stay)' },
    );
  }
  return r.finish();
}
