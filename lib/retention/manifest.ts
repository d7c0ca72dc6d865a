// The frozen manifest of a deletion request: every object version and image set of the cohort,
// each study's retention explanation, and the copies this request does not delete. It names
// studies, never patients (no MRN, hash, name or birth date): approvers see exactly this document,
// and its SHA-256 (of canonical JSON) is what each approval is bound to.
import { createHash } from 'node:crypto';
import { canonicalize } from '@/lib/canonical';
import type { RuleOutcome } from './evaluate';

export const MANIFEST_FORMAT = 'custos.deletion-manifest/1';

export type ManifestObject = {
  bucket: string;
  key: string;
  versionId: string;
  /** Delete markers are removed too (by version id), so nothing of the study is left listed. */
  deleteMarker: boolean;
  size: number;
  etag: string;
  storageClass: string;
  /** Object Lock retain-until (ISO 8601), null when none. */
  retainUntil: string | null;
  legalHold: boolean;
  /** The inventory's ReplicationStatus of this version (COMPLETED: a replica exists elsewhere), null when not reported. */
  replicationStatus: string | null;
};

export type ManifestImageSet = { datastoreId: string; imageSetId: string; versionId: string };

export type ManifestRetention = {
  ruleSetId: string;
  ruleSetVersion: number;
  jurisdiction: string;
  rule: string | null;
  retentionClass: 'adult' | 'pediatric' | null;
  retainedThrough: string | null;
  retainUntil: string | null;
  rules: RuleOutcome[];
  /** The explanation in sentences, without the birth date. */
  steps: string[];
};

export type ManifestStudy = {
  studyInstanceUid: string;
  accessionNumber: string | null;
  modality: string;
  studyDate: string;
  facility: string | null;
  s3KeyPrefix: string | null;
  retention: ManifestRetention;
  objects: ManifestObject[];
  imageSets: ManifestImageSet[];
};

/** Copies the request does not delete, listed so nobody mistakes the disposal for more than it is. */
export type ManifestElsewhere = {
  /** Object versions with a replica in the replication destination (inventory ReplicationStatus COMPLETED), per study. */
  replicas: { studyInstanceUid: string; versions: number }[];
  /** AWS Backup (or other) recovery points of the archive, as configured; null when none is configured. */
  backups: string | null;
  /** Stored query results of Custos that name a study of the cohort: purged when the request executes. */
  storedResults: { runId: string; queryId: string; studies: string[] }[];
};

export type Manifest = {
  format: typeof MANIFEST_FORMAT;
  /** The UTC day retention was judged on. */
  asOf: string;
  frozenAt: string;
  studies: ManifestStudy[];
  elsewhere: ManifestElsewhere;
  totals: { studies: number; objectVersions: number; bytes: number; imageSets: number };
};

export function manifestSha256(manifest: Manifest): string {
  return createHash('sha256').update(canonicalize(manifest), 'utf8').digest('hex');
}

export function manifestTotals(studies: readonly ManifestStudy[]): Manifest['totals'] {
  return {
    studies: studies.length,
    objectVersions: studies.reduce((n, s) => n + s.objects.length, 0),
    bytes: studies.reduce((n, s) => n + s.objects.reduce((b, o) => b + o.size, 0), 0),
    imageSets: studies.reduce((n, s) => n + s.imageSets.length, 0),
  };
}

const byKey = (a: ManifestObject, b: ManifestObject) => Buffer.compare(Buffer.from(`${a.key}\u0000${a.versionId}`), Buffer.from(`${b.key}\u0000${b.versionId}`));

/** The manifest in its one canonical order (studies by UID, objects by key and version, image sets by id). */
export function buildManifest(input: Omit<Manifest, 'format' | 'totals'>): Manifest {
  const studies = [...input.studies]
    .sort((a, b) => (a.studyInstanceUid < b.studyInstanceUid ? -1 : a.studyInstanceUid > b.studyInstanceUid ? 1 : 0))
    .map((s) => ({
      ...s,
      objects: [...s.objects].sort(byKey),
      imageSets: [...s.imageSets].sort((a, b) => (a.imageSetId < b.imageSetId ? -1 : a.imageSetId > b.imageSetId ? 1 : 0)),
    }));
  return { format: MANIFEST_FORMAT, asOf: input.asOf, frozenAt: input.frozenAt, studies, elsewhere: input.elsewhere, totals: manifestTotals(studies) };
}

/** Parses a stored manifest back (jsonb keeps what canonical JSON needs: the hash is recomputed from it). */
export function storedManifest(value: unknown): Manifest {
  const m = value as Manifest;
  if (!m || m.format !== MANIFEST_FORMAT || !Array.isArray(m.studies)) throw new Error('not a deletion manifest');
  return m;
}
