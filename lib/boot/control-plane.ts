import 'server-only';
import type { Env } from '@/lib/config/env';
import type { ControlPlane } from '@/lib/posture/port';

// Where the posture dashboards read the AWS control plane (trail status and selectors, the archive
// bucket's lifecycle rules): CloudTrail's and S3's APIs when the portal runs on Athena, else the
// answers recorded in the local lake.

export type OpenControlPlane = ControlPlane & { close(): void };

export async function controlPlane(env: Env, overrides: { lakeDir?: string } = {}): Promise<OpenControlPlane> {
  if (overrides.lakeDir === undefined && env.CUSTOS_ENGINE === 'athena') {
    const [{ S3Client }, { CloudTrailClient }, { awsControlPlane }] = await Promise.all([
      import('@aws-sdk/client-s3'),
      import('@aws-sdk/client-cloudtrail'),
      import('@/lib/posture/aws'),
    ]);
    const s3Region = env.CUSTOS_ARCHIVE_REGION ?? env.AWS_REGION ?? null;
    const s3 = new S3Client({ ...(s3Region ? { region: s3Region } : {}), followRegionRedirects: true });
    const clients = new Map<string, InstanceType<typeof CloudTrailClient>>();
    const cloudTrail = (region: string) => {
      let client = clients.get(region);
      if (!client) clients.set(region, (client = new CloudTrailClient({ region })));
      return client;
    };
    const regions = env.CUSTOS_TRAIL_REGIONS ? env.CUSTOS_TRAIL_REGIONS.split(',') : [env.AWS_REGION ?? 'us-east-1'];
    return {
      ...awsControlPlane({ cloudTrail, s3 }, { regions, s3Region }),
      close: () => {
        s3.destroy();
        for (const client of clients.values()) client.destroy();
      },
    };
  }
  const { localLakeControlPlane } = await import('@/lib/posture/local-lake');
  return { ...localLakeControlPlane(overrides.lakeDir ?? env.lakeDir), close: () => undefined };
}
