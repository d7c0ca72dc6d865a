import 'server-only';
// The control plane over AWS: CloudTrail's DescribeTrails in each configured Region, then
// GetTrailStatus and GetEventSelectors of each trail in its home Region; S3's
// GetBucketLifecycleConfiguration. Clients are injected by the composition root. Every call is
// listed with its answer's snapshot, failed ones with AWS's error name and message.
import { DescribeTrailsCommand, GetEventSelectorsCommand, GetTrailStatusCommand, type CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { GetBucketLifecycleConfigurationCommand, type S3Client } from '@aws-sdk/client-s3';
import { toApiJson, TRAIL_STATUS_TIMES } from './api-json';
import type { ApiCall, ControlPlane, TrailRecord } from './port';

export type AwsControlPlaneClients = {
  cloudTrail(region: string): CloudTrailClient;
  s3: S3Client;
};

export type AwsControlPlaneOptions = {
  /** Regions whose trails are listed (a multi-Region trail appears once, from its home Region). */
  regions: string[];
  /** The S3 client's Region, recorded with its calls. */
  s3Region: string | null;
};

function errorText(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return `${e.name ?? 'Error'}: ${String(e.message ?? '').slice(0, 300)}`;
}

const isNoLifecycle = (error: unknown) => (error as { name?: string }).name === 'NoSuchLifecycleConfiguration';

export function awsControlPlane(clients: AwsControlPlaneClients, options: AwsControlPlaneOptions): ControlPlane {
  return {
    source: 'aws',

    async trails() {
      const calls: ApiCall[] = [];
      const found = new Map<string, Record<string, unknown>>();
      for (const region of options.regions) {
        const request = { includeShadowTrails: true };
        try {
          const out = await clients.cloudTrail(region).send(new DescribeTrailsCommand(request));
          calls.push({ service: 'cloudtrail', operation: 'DescribeTrails', region, request });
          for (const t of out.trailList ?? []) if (t.TrailARN && !found.has(t.TrailARN)) found.set(t.TrailARN, t as Record<string, unknown>);
        } catch (error) {
          calls.push({ service: 'cloudtrail', operation: 'DescribeTrails', region, request, error: errorText(error) });
        }
      }
      if (found.size === 0 && calls.every((c) => c.error)) {
        return { calls, answer: null, unavailable: 'DescribeTrails failed in every configured Region: see the calls.' };
      }
      const answer: TrailRecord[] = [];
      for (const [arn, raw] of [...found].sort(([a], [b]) => a.localeCompare(b))) {
        const home = typeof raw.HomeRegion === 'string' ? raw.HomeRegion : options.regions[0]!;
        const client = clients.cloudTrail(home);
        let status: TrailRecord['status'] = null;
        let selectors: TrailRecord['selectors'] = null;
        try {
          status = toApiJson(await client.send(new GetTrailStatusCommand({ Name: arn })), TRAIL_STATUS_TIMES);
          calls.push({ service: 'cloudtrail', operation: 'GetTrailStatus', region: home, request: { Name: arn } });
        } catch (error) {
          calls.push({ service: 'cloudtrail', operation: 'GetTrailStatus', region: home, request: { Name: arn }, error: errorText(error) });
        }
        try {
          selectors = toApiJson(await client.send(new GetEventSelectorsCommand({ TrailName: arn })));
          calls.push({ service: 'cloudtrail', operation: 'GetEventSelectors', region: home, request: { TrailName: arn } });
        } catch (error) {
          calls.push({ service: 'cloudtrail', operation: 'GetEventSelectors', region: home, request: { TrailName: arn }, error: errorText(error) });
        }
        answer.push({ trail: toApiJson(raw), status, selectors });
      }
      return { calls, answer };
    },

    async lifecycle(bucket: string) {
      const request = { Bucket: bucket };
      try {
        const out = await clients.s3.send(new GetBucketLifecycleConfigurationCommand(request));
        const calls: ApiCall[] = [{ service: 's3', operation: 'GetBucketLifecycleConfiguration', region: options.s3Region, request }];
        return { calls, answer: toApiJson({ Rules: out.Rules ?? [], ...(out.TransitionDefaultMinimumObjectSize ? { TransitionDefaultMinimumObjectSize: out.TransitionDefaultMinimumObjectSize } : {}) }) };
      } catch (error) {
        if (isNoLifecycle(error)) return { calls: [{ service: 's3', operation: 'GetBucketLifecycleConfiguration', region: options.s3Region, request }], answer: null };
        const calls: ApiCall[] = [{ service: 's3', operation: 'GetBucketLifecycleConfiguration', region: options.s3Region, request, error: errorText(error) }];
        return { calls, answer: null, unavailable: `GetBucketLifecycleConfiguration failed (${errorText(error)}).` };
      }
    },
  };
}
