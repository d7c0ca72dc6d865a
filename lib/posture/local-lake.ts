import 'server-only';
// The control-plane answers recorded in a local lake (lib/lake/aws-api-records.ts), read as if
// the API had been called: the embedded default's stand-in for CloudTrail's and S3's APIs.
import fs from 'node:fs/promises';
import path from 'node:path';
import { DESCRIBE_TRAILS_FILE, eventSelectorsFile, lifecycleConfigurationFile, trailStatusFile } from '@/lib/lake/aws-api-records';
import { toApiJson, TRAIL_STATUS_TIMES } from './api-json';
import type { ApiCall, ApiJson, ControlPlane, TrailRecord } from './port';

async function readJson(file: string): Promise<unknown | null> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as unknown;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

export function localLakeControlPlane(lakeDir: string): ControlPlane {
  const recorded = (key: string) => path.join(lakeDir, key);
  return {
    source: 'lake',

    async trails() {
      const calls: ApiCall[] = [{ service: 'cloudtrail', operation: 'DescribeTrails', region: null, request: { includeShadowTrails: false }, recordedIn: DESCRIBE_TRAILS_FILE }];
      const described = (await readJson(recorded(DESCRIBE_TRAILS_FILE))) as { trailList?: unknown[] } | null;
      if (!described) return { calls, answer: null, unavailable: `The lake holds no recorded DescribeTrails answer (${DESCRIBE_TRAILS_FILE}).` };
      const answer: TrailRecord[] = [];
      for (const raw of described.trailList ?? []) {
        const trail = toApiJson(raw);
        const arn = String(trail.TrailARN ?? '');
        const statusFile = trailStatusFile(arn);
        const selectorsFile = eventSelectorsFile(arn);
        const status = await readJson(recorded(statusFile));
        const selectors = await readJson(recorded(selectorsFile));
        calls.push(
          { service: 'cloudtrail', operation: 'GetTrailStatus', region: null, request: { Name: arn }, recordedIn: statusFile, ...(status ? {} : { error: 'not recorded in the lake' }) },
          { service: 'cloudtrail', operation: 'GetEventSelectors', region: null, request: { TrailName: arn }, recordedIn: selectorsFile, ...(selectors ? {} : { error: 'not recorded in the lake' }) },
        );
        answer.push({ trail, status: status ? toApiJson(status, TRAIL_STATUS_TIMES) : null, selectors: selectors ? toApiJson(selectors) : null });
      }
      return { calls, answer };
    },

    async lifecycle(bucket: string) {
      const file = lifecycleConfigurationFile(bucket);
      const calls: ApiCall[] = [{ service: 's3', operation: 'GetBucketLifecycleConfiguration', region: null, request: { Bucket: bucket }, recordedIn: file }];
      const config = await readJson(recorded(file));
      if (!config) return { calls, answer: null, unavailable: `The lake holds no recorded lifecycle configuration of ${bucket} (${file}).` };
      return { calls, answer: toApiJson(config) as ApiJson };
    },
  };
}
