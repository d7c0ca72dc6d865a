// The control-plane answers of the demo archive, recorded in the lake as AWS returns them
// (lib/lake/aws-api-records.ts): the archive bucket's lifecycle configuration (the rules
// lifecycle.ts applies) and, per trail, DescribeTrails, GetTrailStatus and GetEventSelectors as
// they read when the window ends. Delivery times come from the log and digest files written, the
// logging start and stop times from the planted StopLogging/StartLogging events: deterministic.
import fs from 'node:fs/promises';
import path from 'node:path';
import { DESCRIBE_TRAILS_FILE, eventSelectorsFile, lifecycleConfigurationFile, trailStatusFile } from '@/lib/lake/aws-api-records';
import { parseCloudTrailDigestKey, parseCloudTrailLogKey } from '@/lib/lake/layout';
import { TRANSITIONS } from './lifecycle';
import type { Plan } from './plan';
import { ARCHIVE_BUCKET, LOG_BUCKET, type World } from './world';

/** GetBucketLifecycleConfiguration of the archive: the tiering rule, and no expiration (deletion is a governed act). */
export function archiveLifecycleConfiguration() {
  return {
    TransitionDefaultMinimumObjectSize: 'all_storage_classes_128K',
    Rules: [
      {
        ID: 'archive-tiering',
        Filter: { Prefix: '' },
        Status: 'Enabled',
        Transitions: TRANSITIONS.map((t) => ({ Days: t.days, StorageClass: t.storageClass })),
      },
    ],
  };
}

/** Epoch seconds, as CloudTrail's JSON 1.1 answers carry timestamps. */
const epochSeconds = (ms: number) => ms / 1000;
const isoSecond = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function keyTime(stamp: string): number {
  // YYYYMMDDTHHmmZ (log files) or YYYYMMDDTHHmmssZ (digests)
  return Date.UTC(+stamp.slice(0, 4), +stamp.slice(4, 6) - 1, +stamp.slice(6, 8), +stamp.slice(9, 11), +stamp.slice(11, 13), stamp.length > 14 ? +stamp.slice(13, 15) : 0);
}

async function* files(dir: string): AsyncGenerator<string> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) yield* files(full);
    else yield full;
  }
}

type Trail = World['trails'][number];

/** The newest log file and digest file each trail delivered, from their keys. */
async function latestDeliveries(world: World, outDir: string): Promise<Map<string, { log: number | null; digest: number | null }>> {
  const out = new Map(world.trails.map((t) => [t.arn, { log: null as number | null, digest: null as number | null }]));
  const owner = (organizationId: string | null, account: string) =>
    world.trails.find((t) => (t.organizationId ? t.organizationId === organizationId : organizationId === null && t.account === account));
  for await (const file of files(path.join(outDir, `${world.layout.cloudtrailPrefix}AWSLogs`))) {
    const key = path.relative(outDir, file).split(path.sep).join('/');
    const log = parseCloudTrailLogKey(key);
    if (log) {
      const trail = owner(log.organizationId, log.account);
      const latest = trail && out.get(trail.arn)!;
      if (latest) latest.log = Math.max(latest.log ?? 0, keyTime(log.deliveredAt));
      continue;
    }
    const digest = parseCloudTrailDigestKey(key);
    const trail = digest && world.trails.find((t) => t.name === digest.trailName && owner(digest.organizationId, digest.account) === t);
    if (digest && trail) {
      const latest = out.get(trail.arn)!;
      latest.digest = Math.max(latest.digest ?? 0, keyTime(digest.digestEnd));
    }
  }
  return out;
}

