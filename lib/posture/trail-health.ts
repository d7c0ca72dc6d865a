// What a trail's configuration and status say about the logs the portal relies on: is it logging,
// does it sign digests (log file validation), does it record the archive's S3 object reads and
// HealthImaging data events, does it keep KMS events, where does it deliver and when did it last.
// Event selectors are read as CloudTrail applies them: basic selectors (DataResources) or advanced
// ones (field selectors, every field of a selector must match, any selector may select).
import type { ApiJson, TrailRecord } from './port';

/** How much of a kind of data event the selectors record (reads of it, which is what audits ask). */
export type DataEventCoverage = 'all' | 'archive' | 'partial' | 'none' | 'unknown';

export const COVERAGE_LABELS: Record<DataEventCoverage, string> = {
  all: 'all',
  archive: 'the archive bucket',
  partial: 'partly (filtered)',
  none: 'no',
  unknown: 'unknown',
};

export type TrailHealth = {
  name: string;
  arn: string;
  homeRegion: string | null;
  multiRegion: boolean;
  organization: boolean;
  logging: boolean | null;
  logFileValidation: boolean;
  s3DataEvents: DataEventCoverage;
  imagingDataEvents: DataEventCoverage;
  /** Management events are logged and KMS's are not excluded (Decrypt is a management event). */
  kmsEvents: boolean | null;
  lastDelivery: string | null;
  lastDigest: string | null;
  loggingStopped: string | null;
  loggingStarted: string | null;
  deliveryError: string | null;
  digestError: string | null;
  /** What is wrong with this trail for an audit of the archive, in plain words. */
  problems: string[];
};

type FieldSelector = { Field?: string; Equals?: string[]; StartsWith?: string[]; EndsWith?: string[]; NotEquals?: string[]; NotStartsWith?: string[]; NotEndsWith?: string[] };
type AdvancedSelector = { Name?: string; FieldSelectors?: FieldSelector[] };
type BasicSelector = { ReadWriteType?: string; IncludeManagementEvents?: boolean; DataResources?: { Type?: string; Values?: string[] }[]; ExcludeManagementEventSources?: string[] };

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const RANK: Record<DataEventCoverage, number> = { unknown: -1, none: 0, partial: 1, archive: 2, all: 3 };
const best = (list: DataEventCoverage[], fallback: DataEventCoverage): DataEventCoverage =>
  list.reduce((a, b) => (RANK[b] > RANK[a] ? b : a), fallback);

/** What one advanced selector records of a resource type's reads. */
function advancedCoverage(selector: AdvancedSelector, types: string[], archiveArnPrefix: string | null): DataEventCoverage {
  const fields = selector.FieldSelectors ?? [];
  const field = (name: string) => fields.filter((f) => f.Field === name);
  const category = field('eventCategory');
  if (!category.some((f) => f.Equals?.includes('Data'))) return 'none';
  const type = field('resources.type');
  if (!type.some((f) => f.Equals?.some((t) => types.includes(t)))) return 'none';
  if (field('readOnly').some((f) => f.Equals?.includes('false'))) return 'none';
  let scope: DataEventCoverage = 'all';
  for (const f of fields) {
    if (['eventCategory', 'resources.type', 'readOnly'].includes(f.Field ?? '')) continue;
    if (f.Field === 'resources.ARN' && archiveArnPrefix !== null && !f.NotEquals && !f.NotStartsWith && !f.NotEndsWith && !f.EndsWith) {
      const starts = f.StartsWith ?? [];
      const equals = f.Equals ?? [];
      const whole = starts.filter((p) => archiveArnPrefix.startsWith(p));
      if (whole.some((p) => /^arn:aws[a-z-]*:s3(:::)?$/.test(p))) continue;
      if (whole.length > 0) scope = RANK[scope] > RANK.archive ? 'archive' : scope;
      else if ([...starts, ...equals].some((p) => p.startsWith(archiveArnPrefix))) scope = 'partial';
      else return 'none';
      continue;
    }
    // eventName, eventSource, other ARN forms: some reads are left out
    scope = 'partial';
  }
  return scope;
}

/** What one basic selector records of S3 object reads (basic selectors cannot select HealthImaging). */
function basicS3Coverage(selector: BasicSelector, archiveBucket: string | null): DataEventCoverage {
  if (selector.ReadWriteType === 'WriteOnly') return 'none';
  const values = (selector.DataResources ?? []).filter((r) => r.Type === 'AWS::S3::Object').flatMap((r) => r.Values ?? []);
  if (values.some((v) => /^arn:aws[a-z-]*:s3(:::)?$/.test(v))) return 'all';
  if (archiveBucket && values.some((v) => v === `arn:aws:s3:::${archiveBucket}/` || v === `arn:aws:s3:::${archiveBucket}`)) return 'archive';
  if (archiveBucket && values.some((v) => v.startsWith(`arn:aws:s3:::${archiveBucket}/`))) return 'partial';
  return 'none';
}

