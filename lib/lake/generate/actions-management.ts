// Management-plane traffic: the hourly service heartbeat, SAML sign-ins, trail and key-policy
// changes, and the background noise (Describe/List/Get calls) that makes the mix look real.
import { tlsFor } from './actions-s3';
import {
  cloudTrailRecord,
  principalArn,
  roleArn,
  userIdentity,
  type Json,
  type JsonObject,
  type Principal,
  type RecordSpec,
} from './cloudtrail-record';
import type { Emission } from './emission';
import type { Principals } from './principals';
import type { Rng } from './random';
import { USER_AGENTS } from './reference-data';
import { HOUR, isoSecond, MINUTE, stsExpiration } from './time';
import {
  ANALYTICS_ACCOUNT,
  ARCHIVE_BUCKET,
  IMAGING_ACCOUNT,
  PAIRS,
  type Clinician,
  type PairIndex,
  type Region,
  type World,
} from './world';

function single(pair: PairIndex, ms: number, record: JsonObject): Emission {
  return { records: [{ pair, ms, record }], line: null, access: null, kmsDenied: null };
}

const credentials = (rng: Rng, accessKeyId: string, expires: number): JsonObject => ({
  accessKeyId,
  sessionToken: `IQoJb3JpZ2luX2Vj${rng.base64(96)}`,
  expiration: stsExpiration(expires),
});