/** The last StopLogging and StartLogging of the trail among the planted events. */
function loggingChanges(plan: Plan, trail: Trail): { stop: number | null; start: number | null } {
  let stop: number | null = null;
  let start: number | null = null;
  for (const e of plan.planted) {
    for (const r of e.records) {
      const name = r.record.eventName;
      const params = r.record.requestParameters as { name?: unknown } | null;
      if (r.record.eventSource !== 'cloudtrail.amazonaws.com' || params?.name !== trail.arn) continue;
      if (name === 'StopLogging') stop = Math.max(stop ?? 0, r.ms);
      if (name === 'StartLogging') start = Math.max(start ?? 0, r.ms);
    }
  }
  return { stop, start };
}

function describeTrail(world: World, trail: Trail) {
  return {
    Name: trail.name,
    S3BucketName: LOG_BUCKET,
    ...(world.layout.cloudtrailPrefix ? { S3KeyPrefix: world.layout.cloudtrailPrefix.replace(/\/$/, '') } : {}),
    IncludeGlobalServiceEvents: true,
    IsMultiRegionTrail: true,
    HomeRegion: 'us-east-1',
    TrailARN: trail.arn,
    LogFileValidationEnabled: true,
    HasCustomEventSelectors: true,
    HasInsightSelectors: false,
    IsOrganizationTrail: trail.organizationId !== null,
  };
}

/** The archive account's trail logs management events and the archive's S3 and HealthImaging data events; the analytics account's, management events only. */
function eventSelectors(trail: Trail) {
  if (trail.organizationId === null) {
    return {
      TrailARN: trail.arn,
      EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }],
    };
  }
  return {
    TrailARN: trail.arn,
    AdvancedEventSelectors: [
      { Name: 'Management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
      {
        Name: 'Imaging archive objects',
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Data'] },
          { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
          { Field: 'resources.ARN', StartsWith: [`arn:aws:s3:::${ARCHIVE_BUCKET}/`] },
        ],
      },
      {
        Name: 'HealthImaging datastores',
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Data'] },
          { Field: 'resources.type', Equals: ['AWS::MedicalImaging::Datastore'] },
        ],
      },
    ],
  };
}

function trailStatus(delivery: { log: number | null; digest: number | null }, changes: { stop: number | null; start: number | null }) {
  const logging = changes.stop === null || (changes.start !== null && changes.start > changes.stop);
  return {
    IsLogging: logging,
    ...(delivery.log !== null ? { LatestDeliveryTime: epochSeconds(delivery.log), LatestDeliveryAttemptTime: isoSecond(delivery.log), LatestDeliveryAttemptSucceeded: isoSecond(delivery.log) } : {}),
    ...(delivery.digest !== null ? { LatestDigestDeliveryTime: epochSeconds(delivery.digest) } : {}),
    ...(changes.start !== null ? { StartLoggingTime: epochSeconds(changes.start), TimeLoggingStarted: isoSecond(changes.start) } : {}),
    ...(changes.stop !== null ? { StopLoggingTime: epochSeconds(changes.stop), TimeLoggingStopped: isoSecond(changes.stop) } : {}),
    LatestNotificationAttemptTime: '',
    LatestNotificationAttemptSucceeded: '',
  };
}

/** Writes the recorded answers; call after the log and digest files are written. */
export async function writeAwsApiRecords(world: World, plan: Plan, outDir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  const put = async (key: string, value: unknown) => {
    const text = `${JSON.stringify(value, null, 2)}\n`;
    await fs.mkdir(path.dirname(path.join(outDir, key)), { recursive: true });
    await fs.writeFile(path.join(outDir, key), text);
    files++;
    bytes += Buffer.byteLength(text);
  };
  await put(lifecycleConfigurationFile(ARCHIVE_BUCKET), archiveLifecycleConfiguration());
  await put(DESCRIBE_TRAILS_FILE, { trailList: world.trails.map((t) => describeTrail(world, t)) });
  const deliveries = await latestDeliveries(world, outDir);
  for (const trail of world.trails) {
    await put(trailStatusFile(trail.arn), trailStatus(deliveries.get(trail.arn)!, loggingChanges(plan, trail)));
    await put(eventSelectorsFile(trail.arn), eventSelectors(trail));
  }
  return { files, bytes };
}