function kmsLogged(selectors: ApiJson): boolean {
  const advanced = (selectors.AdvancedEventSelectors as AdvancedSelector[] | undefined) ?? [];
  if (advanced.length > 0) {
    return advanced.some((s) => {
      const fields = s.FieldSelectors ?? [];
      if (!fields.some((f) => f.Field === 'eventCategory' && f.Equals?.includes('Management'))) return false;
      return !fields.some((f) => f.Field === 'eventSource' && (f.NotEquals?.includes('kms.amazonaws.com') || (f.Equals && !f.Equals.includes('kms.amazonaws.com'))));
    });
  }
  const basic = (selectors.EventSelectors as BasicSelector[] | undefined) ?? [];
  return basic.some((s) => s.IncludeManagementEvents !== false && s.ReadWriteType !== 'WriteOnly' && !(s.ExcludeManagementEventSources ?? []).includes('kms.amazonaws.com'));
}

const S3_TYPES = ['AWS::S3::Object'];
const IMAGING_TYPES = ['AWS::MedicalImaging::Datastore', 'AWS::MedicalImaging::Imageset'];

/** One trail's health, for an archive in `archiveBucket` (null: any bucket counts as all-or-nothing). */
export function assessTrail(record: TrailRecord, archiveBucket: string | null): TrailHealth {
  const t = record.trail;
  const s = record.status;
  const selectors = record.selectors;
  const arnPrefix = archiveBucket ? `arn:aws:s3:::${archiveBucket}/` : null;
  let s3DataEvents: DataEventCoverage = 'unknown';
  let imagingDataEvents: DataEventCoverage = 'unknown';
  let kmsEvents: boolean | null = null;
  if (selectors) {
    const advanced = (selectors.AdvancedEventSelectors as AdvancedSelector[] | undefined) ?? [];
    const basic = (selectors.EventSelectors as BasicSelector[] | undefined) ?? [];
    s3DataEvents = best([...advanced.map((a) => advancedCoverage(a, S3_TYPES, arnPrefix)), ...basic.map((b) => basicS3Coverage(b, archiveBucket))], 'none');
    imagingDataEvents = best(advanced.map((a) => advancedCoverage(a, IMAGING_TYPES, null)), 'none');
    kmsEvents = kmsLogged(selectors);
  }
  const logging = s && typeof s.IsLogging === 'boolean' ? s.IsLogging : null;
  const health: TrailHealth = {
    name: str(t.Name) ?? str(t.TrailARN) ?? 'unnamed trail',
    arn: str(t.TrailARN) ?? '',
    homeRegion: str(t.HomeRegion),
    multiRegion: t.IsMultiRegionTrail === true,
    organization: t.IsOrganizationTrail === true,
    logging,
    logFileValidation: t.LogFileValidationEnabled === true,
    s3DataEvents,
    imagingDataEvents,
    kmsEvents,
    lastDelivery: str(s?.LatestDeliveryTime),
    lastDigest: str(s?.LatestDigestDeliveryTime),
    loggingStopped: str(s?.StopLoggingTime),
    loggingStarted: str(s?.StartLoggingTime),
    deliveryError: str(s?.LatestDeliveryError),
    digestError: str(s?.LatestDigestDeliveryError),
    problems: [],
  };
  const p = health.problems;
  if (logging === false) p.push('Logging is off: nothing is recorded.');
  if (logging === null) p.push('The trail status could not be read.');
  if (!health.logFileValidation) p.push('Log file validation is off: no digest proves the logs unaltered.');
  if (!health.multiRegion) p.push('Single-Region trail: calls in other Regions are not recorded.');
  if (kmsEvents === false) p.push('KMS events are not recorded: Decrypt refusals cannot be seen.');
  if (health.deliveryError) p.push(`The last delivery failed: ${health.deliveryError}.`);
  if (health.digestError) p.push(`The last digest delivery failed: ${health.digestError}.`);
  return health;
}

export type TrailsVerdict = {
  trails: TrailHealth[];
  /** The strongest coverage any logging trail gives the archive's S3 reads and HealthImaging data events. */
  s3DataEvents: DataEventCoverage;
  imagingDataEvents: DataEventCoverage;
  /** A trail that is logging, validates its files and records KMS events. */
  validatedLogging: boolean;
  problems: string[];
};

export function assessTrails(records: TrailRecord[], archiveBucket: string | null): TrailsVerdict {
  const trails = records.map((r) => assessTrail(r, archiveBucket)).sort((a, b) => a.name.localeCompare(b.name));
  const live = trails.filter((t) => t.logging === true);
  const s3DataEvents = best(live.map((t) => t.s3DataEvents), live.length ? 'none' : 'unknown');
  const imagingDataEvents = best(live.map((t) => t.imagingDataEvents), live.length ? 'none' : 'unknown');
  const validatedLogging = live.some((t) => t.logFileValidation && t.kmsEvents === true);
  const problems: string[] = [];
  if (trails.length === 0) problems.push('No trail is visible: CloudTrail records nothing the portal can rely on.');
  else if (live.length === 0) problems.push('No trail is logging.');
  if (trails.length > 0 && !validatedLogging) problems.push('No logging trail both validates its log files and records KMS events.');
  if (RANK[s3DataEvents] < RANK.archive) problems.push(`S3 data events of the archive: ${COVERAGE_LABELS[s3DataEvents]} — reads of study objects may be missing from CloudTrail (the S3 server access log may still have them).`);
  if (RANK[imagingDataEvents] < RANK.all) problems.push(`HealthImaging data events: ${COVERAGE_LABELS[imagingDataEvents]} — image frame reads may be missing.`);
  return { trails, s3DataEvents, imagingDataEvents, validatedLogging, problems };
}