/** Instance-profile and AWS Config credential refreshes: AWS services calling STS every hour. */
export function heartbeat(rng: Rng, pair: PairIndex, ms: number, kind: 0 | 1): Emission {
  const { account, region } = PAIRS[pair];
  const service = kind === 0 ? 'ec2.amazonaws.com' : 'config.amazonaws.com';
  const role = kind === 0 ? 'Ec2InstanceRole' : 'AWSServiceRoleForConfig';
  const arn =
    kind === 0 ? `arn:aws:iam::${account}:role/${role}` : `arn:aws:iam::${account}:role/aws-service-role/config.amazonaws.com/${role}`;
  const session = kind === 0 ? `i-0${rng.hex(16)}` : 'AWSConfig-Describe';
  return single(
    pair,
    ms,
    cloudTrailRecord({
      eventVersion: '1.08',
      userIdentity: { type: 'AWSService', invokedBy: service },
      eventTime: ms,
      eventSource: 'sts.amazonaws.com',
      eventName: 'AssumeRole',
      awsRegion: region,
      sourceIPAddress: service,
      userAgent: service,
      requestParameters: { roleArn: arn, roleSessionName: session },
      responseElements: {
        credentials: credentials(rng, `ASIA${rng.iamId(16)}`, ms + 6 * HOUR),
        assumedRoleUser: { assumedRoleId: `AROA${rng.iamId(17)}:${session}`, arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}` },
      },
      requestID: rng.uuid(),
      eventID: rng.uuid(),
      readOnly: true,
      resources: [{ accountId: account, type: 'AWS::IAM::Role', ARN: arn }],
      managementEvent: true,
      recipientAccountId: account,
      sharedEventID: rng.uuid(),
      eventCategory: 'Management',
    }),
  );
}

/** A clinician's federated sign-in (STS global endpoint → us-east-1); creates the session's key. */
export function samlSignIn(
  world: World,
  rng: Rng,
  r: { clinician: Clinician; session: Principal; ms: number; ip: string; durationHours: number },
): Emission {
  if (r.session.kind !== 'role') throw new Error('SAML sessions are role sessions');
  const email = r.clinician.email;
  const role = roleArn(r.session.role);
  return single(
    0,
    r.ms,
    cloudTrailRecord({
      eventVersion: '1.08',
      userIdentity: {
        type: 'SAMLUser',
        principalId: `${world.samlIdpId}:${email}`,
        userName: email,
        identityProvider: world.samlIdpId,
      },
      eventTime: r.ms,
      eventSource: 'sts.amazonaws.com',
      eventName: 'AssumeRoleWithSAML',
      awsRegion: 'us-east-1',
      sourceIPAddress: r.ip,
      userAgent: USER_AGENTS.browser,
      requestParameters: {
        sAMLAssertionID: `_${rng.hex(32)}`,
        roleSessionName: email,
        durationSeconds: r.durationHours * 3600,
        roleArn: role,
        principalArn: world.samlProviderArn,
      },
      responseElements: {
        subjectType: 'persistent',
        issuer: 'https://sso.health.example/saml2/idp',
        credentials: credentials(rng, r.session.accessKeyId, r.ms + r.durationHours * HOUR),
        nameQualifier: world.samlIdpId,
        assumedRoleUser: { assumedRoleId: `${r.session.role.id}:${email}`, arn: principalArn(r.session) },
        subject: email,
        audience: 'https://signin.aws.amazon.com/saml',
      },
      requestID: rng.uuid(),
      eventID: rng.uuid(),
      readOnly: true,
      resources: [
        { ARN: role, accountId: IMAGING_ACCOUNT, type: 'AWS::IAM::Role' },
        { ARN: world.samlProviderArn, accountId: IMAGING_ACCOUNT, type: 'AWS::IAM::SAMLProvider' },
      ],
      managementEvent: true,
      recipientAccountId: IMAGING_ACCOUNT,
      eventCategory: 'Management',
      tlsDetails: tlsFor(rng, 'sts.amazonaws.com'),
    }),
  );
}

/** StopLogging / StartLogging by an administrator in the console. */
export function trailControl(
  rng: Rng,
  r: { principal: Principal; pair: PairIndex; trailArn: string; eventName: 'StopLogging' | 'StartLogging'; ms: number; ip: string },
): Emission {
  const { account } = PAIRS[r.pair];
  return single(
    r.pair,
    r.ms,
    cloudTrailRecord({
      eventVersion: '1.11',
      userIdentity: userIdentity(r.principal),
      eventTime: r.ms,
      eventSource: 'cloudtrail.amazonaws.com',
      eventName: r.eventName,
      awsRegion: 'us-east-1',
      sourceIPAddress: r.ip,
      userAgent: USER_AGENTS.browser,
      requestParameters: { name: r.trailArn },
      responseElements: null,
      requestID: rng.uuid(),
      eventID: rng.uuid(),
      readOnly: false,
      managementEvent: true,
      recipientAccountId: account,
      eventCategory: 'Management',
      tlsDetails: tlsFor(rng, 'cloudtrail.us-east-1.amazonaws.com'),
      sessionCredentialFromConsole: true,
    }),
  );
}

export function keyPolicy(decryptors: string[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Id: 'custos-archive-key-policy',
    Statement: [
      {
        Sid: 'EnableRootPermissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${IMAGING_ACCOUNT}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
      {
        Sid: 'AllowArchiveDecrypt',
        Effect: 'Allow',
        Principal: { AWS: decryptors.map((r) => `arn:aws:iam::${IMAGING_ACCOUNT}:role/${r}`) },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:ViaService': ['s3.us-east-1.amazonaws.com', 'medical-imaging.us-east-1.amazonaws.com'] } },
      },
    ],
  });
}

export function putKeyPolicy(world: World, rng: Rng, r: { principal: Principal; ms: number; ip: string; policy: string }): Emission {
  return single(
    0,
    r.ms,
    cloudTrailRecord({
      eventVersion: '1.11',
      userIdentity: userIdentity(r.principal),
      eventTime: r.ms,
      eventSource: 'kms.amazonaws.com',
      eventName: 'PutKeyPolicy',
      awsRegion: 'us-east-1',
      sourceIPAddress: r.ip,
      userAgent: USER_AGENTS.browser,
      requestParameters: { keyId: world.kmsKeyArn, policyName: 'default', policy: r.policy, bypassPolicyLockoutSafetyCheck: false },
      responseElements: null,
      requestID: rng.uuid(),
      eventID: rng.uuid(),
      readOnly: false,
      resources: [{ accountId: IMAGING_ACCOUNT, type: 'AWS::KMS::Key', ARN: world.kmsKeyArn }],
      managementEvent: true,
      recipientAccountId: IMAGING_ACCOUNT,
      eventCategory: 'Management',
      tlsDetails: tlsFor(rng, 'kms.us-east-1.amazonaws.com'),
      sessionCredentialFromConsole: true,
    }),
  );
}

type Caller = { principal: Principal; ip: string; userAgent: string; invokedBy?: string };

type NoiseTemplate = {
  weight: number;
  source: string;
  name: string;
  version: string;
  readOnly: boolean;
  host: (region: string) => string;
  params: (world: World, rng: Rng, region: string, ms: number) => Json;
  response?: (world: World, rng: Rng) => Json;
  resources?: (world: World, region: string) => JsonObject[];
  s3?: boolean;
};

const regional = (service: string) => (region: string) => `${service}.${region}.amazonaws.com`;
const global = (host: string) => () => host;
const clinicalRoles = ['RadiologistRole', 'ClinicianRole', 'TechnologistRole', 'ViewerServiceRole', 'ImagingIngestRole'];

const CONFIG_CALLS: NoiseTemplate[] = [
  { weight: 5, source: 'ec2.amazonaws.com', name: 'DescribeInstances', version: '1.10', readOnly: true, host: regional('ec2'), params: () => ({ instancesSet: {}, filterSet: {} }) },
  { weight: 3, source: 'ec2.amazonaws.com', name: 'DescribeVolumes', version: '1.10', readOnly: true, host: regional('ec2'), params: () => ({ volumeSet: {}, filterSet: {} }) },
  {
    weight: 3,
    source: 'ec2.amazonaws.com',
    name: 'DescribeSecurityGroups',
    version: '1.10',
    readOnly: true,
    host: regional('ec2'),
    params: () => ({ securityGroupSet: {}, securityGroupIdSet: {}, filterSet: {} }),
  },
  {
    weight: 2,
    source: 'ec2.amazonaws.com',
    name: 'DescribeNetworkInterfaces',
    version: '1.10',
    readOnly: true,
    host: regional('ec2'),
    params: () => ({ networkInterfaceIdSet: {}, filterSet: {} }),
  },
  {
    weight: 2,
    source: 'kms.amazonaws.com',
    name: 'DescribeKey',
    version: '1.11',
    readOnly: true,
    host: regional('kms'),
    params: (w, _r, region) => ({ keyId: region === 'us-east-1' ? w.kmsKeyArn : w.drKmsKeyArn }),
    resources: (w, region) => [{ accountId: IMAGING_ACCOUNT, type: 'AWS::KMS::Key', ARN: region === 'us-east-1' ? w.kmsKeyArn : w.drKmsKeyArn }],
  },
  {
    weight: 1,
    source: 'kms.amazonaws.com',
    name: 'GetKeyRotationStatus',
    version: '1.11',
    readOnly: true,
    host: regional('kms'),
    params: (w, _r, region) => ({ keyId: region === 'us-east-1' ? w.kmsKeyArn : w.drKmsKeyArn }),
    resources: (w, region) => [{ accountId: IMAGING_ACCOUNT, type: 'AWS::KMS::Key', ARN: region === 'us-east-1' ? w.kmsKeyArn : w.drKmsKeyArn }],
  },
  {
    weight: 2,
    source: 's3.amazonaws.com',
    name: 'GetBucketVersioning',
    version: '1.10',
    readOnly: true,
    host: global(`${ARCHIVE_BUCKET}.s3.amazonaws.com`),
    params: () => ({ bucketName: ARCHIVE_BUCKET, Host: `${ARCHIVE_BUCKET}.s3.amazonaws.com`, versioning: '' }),
    s3: true,
  },
  {
    weight: 2,
    source: 's3.amazonaws.com',
    name: 'GetBucketEncryption',
    version: '1.10',
    readOnly: true,
    host: global(`${ARCHIVE_BUCKET}.s3.amazonaws.com`),
    params: () => ({ bucketName: ARCHIVE_BUCKET, Host: `${ARCHIVE_BUCKET}.s3.amazonaws.com`, encryption: '' }),
    s3: true,
  },
  {
    weight: 1,
    source: 's3.amazonaws.com',
    name: 'GetObjectLockConfiguration',
    version: '1.10',
    readOnly: true,
    host: global(`${ARCHIVE_BUCKET}.s3.amazonaws.com`),
    params: () => ({ bucketName: ARCHIVE_BUCKET, Host: `${ARCHIVE_BUCKET}.s3.amazonaws.com`, 'object-lock': '' }),
    s3: true,
  },
];

const IAM_CALLS: NoiseTemplate[] = [
  { weight: 2, source: 'iam.amazonaws.com', name: 'GetRole', version: '1.09', readOnly: true, host: global('iam.amazonaws.com'), params: (_w, r) => ({ roleName: r.pick(clinicalRoles) }) },
  {
    weight: 2,
    source: 'iam.amazonaws.com',
    name: 'ListAttachedRolePolicies',
    version: '1.09',
    readOnly: true,
    host: global('iam.amazonaws.com'),
    params: (_w, r) => ({ roleName: r.pick(clinicalRoles) }),
  },
  { weight: 1, source: 'iam.amazonaws.com', name: 'ListRoles', version: '1.09', readOnly: true, host: global('iam.amazonaws.com'), params: () => null },
];

const AUDIT_CALLS: NoiseTemplate[] = [
  {
    weight: 2,
    source: 'cloudtrail.amazonaws.com',
    name: 'GetTrailStatus',
    version: '1.11',
    readOnly: true,
    host: regional('cloudtrail'),
    params: (w) => ({ name: w.trails[0]!.arn }),
  },
  {
    weight: 1,
    source: 'cloudtrail.amazonaws.com',
    name: 'GetEventSelectors',
    version: '1.11',
    readOnly: true,
    host: regional('cloudtrail'),
    params: (w) => ({ trailName: w.trails[0]!.arn }),
  },
  {
    weight: 1,
    source: 'cloudtrail.amazonaws.com',
    name: 'DescribeTrails',
    version: '1.11',
    readOnly: true,
    host: regional('cloudtrail'),
    params: () => ({ trailNameList: [], includeShadowTrails: true }),
  },
  { weight: 1, source: 'kms.amazonaws.com', name: 'ListAliases', version: '1.11', readOnly: true, host: regional('kms'), params: () => null },
  {
    weight: 1,
    source: 'kms.amazonaws.com',
    name: 'GetKeyPolicy',
    version: '1.11',
    readOnly: true,
    host: regional('kms'),
    params: (w) => ({ keyId: w.kmsKeyArn, policyName: 'default' }),
    resources: (w) => [{ accountId: IMAGING_ACCOUNT, type: 'AWS::KMS::Key', ARN: w.kmsKeyArn }],
  },
  { weight: 1, source: 'sts.amazonaws.com', name: 'GetCallerIdentity', version: '1.08', readOnly: true, host: regional('sts'), params: () => null },
];

const MONITORING_CALLS: NoiseTemplate[] = [
  {
    weight: 3,
    source: 'monitoring.amazonaws.com',
    name: 'GetMetricData',
    version: '1.09',
    readOnly: true,
    host: regional('monitoring'),
    params: (_w, _r, _region, ms) => ({
      startTime: isoSecond(ms - HOUR),
      endTime: isoSecond(ms),
      metricDataQueries: [{ id: 'q1', metricStat: { metric: { namespace: 'AWS/S3', metricName: 'AllRequests' }, period: 300, stat: 'Sum' } }],
    }),
  },
  { weight: 1, source: 'logs.amazonaws.com', name: 'DescribeLogGroups', version: '1.09', readOnly: true, host: regional('logs'), params: () => ({ limit: 50 }) },
];

const VIEWER_CALLS: NoiseTemplate[] = [
  {
    weight: 3,
    source: 'medical-imaging.amazonaws.com',
    name: 'SearchImageSets',
    version: '1.08',
    readOnly: true,
    host: (region) => `runtime-medical-imaging.${region}.amazonaws.com`,
    params: (w, r, region) => ({
      datastoreId: w.datastoreIds[region as Region],
      maxResults: r.pick([10, 25, 50]),
      searchCriteria: 'HIDDEN_DUE_TO_SECURITY_REASONS',
    }),
  },
  {
    weight: 1,
    source: 'medical-imaging.amazonaws.com',
    name: 'GetDatastore',
    version: '1.08',
    readOnly: true,
    host: regional('medical-imaging'),
    params: (w, _r, region) => ({ datastoreId: w.datastoreIds[region as Region] }),
  },
  {
    weight: 1,
    source: 'medical-imaging.amazonaws.com',
    name: 'ListDICOMImportJobs',
    version: '1.08',
    readOnly: true,
    host: regional('medical-imaging'),
    params: (w, r, region) => ({ datastoreId: w.datastoreIds[region as Region], maxResults: 50, jobStatus: r.pick(['COMPLETED', 'IN_PROGRESS']) }),
  },
];

const CI_CALLS: NoiseTemplate[] = [
  { weight: 2, source: 'sts.amazonaws.com', name: 'GetCallerIdentity', version: '1.08', readOnly: true, host: regional('sts'), params: () => null },
  {
    weight: 2,
    source: 'cloudformation.amazonaws.com',
    name: 'DescribeStacks',
    version: '1.09',
    readOnly: true,
    host: regional('cloudformation'),
    params: (_w, r) => ({ stackName: r.pick(['custos-viewer', 'imaging-ingest', 'imaging-network']) }),
  },
  { weight: 1, source: 'ecr.amazonaws.com', name: 'GetAuthorizationToken', version: '1.09', readOnly: true, host: regional('api.ecr'), params: () => ({ registryIds: [IMAGING_ACCOUNT] }) },
  {
    weight: 1,
    source: 'ecs.amazonaws.com',
    name: 'DescribeServices',
    version: '1.09',
    readOnly: true,
    host: regional('ecs'),
    params: () => ({ cluster: 'imaging', services: ['viewer-api', 'ingest-worker'] }),
  },
];

const ANALYTICS_CALLS: NoiseTemplate[] = [
  {
    weight: 3,
    source: 'athena.amazonaws.com',
    name: 'StartQueryExecution',
    version: '1.09',
    readOnly: false,
    host: regional('athena'),
    params: (_w, r) => ({
      queryString: r.pick([
        'SELECT modality, count(*) AS studies FROM imaging_usage.daily_studies GROUP BY 1',
        'SELECT day, sum(bytes) FROM imaging_usage.storage_daily WHERE day > current_date - interval \'30\' day GROUP BY 1',
        'SELECT facility, count(*) FROM imaging_usage.daily_reads GROUP BY 1 ORDER BY 2 DESC',
      ]),
      clientRequestToken: r.uuid(),
      queryExecutionContext: { database: 'imaging_usage', catalog: 'AwsDataCatalog' },
      workGroup: 'analytics',
    }),
    response: (_w, r) => ({ queryExecutionId: r.uuid() }),
  },
  {
    weight: 4,
    source: 'athena.amazonaws.com',
    name: 'GetQueryExecution',
    version: '1.09',
    readOnly: true,
    host: regional('athena'),
    params: (_w, r) => ({ queryExecutionId: r.uuid() }),
  },
  {
    weight: 2,
    source: 'athena.amazonaws.com',
    name: 'GetQueryResults',
    version: '1.09',
    readOnly: true,
    host: regional('athena'),
    params: (_w, r) => ({ queryExecutionId: r.uuid(), maxResults: 1000 }),
  },
  {
    weight: 2,
    source: 'glue.amazonaws.com',
    name: 'GetTable',
    version: '1.09',
    readOnly: true,
    host: regional('glue'),
    params: (_w, r) => ({ databaseName: 'imaging_usage', name: r.pick(['daily_studies', 'storage_daily', 'daily_reads']) }),
  },
  {
    weight: 1,
    source: 'glue.amazonaws.com',
    name: 'GetPartitions',
    version: '1.09',
    readOnly: true,
    host: regional('glue'),
    params: (_w, r) => ({ databaseName: 'imaging_usage', tableName: r.pick(['daily_studies', 'daily_reads']), maxResults: 1000 }),
  },
];

function noiseRecord(world: World, rng: Rng, pair: PairIndex, ms: number, caller: Caller, t: NoiseTemplate): JsonObject {
  const { account, region } = PAIRS[pair];
  const host = t.host(region);
  const spec: RecordSpec = {
    eventVersion: t.version,
    userIdentity: userIdentity(caller.principal, caller.invokedBy),
    eventTime: ms,
    eventSource: t.source,
    eventName: t.name,
    awsRegion: t.source === 'iam.amazonaws.com' ? 'us-east-1' : region,
    sourceIPAddress: caller.invokedBy ?? caller.ip,
    userAgent: caller.invokedBy ?? caller.userAgent,
    requestParameters: t.params(world, rng, region, ms),
    responseElements: t.response ? t.response(world, rng) : null,
    requestID: t.s3 ? rng.upperHex(16) : rng.uuid(),
    eventID: rng.uuid(),
    readOnly: t.readOnly,
    managementEvent: true,
    recipientAccountId: account,
    eventCategory: 'Management',
  };
  if (t.s3) {
    spec.additionalEventData = {
      SignatureVersion: 'SigV4',
      CipherSuite: 'TLS_AES_128_GCM_SHA256',
      bytesTransferredIn: 0,
      AuthenticationMethod: 'AuthHeader',
      'x-amz-id-2': rng.base64(56),
      bytesTransferredOut: rng.int(150, 700),
    };
    spec.resources = [{ accountId: IMAGING_ACCOUNT, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${ARCHIVE_BUCKET}` }];
  } else if (t.resources) {
    spec.resources = t.resources(world, region);
  }
  if (t.source === 'medical-imaging.amazonaws.com' && region === 'us-east-1') {
    spec.vpcEndpointId = world.vpceImaging;
    spec.vpcEndpointAccountId = IMAGING_ACCOUNT;
  }
  if (!caller.invokedBy) spec.tlsDetails = tlsFor(rng, host);
  return cloudTrailRecord(spec);
}

/** One background management call for an (account, region) output. */
export function noise(world: World, rng: Rng, principals: Principals, pair: PairIndex, ms: number): Emission {
  const hourStart = ms - (ms % HOUR);
  const { account, region } = PAIRS[pair];
  let caller: Caller;
  let templates: NoiseTemplate[];
  if (account === ANALYTICS_ACCOUNT) {
    const day = new Date(ms).toISOString().slice(0, 10).replaceAll('-', '');
    caller = rng.chance(0.7)
      ? { principal: principals.role('AnalyticsEtlRole', `etl-${day}`, hourStart - 2 * MINUTE), ip: '198.51.100.90', userAgent: USER_AGENTS.athenaJdbc }
      : rng.chance(0.5)
        ? { principal: principals.user('biReporting'), ip: '198.51.100.91', userAgent: USER_AGENTS.athenaJdbc }
        : { principal: principals.role('BiAnalystRole', 'dashboards', hourStart - MINUTE), ip: '198.51.100.92', userAgent: USER_AGENTS.grafana };
    templates = region === 'us-east-1' ? ANALYTICS_CALLS : ANALYTICS_CALLS.filter((t) => t.source === 'glue.amazonaws.com');
  } else {
    const who = rng.weighted<'config' | 'audit' | 'monitoring' | 'viewer' | 'ci'>(
      region === 'us-east-1'
        ? [
            ['config', 40],
            ['audit', 12],
            ['monitoring', 18],
            ['viewer', 22],
            ['ci', 8],
          ]
        : [
            ['config', 70],
            ['viewer', 30],
          ],
    );
    const configSession = principals.role('AWSServiceRoleForConfig', 'AWSConfig-Describe', hourStart - 3 * MINUTE);
    switch (who) {
      case 'config':
        caller = { principal: configSession, ip: 'config.amazonaws.com', userAgent: 'config.amazonaws.com', invokedBy: 'config.amazonaws.com' };
        templates = region === 'us-east-1' ? [...CONFIG_CALLS, ...IAM_CALLS] : CONFIG_CALLS.filter((t) => !t.s3);
        break;
      case 'audit':
        caller = {
          principal: principals.role('SecurityAuditRole', 'security-scan', hourStart - 5 * MINUTE),
          ip: '198.51.100.71',
          userAgent: USER_AGENTS.cli,
        };
        templates = AUDIT_CALLS;
        break;
      case 'monitoring':
        caller = {
          principal: principals.role('MonitoringRole', 'grafana-cloudwatch', hourStart - MINUTE),
          ip: '198.51.100.72',
          userAgent: USER_AGENTS.grafana,
        };
        templates = MONITORING_CALLS;
        break;
      case 'viewer':
        caller = {
          principal: principals.role('ViewerServiceRole', region === 'us-east-1' ? `viewer-api-${rng.int(1, 4)}` : 'dr-health-check', hourStart),
          ip: region === 'us-east-1' ? `10.40.2.${rng.int(10, 60)}` : '198.51.100.75',
          userAgent: USER_AGENTS.viewerServiceImaging,
        };
        templates = region === 'us-east-1' ? VIEWER_CALLS : VIEWER_CALLS.filter((t) => t.name === 'GetDatastore');
        break;
      case 'ci':
        caller = {
          principal: principals.role('CiDeployRole', `github-actions-${Math.floor(ms / (6 * HOUR))}`, hourStart - 4 * MINUTE),
          ip: '198.51.100.80',
          userAgent: USER_AGENTS.cli,
        };
        templates = CI_CALLS;
        break;
    }
  }
  const t = rng.weighted(templates.map((x) => [x, x.weight] as const));
  return single(pair, ms, noiseRecord(world, rng, pair, ms, caller, t));
}

