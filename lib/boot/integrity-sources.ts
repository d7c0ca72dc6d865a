import 'server-only';
import type { Env } from '@/lib/config/env';
import type { IntegritySources } from '@/lib/integrity/port';
import { lakeLayout } from './adapter-config';

// Where CloudTrail integrity is read from: an explicit lake directory, else the trail's bucket on
// AWS when the portal runs on Athena, else the configured local lake.

export type OpenIntegritySources = IntegritySources & { close(): void };

export async function integritySources(env: Env, overrides: { lakeDir?: string } = {}): Promise<OpenIntegritySources> {
  if (overrides.lakeDir === undefined && env.CUSTOS_ENGINE === 'athena') {
    const [{ S3Client }, { CloudTrailClient }, { awsIntegritySources }] = await Promise.all([
      import('@aws-sdk/client-s3'),
      import('@aws-sdk/client-cloudtrail'),
      import('@/lib/integrity/aws'),
    ]);
    const s3 = new S3Client({ region: env.AWS_REGION, followRegionRedirects: true });
    const cloudTrail = new Map<string, InstanceType<typeof CloudTrailClient>>();
    const clientFor = (region: string) => {
      let client = cloudTrail.get(region);
      if (!client) cloudTrail.set(region, (client = new CloudTrailClient({ region })));
      return client;
    };
    const sources = awsIntegritySources({ s3, cloudTrail: clientFor }, { bucket: env.CUSTOS_LOG_BUCKET, layout: lakeLayout(env) });
    return {
      ...sources,
      close: () => {
        s3.destroy();
        for (const client of cloudTrail.values()) client.destroy();
      },
    };
  }
  const { localIntegritySources } = await import('@/lib/integrity/local-lake');
  return { ...localIntegritySources({ dir: overrides.lakeDir ?? env.lakeDir, layout: lakeLayout(env) }), close: () => undefined };
}
