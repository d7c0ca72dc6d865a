import { describe, expect, it } from 'vitest';
import { parseEnv } from '@/lib/config/env';
import { athenaConfigFromEnv } from '@/lib/boot/adapter-config';

describe('athenaConfigFromEnv', () => {
  it('maps the Athena, bucket and layout variables', () => {
    const config = athenaConfigFromEnv(
      parseEnv({
        CUSTOS_ENGINE: 'athena',
        AWS_REGION: 'eu-central-1',
        CUSTOS_ATHENA_WORKGROUP: 'custos',
        CUSTOS_ATHENA_DATABASE: 'custos_audit',
        CUSTOS_ATHENA_OUTPUT_LOCATION: 's3://results/custos/',
        CUSTOS_ATHENA_RESULT_REUSE_MINUTES: '60',
        CUSTOS_ATHENA_TIMEOUT_SECONDS: '900',
        CUSTOS_ATHENA_CSV_RESULT_ROWS: '2000',
        CUSTOS_ATHENA_ENDPOINT: 'https://athena-fips.eu-central-1.amazonaws.com',
        CUSTOS_LOG_BUCKET: 'logs',
        CUSTOS_ARCHIVE_BUCKET: 'archive',
        CUSTOS_CLOUDTRAIL_PREFIX: 'trail/',
      }),
    );
    expect(config).toMatchObject({
      region: 'eu-central-1',
      workGroup: 'custos',
      catalog: 'AwsDataCatalog',
      database: 'custos_audit',
      outputLocation: 's3://results/custos/',
      resultReuseMinutes: 60,
      timeoutMs: 900_000,
      csvResultRowThreshold: 2000,
      endpoint: 'https://athena-fips.eu-central-1.amazonaws.com',
      logBucket: 'logs',
      archiveBucket: 'archive',
      layout: {
        cloudtrailPrefix: 'trail/',
        accessLogPrefix: 's3-access-logs/',
        inventoryPrefix: 'inventory/',
        catalogPrefix: 'catalog/study_catalog/',
      },
      accounts: [],
      regions: [],
    });
  });

  it('falls back to the primary workgroup and leaves missing pieces for checkConfig to name', () => {
    const config = athenaConfigFromEnv(parseEnv({ CUSTOS_ENGINE: 'athena' }));
    expect(config.workGroup).toBe('primary');
    expect(config.region).toBe('');
    expect(config.database).toBe('');
    expect(config.outputLocation).toBeUndefined();
    expect(config.resultReuseMinutes).toBe(0);
  });
});
