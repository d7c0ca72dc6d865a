// S3 object requests on the archive bucket as AWS logs them: the CloudTrail data event, the KMS
// call S3 makes under the caller's identity (SSE-KMS without Bucket Keys), and the server access
// log line sharing the request id and x-amz-id-2.
import { accessLogLine, fieldCountFor } from './access-log-line';
import {
  cloudTrailRecord,
  principalArn,
  userIdentity,
  type JsonObject,
  type Principal,
  type TlsDetails,
} from './cloudtrail-record';
import type { Emission, EmittedRecord } from './emission';
import { hashString, type Rng } from './random';
import { HOUR, SECOND } from './time';
import {
  ARCHIVE_BUCKET,
  IMAGING_ACCOUNT,
  objectArn,
  type ObjectVersion,
  type StoredObject,
  type World,
} from './world';

export type S3Op = 'GetObject' | 'HeadObject' | 'PutObject';

export type Caller = {
  principal: Principal;
  /** Client address; for calls an AWS service makes, the service's fleet address seen by S3. */
  ip: string;
  userAgent: string;
  /** How the SDK writes the request line: the JS SDK adds `?x-id=<Operation>`. */
  sdk: 'js' | 'java' | 'python';
  network: 'internet' | 'vpce' | 'service';
  /** The AWS service making the call for the principal (network 'service'). */
  invokedBy?: string;
};

export const ARCHIVE_HOST = `${ARCHIVE_BUCKET}.s3.us-east-1.amazonaws.com`;
const OPERATION: Record<S3Op, string> = {
  GetObject: 'REST.GET.OBJECT',
  HeadObject: 'REST.HEAD.OBJECT',
  PutObject: 'REST.PUT.OBJECT',
};
const METHOD: Record<S3Op, string> = { GetObject: 'GET', HeadObject: 'HEAD', PutObject: 'PUT' };

export function tlsFor(rng: Rng, host: string): TlsDetails {
  if (rng.chance(0.25)) return { tlsVersion: 'TLSv1.2', cipherSuite: 'ECDHE-RSA-AES128-GCM-SHA256', clientProvidedHostHeader: host };
  return {
    tlsVersion: 'TLSv1.3',
    cipherSuite: rng.chance(0.8) ? 'TLS_AES_128_GCM_SHA256' : 'TLS_AES_256_GCM_SHA384',
    clientProvidedHostHeader: host,
    keyExchange: rng.chance(0.4) ? 'X25519MLKEM768' : 'x25519',
  };
}

const kmsKeyResource = (world: World): JsonObject => ({
  accountId: IMAGING_ACCOUNT,
  type: 'AWS::KMS::Key',
  ARN: world.kmsKeyArn,
});

export function kmsDeniedMessage(principal: string, keyArn: string, action = 'kms:Decrypt'): string {
  return `User: ${principal} is not authorized to perform: ${action} on resource: ${keyArn} because no resource-based policy allows the ${action} action`;
}

/** The KMS call S3 makes for an SSE-KMS object: Decrypt on reads, GenerateDataKey on writes. */
function kmsForS3(
  world: World,
  rng: Rng,
  principal: Principal,
  ms: number,
  key: string,
  kind: 'Decrypt' | 'GenerateDataKey',
  denied: boolean,
): EmittedRecord {
  const arn = principalArn(principal);
  const base = {
    eventVersion: '1.11',
    userIdentity: userIdentity(principal, 's3.amazonaws.com'),
    eventTime: ms,
    eventSource: 'kms.amazonaws.com',
    eventName: kind,
    awsRegion: 'us-east-1',
    sourceIPAddress: 's3.amazonaws.com',
    userAgent: 's3.amazonaws.com',
    requestID: rng.uuid(),
    eventID: rng.uuid(),
    readOnly: true,
    managementEvent: true,
    recipientAccountId: IMAGING_ACCOUNT,
    eventCategory: 'Management' as const,
  };
  const record = denied
    ? cloudTrailRecord({
        ...base,
        errorCode: 'AccessDenied',
        errorMessage: kmsDeniedMessage(arn, world.kmsKeyArn),
        requestParameters: null,
        responseElements: null,
      })
    : cloudTrailRecord({
        ...base,
        requestParameters:
          kind === 'Decrypt'
            ? {
                encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
                keyId: world.kmsKeyArn,
                encryptionContext: { 'aws:s3:arn': objectArn(key) },
              }
            : { keyId: world.kmsKeyArn, encryptionContext: { 'aws:s3:arn': objectArn(key) }, keySpec: 'AES_256' },
        responseElements: null,
        resources: [kmsKeyResource(world)],
      });
  return { pair: 0, ms, record };
}

