// AWS HealthImaging calls as CloudTrail records them (aws-formats.md §3): GetImageFrame and the
// DICOMweb retrievals are data events, the rest management events; every call carrying an
// imageSetId is an access to that study.
import { tlsFor } from './actions-s3';
import { cloudTrailRecord, principalArn, userIdentity, type JsonObject, type Principal } from './cloudtrail-record';
import type { Emission } from './emission';
import type { Rng } from './random';
import { isoMillis } from './time';
import { ARCHIVE_BUCKET, IMAGING_ACCOUNT, type Region, type Study, type World } from './world';

export type ImagingCaller = { principal: Principal; ip: string; userAgent: string; vpce: boolean };

export type ImagingRead = 'GetImageSetMetadata' | 'GetImageFrame' | 'GetDICOMInstance' | 'GetImageSet';
export type ImagingWrite = 'UpdateImageSetMetadata' | 'DeleteImageSet';

const DATA_EVENTS = new Set(['GetImageFrame', 'GetDICOMInstance']);

function host(eventName: string, region: Region): string {
  if (eventName === 'GetImageFrame' || eventName === 'GetImageSetMetadata') return `runtime-medical-imaging.${region}.amazonaws.com`;
  if (eventName.startsWith('GetDICOM')) return `dicom-medical-imaging.${region}.amazonaws.com`;
  return `medical-imaging.${region}.amazonaws.com`;
}

export const datastoreArn = (world: World, region: Region) =>
  `arn:aws:medical-imaging:${region}:${IMAGING_ACCOUNT}:datastore/${world.datastoreIds[region]}`;

export const imageSetArn = (world: World, study: Study) =>
  `${datastoreArn(world, 'us-east-1')}/imageset/${study.imageSetId}`;

export type DenyReason = 'identity' | 'explicit';

/** A call on one image set (the study's, in the primary datastore); denied when `deny` is set. */
export function imagingStudyCall(
  world: World,
  rng: Rng,
  r: { caller: ImagingCaller; study: Study; eventName: ImagingRead | ImagingWrite; ms: number; deny?: DenyReason | null },
): Emission {
  const { caller, study, eventName } = r;
  const datastoreId = world.datastoreIds['us-east-1'];
  let params: JsonObject = { datastoreId, imageSetId: study.imageSetId };
  if (eventName === 'GetImageFrame') {
    params.imageFrameInformation = { imageFrameId: rng.lowerAlnum(32) };
  } else if (eventName === 'GetDICOMInstance') {
    const [, , series, sop] = world.objects[rng.pick(study.objects)]!.key.split('/');
    params = {
      datastoreId,
      studyInstanceUID: study.uid,
      seriesInstanceUID: series!,
      sopInstanceUID: sop!.replace(/\.dcm$/, ''),
      imageSetId: study.imageSetId,
    };
  } else if (eventName === 'UpdateImageSetMetadata') {
    params.latestVersionId = '1';
    params.updateImageSetMetadataUpdates = 'HIDDEN_DUE_TO_SECURITY_REASONS';
  }
  const data = DATA_EVENTS.has(eventName);
  const principal = principalArn(caller.principal);
  const denied = Boolean(r.deny);
  const target = imageSetArn(world, study);
  const reason =
    r.deny === 'explicit' ? 'with an explicit deny in an identity-based policy' : `because no identity-based policy allows the medical-imaging:${eventName} action`;
  const record = cloudTrailRecord({
    eventVersion: '1.08',
    userIdentity: userIdentity(caller.principal),
    eventTime: r.ms,
    eventSource: 'medical-imaging.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: caller.ip,
    userAgent: caller.userAgent,
    ...(denied
      ? {
          errorCode: 'AccessDeniedException',
          errorMessage: `User: ${principal} is not authorized to perform: medical-imaging:${eventName} on resource: ${target} ${reason}`,
        }
      : {}),
    requestParameters: params,
    responseElements:
      eventName === 'DeleteImageSet' && !denied
        ? { datastoreId, imageSetId: study.imageSetId, imageSetState: 'LOCKED', imageSetWorkflowStatus: 'DELETING' }
        : null,
    requestID: rng.uuid(),
    eventID: rng.uuid(),
    readOnly: eventName.startsWith('Get'),
    ...(data
      ? {
          resources: [
            { accountId: IMAGING_ACCOUNT, type: 'AWS::MedicalImaging::Imageset', ARN: target },
            { accountId: IMAGING_ACCOUNT, type: 'AWS::MedicalImaging::Datastore', ARN: datastoreArn(world, 'us-east-1') },
          ],
        }
      : {}),
    managementEvent: !data,
    recipientAccountId: IMAGING_ACCOUNT,
    ...(caller.vpce ? { vpcEndpointId: world.vpceImaging, vpcEndpointAccountId: IMAGING_ACCOUNT } : {}),
    eventCategory: data ? 'Data' : 'Management',
    tlsDetails: tlsFor(rng, host(eventName, 'us-east-1')),
  });
  return {
    records: [{ pair: 0, ms: r.ms, record }],
    line: null,
    access: {
      principal,
      action: eventName,
      source: 'healthimaging',
      outcome: denied ? 'AccessDeniedException' : 'success',
      study: study.id,
      sourceIp: caller.ip,
      lineIp: caller.ip,
      primary: 0,
      kms: -1,
      requestId: null,
    },
    kmsDenied: null,
  };
}

