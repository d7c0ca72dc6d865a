// One CloudTrail record, with its fields in the order the CloudTrail record-contents reference lists
// them (aws-formats.md §1.2), and the userIdentity shapes of §1.3.
import type { IamUser, RoleInfo } from './world';
import { isoSecond } from './time';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export type Principal =
  | {
      kind: 'role';
      role: RoleInfo;
      session: string;
      accessKeyId: string;
      /** Session credentials' creation time (epoch ms). */
      sessionStart: number;
    }
  | { kind: 'user'; user: IamUser; console: null | { accessKeyId: string; sessionStart: number } }
  | { kind: 'service'; service: string };

export function principalArn(p: Principal): string {
  switch (p.kind) {
    case 'role':
      return `arn:aws:sts::${p.role.account}:assumed-role/${p.role.name}/${p.session}`;
    case 'user':
      return `arn:aws:iam::${p.user.account}:user/${p.user.name}`;
    case 'service':
      return p.service;
  }
}

export function roleArn(role: RoleInfo): string {
  return `arn:aws:iam::${role.account}:role/${role.name}`;
}

const identities = new WeakMap<Principal, Map<string, JsonObject>>();

/** The userIdentity block; records of one session share one (never mutated) object. */
export function userIdentity(p: Principal, invokedBy?: string): JsonObject {
  let byService = identities.get(p);
  if (!byService) identities.set(p, (byService = new Map()));
  let id = byService.get(invokedBy ?? '');
  if (!id) byService.set(invokedBy ?? '', (id = buildUserIdentity(p, invokedBy)));
  return id;
}

function buildUserIdentity(p: Principal, invokedBy?: string): JsonObject {
  switch (p.kind) {
    case 'role': {
      const id: JsonObject = {
        type: 'AssumedRole',
        principalId: `${p.role.id}:${p.session}`,
        arn: principalArn(p),
        accountId: p.role.account,
        accessKeyId: p.accessKeyId,
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            principalId: p.role.id,
            arn: roleArn(p.role),
            accountId: p.role.account,
            userName: p.role.name,
          },
          webIdFederationData: {},
          attributes: { creationDate: isoSecond(p.sessionStart), mfaAuthenticated: 'false' },
        },
      };
      if (invokedBy) id.invokedBy = invokedBy;
      return id;
    }
    case 'user': {
      const id: JsonObject = {
        type: 'IAMUser',
        principalId: p.user.id,
        arn: principalArn(p),
        accountId: p.user.account,
        accessKeyId: p.console ? p.console.accessKeyId : p.user.accessKeyId,
        userName: p.user.name,
      };
      if (p.console) {
        id.sessionContext = {
          sessionIssuer: {},
          webIdFederationData: {},
          attributes: { creationDate: isoSecond(p.console.sessionStart), mfaAuthenticated: 'true' },
        };
      }
      if (invokedBy) id.invokedBy = invokedBy;
      return id;
    }
    case 'service':
      return { type: 'AWSService', invokedBy: p.service };
  }
}

export type TlsDetails = {
  tlsVersion: 'TLSv1.2' | 'TLSv1.3';
  cipherSuite: string;
  clientProvidedHostHeader: string;
  keyExchange?: string;
};

export type RecordSpec = {
  eventVersion: string;
  userIdentity: JsonObject;
  eventTime: number;
  eventSource: string;
  eventName: string;
  awsRegion: string;
  sourceIPAddress: string;
  userAgent?: string;
  errorCode?: string;
  errorMessage?: string;
  requestParameters: Json;
  responseElements: Json;
  additionalEventData?: JsonObject;
  requestID?: string;
  eventID: string;
  readOnly?: boolean;
  resources?: JsonObject[];
  eventType?: 'AwsApiCall' | 'AwsServiceEvent' | 'AwsConsoleAction' | 'AwsConsoleSignIn';
  apiVersion?: string;
  managementEvent: boolean;
  recipientAccountId: string;
  sharedEventID?: string;
  vpcEndpointId?: string;
  vpcEndpointAccountId?: string;
  eventCategory: 'Management' | 'Data';
  tlsDetails?: TlsDetails;
  sessionCredentialFromConsole?: boolean;
};

const minor = (version: string) => Number(version.split('.')[1]);

/** Builds the record object; optional fields are omitted when absent or too new for eventVersion. */
export function cloudTrailRecord(s: RecordSpec): JsonObject {
  const r: JsonObject = {
    eventVersion: s.eventVersion,
    userIdentity: s.userIdentity,
    eventTime: isoSecond(s.eventTime),
    eventSource: s.eventSource,
    eventName: s.eventName,
    awsRegion: s.awsRegion,
    sourceIPAddress: s.sourceIPAddress,
  };
  if (s.userAgent !== undefined) r.userAgent = s.userAgent;
  if (s.errorCode !== undefined) r.errorCode = s.errorCode;
  if (s.errorMessage !== undefined) r.errorMessage = s.errorMessage;
  r.requestParameters = s.requestParameters;
  r.responseElements = s.responseElements;
  if (s.additionalEventData !== undefined) r.additionalEventData = s.additionalEventData;
  if (s.requestID !== undefined) r.requestID = s.requestID;
  r.eventID = s.eventID;
  if (s.readOnly !== undefined) r.readOnly = s.readOnly;
  if (s.resources !== undefined) r.resources = s.resources;
  r.eventType = s.eventType ?? 'AwsApiCall';
  if (s.apiVersion !== undefined) r.apiVersion = s.apiVersion;
  r.managementEvent = s.managementEvent;
  r.recipientAccountId = s.recipientAccountId;
  if (s.sharedEventID !== undefined) r.sharedEventID = s.sharedEventID;
  if (s.vpcEndpointId !== undefined) {
    r.vpcEndpointId = s.vpcEndpointId;
    if (s.vpcEndpointAccountId !== undefined && minor(s.eventVersion) >= 9) r.vpcEndpointAccountId = s.vpcEndpointAccountId;
  }
  r.eventCategory = s.eventCategory;
  if (s.tlsDetails !== undefined) {
    const t: JsonObject = {
      tlsVersion: s.tlsDetails.tlsVersion,
      cipherSuite: s.tlsDetails.cipherSuite,
      clientProvidedHostHeader: s.tlsDetails.clientProvidedHostHeader,
    };
    if (s.tlsDetails.keyExchange !== undefined && minor(s.eventVersion) >= 11) t.keyExchange = s.tlsDetails.keyExchange;
    r.tlsDetails = t;
  }
  if (s.sessionCredentialFromConsole) r.sessionCredentialFromConsole = 'true';
  return r;
}