/**
 * One S3 object request. `ms` is the CloudTrail eventTime (request completed); the access log keeps
 * the time the request was received, never in an earlier clock hour.
 */
export function s3ObjectRequest(
  world: World,
  rng: Rng,
  r: {
    caller: Caller;
    op: S3Op;
    object: StoredObject;
    ms: number;
    /** 'kms': the key policy denies the caller (S3 403 plus a denied Decrypt); 'policy': S3 denies first. */
    deny?: 'kms' | 'policy' | null;
    /** The version a PutObject creates. */
    version?: ObjectVersion;
  },
): Emission {
  const { caller, op, object } = r;
  const version = r.version ?? object.versions[object.versions.length - 1]!;
  const size = version.size;
  const denied = Boolean(r.deny);
  const requestId = rng.upperHex(16);
  const hostId = rng.base64(56);
  const principal = principalArn(caller.principal);
  const throughput = (40 + rng.next() * 160) * 1024 * 1024;
  // Capped so the KMS call (made when the request arrives) stays within a minute of eventTime.
  const totalTime = denied
    ? rng.int(8, 40)
    : op === 'HeadObject'
      ? rng.int(4, 30)
      : Math.min(45_000 + rng.int(0, 999), Math.round((size / throughput) * 1000) + rng.int(15, 90));
  const turnAround = denied ? rng.int(4, 20) : op === 'PutObject' ? rng.int(20, 120) : rng.int(5, 60);
  const receivedMs = Math.max(r.ms - (r.ms % HOUR), r.ms - Math.floor(totalTime / 1000) * SECOND);
  const tls = tlsFor(rng, ARCHIVE_HOST);
  const service = caller.network === 'service' ? caller.invokedBy! : null;
  const bytesOut = op === 'GetObject' && !denied ? size : 0;
  const additional: JsonObject = {
    SignatureVersion: 'SigV4',
    CipherSuite: tls.cipherSuite,
    bytesTransferredIn: op === 'PutObject' && !denied ? size : 0,
  };
  if (op === 'PutObject' && !denied) additional.SSEApplied = 'SSE_KMS';
  additional.AuthenticationMethod = 'AuthHeader';
  additional['x-amz-id-2'] = hostId;
  additional.bytesTransferredOut = bytesOut;
  const requestParameters: JsonObject = { bucketName: ARCHIVE_BUCKET, Host: ARCHIVE_HOST, key: object.key };
  if (op === 'PutObject') {
    requestParameters['x-amz-server-side-encryption'] = 'aws:kms';
    requestParameters['x-amz-server-side-encryption-aws-kms-key-id'] = world.kmsKeyArn;
  }
  const records: EmittedRecord[] = [];
  let kms = -1;
  let kmsDenied: Emission['kmsDenied'] = null;
  if (r.deny === 'kms' || (!denied && op !== 'HeadObject')) {
    records.push(
      kmsForS3(world, rng, caller.principal, receivedMs, object.key, op === 'PutObject' ? 'GenerateDataKey' : 'Decrypt', r.deny === 'kms'),
    );
    // A refused Decrypt names neither key nor object in its request, so it cannot be tied to the request.
    if (r.deny === 'kms') kmsDenied = { index: 0, principal, keyArn: world.kmsKeyArn };
    else kms = 0;
  }
  records.push({
    pair: 0,
    ms: r.ms,
    record: cloudTrailRecord({
      eventVersion: '1.10',
      userIdentity: userIdentity(caller.principal, service ?? undefined),
      eventTime: r.ms,
      eventSource: 's3.amazonaws.com',
      eventName: op,
      awsRegion: 'us-east-1',
      sourceIPAddress: service ?? caller.ip,
      userAgent: service ?? `[${caller.userAgent}]`,
      ...(denied ? { errorCode: 'AccessDenied', errorMessage: 'Access Denied' } : {}),
      requestParameters,
      responseElements:
        op === 'PutObject' && !denied
          ? {
              'x-amz-server-side-encryption-aws-kms-key-id': world.kmsKeyArn,
              'x-amz-server-side-encryption': 'aws:kms',
              'x-amz-version-id': version.versionId,
            }
          : null,
      additionalEventData: additional,
      requestID: requestId,
      eventID: rng.uuid(),
      readOnly: op !== 'PutObject',
      resources: [
        { type: 'AWS::S3::Object', ARN: objectArn(object.key) },
        { accountId: IMAGING_ACCOUNT, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${ARCHIVE_BUCKET}` },
      ],
      managementEvent: false,
      recipientAccountId: IMAGING_ACCOUNT,
      ...(caller.network === 'vpce' ? { vpcEndpointId: world.vpceS3, vpcEndpointAccountId: IMAGING_ACCOUNT } : {}),
      eventCategory: 'Data',
      ...(service ? {} : { tlsDetails: tls }),
    }),
  });
  const primary = records.length - 1;
  const query = caller.sdk === 'js' && op !== 'HeadObject' ? `?x-id=${op}` : '';
  const text = accessLogLine(
    world.bucketOwnerId,
    ARCHIVE_BUCKET,
    {
      time: receivedMs,
      remoteIp: caller.ip,
      requester: principal,
      requestId,
      operation: OPERATION[op],
      key: object.key,
      requestUri: `${METHOD[op]} /${encodeURI(object.key)}${query} HTTP/1.1`,
      status: denied ? '403' : '200',
      errorCode: denied ? 'AccessDenied' : null,
      bytesSent: denied ? 243 : bytesOut,
      objectSize: denied ? null : size,
      totalTime,
      turnAround,
      userAgent: service ?? caller.userAgent,
      versionId: null,
      hostId,
      sigv: 'SigV4',
      cipher: tls.cipherSuite,
      auth: 'AuthHeader',
      host: ARCHIVE_HOST,
      tls: tls.tlsVersion,
      sourceRegion: caller.network === 'internet' ? null : 'us-east-1',
    },
    fieldCountFor(hashString(requestId)),
  );
  return {
    records,
    line: { ms: receivedMs, text, requestId },
    access: {
      principal,
      action: op,
      source: 's3',
      outcome: denied ? 'AccessDenied' : 'success',
      study: object.study,
      sourceIp: service ?? caller.ip,
      lineIp: caller.ip,
      primary,
      kms,
      requestId,
    },
    kmsDenied,
  };
}

/** Lifecycle transition lines (no CloudTrail event): requester AmazonS3, no client fields. */
export function lifecycleLine(world: World, rng: Rng, ms: number, operation: string, key: string, version: ObjectVersion) {
  const requestId = rng.upperHex(16);
  return {
    ms,
    requestId,
    text: accessLogLine(
      world.bucketOwnerId,
      ARCHIVE_BUCKET,
      {
        time: ms,
        remoteIp: '-',
        requester: 'AmazonS3',
        requestId,
        operation,
        key,
        requestUri: null,
        status: '-',
        errorCode: null,
        bytesSent: null,
        objectSize: version.size,
        totalTime: null,
        turnAround: null,
        userAgent: null,
        versionId: version.versionId,
        hostId: rng.base64(56),
        sigv: null,
        cipher: null,
        auth: null,
        host: null,
        tls: null,
        sourceRegion: null,
      },
      fieldCountFor(hashString(requestId)),
    ),
  };
}