/** HealthImaging decrypting image data with the customer key, under the caller's identity. */
export function imagingKmsCall(
  world: World,
  rng: Rng,
  r: { principal: Principal; ms: number; eventName: 'Decrypt' | 'GenerateDataKey' },
): Emission {
  const record = cloudTrailRecord({
    eventVersion: '1.08',
    userIdentity: userIdentity(r.principal, 'medical-imaging.amazonaws.com'),
    eventTime: r.ms,
    eventSource: 'kms.amazonaws.com',
    eventName: r.eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: 'medical-imaging.amazonaws.com',
    userAgent: 'medical-imaging.amazonaws.com',
    requestParameters:
      r.eventName === 'Decrypt'
        ? { encryptionAlgorithm: 'SYMMETRIC_DEFAULT', keyId: world.kmsKeyArn }
        : { keySpec: 'AES_256', keyId: world.kmsKeyArn },
    responseElements: null,
    requestID: rng.uuid(),
    eventID: rng.uuid(),
    readOnly: true,
    resources: [{ accountId: IMAGING_ACCOUNT, type: 'AWS::KMS::Key', ARN: world.kmsKeyArn }],
    managementEvent: true,
    recipientAccountId: IMAGING_ACCOUNT,
    eventCategory: 'Management',
  });
  return { records: [{ pair: 0, ms: r.ms, record }], line: null, access: null, kmsDenied: null };
}

/** StartDICOMImportJob and the GetDICOMImportJob polls that follow it (no imageSetId: not accesses). */
export function imagingImportJob(
  world: World,
  rng: Rng,
  r: { caller: ImagingCaller; study: Study; jobId: string; ms: number; polls: number[] },
): Emission {
  const datastoreId = world.datastoreIds['us-east-1'];
  const jobName = `ingest-${r.study.accession}`;
  const common = {
    eventVersion: '1.08',
    userIdentity: userIdentity(r.caller.principal),
    eventSource: 'medical-imaging.amazonaws.com',
    awsRegion: 'us-east-1',
    sourceIPAddress: r.caller.ip,
    userAgent: r.caller.userAgent,
    managementEvent: true,
    recipientAccountId: IMAGING_ACCOUNT,
    eventCategory: 'Management' as const,
    ...(r.caller.vpce ? { vpcEndpointId: world.vpceImaging, vpcEndpointAccountId: IMAGING_ACCOUNT } : {}),
  };
  const records = [
    {
      pair: 0 as const,
      ms: r.ms,
      record: cloudTrailRecord({
        ...common,
        eventTime: r.ms,
        eventName: 'StartDICOMImportJob',
        requestParameters: {
          jobName,
          datastoreId,
          dataAccessRoleArn: `arn:aws:iam::${IMAGING_ACCOUNT}:role/HealthImagingImportRole`,
          clientToken: rng.uuid(),
          inputS3Uri: `s3://${ARCHIVE_BUCKET}/studies/${r.study.uid}/`,
          outputS3Uri: `s3://custos-demo-imaging-import-results/${jobName}/`,
        },
        responseElements: { datastoreId, jobId: r.jobId, jobStatus: 'SUBMITTED', submittedAt: isoMillis(r.ms + rng.int(10, 900)) },
        requestID: rng.uuid(),
        eventID: rng.uuid(),
        readOnly: false,
        tlsDetails: tlsFor(rng, host('StartDICOMImportJob', 'us-east-1')),
      }),
    },
    ...r.polls.map((ms) => ({
      pair: 0 as const,
      ms,
      record: cloudTrailRecord({
        ...common,
        eventTime: ms,
        eventName: 'GetDICOMImportJob',
        requestParameters: { jobId: r.jobId, datastoreId },
        responseElements: null,
        requestID: rng.uuid(),
        eventID: rng.uuid(),
        readOnly: true,
        tlsDetails: tlsFor(rng, host('GetDICOMImportJob', 'us-east-1')),
      }),
    })),
  ];
  return { records, line: null, access: null, kmsDenied: null };
}
