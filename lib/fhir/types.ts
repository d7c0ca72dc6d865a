// The parts of FHIR R4 (4.0.1) that the AuditEvent export emits, typed as the JSON format writes
// them: optional elements are absent rather than null, and arrays are never empty.

export type Coding = {
  system?: string;
  version?: string;
  code?: string;
  display?: string;
};

export type CodeableConcept = {
  coding?: Coding[];
  text?: string;
};

export type Identifier = {
  use?: 'usual' | 'official' | 'temp' | 'secondary' | 'old';
  type?: CodeableConcept;
  system?: string;
  value?: string;
};

export type Reference = {
  reference?: string;
  type?: string;
  identifier?: Identifier;
  display?: string;
};

/** An extension: a value or nested extensions, never both (ext-1); the value types the export writes. */
export type Extension = { url: string } & (
  | { extension: Extension[] }
  | { valueCode: string }
  | { valueDate: string }
  | { valueInstant: string }
  | { valueUnsignedInt: number }
);

export type Meta = {
  extension?: Extension[];
  profile?: string[];
  security?: Coding[];
  tag?: Coding[];
};

/** http://hl7.org/fhir/ValueSet/audit-event-action (required binding). */
export type AuditEventAction = 'C' | 'R' | 'U' | 'D' | 'E';

/** http://hl7.org/fhir/ValueSet/audit-event-outcome (required binding). */
export type AuditEventOutcome = '0' | '4' | '8' | '12';

/** http://hl7.org/fhir/ValueSet/network-type (required binding). */
export type AuditEventNetworkType = '1' | '2' | '3' | '4' | '5';

export type AuditEventAgentNetwork = {
  address?: string;
  type?: AuditEventNetworkType;
};

export type AuditEventAgent = {
  type?: CodeableConcept;
  role?: CodeableConcept[];
  who?: Reference;
  altId?: string;
  name?: string;
  requestor: boolean;
  policy?: string[];
  network?: AuditEventAgentNetwork;
  purposeOfUse?: CodeableConcept[];
};

export type AuditEventSource = {
  site?: string;
  observer: Reference;
  type?: Coding[];
};

export type AuditEventEntityDetail =
  | { type: string; valueString: string; valueBase64Binary?: never }
  | { type: string; valueBase64Binary: string; valueString?: never };

export type AuditEventEntity = {
  what?: Reference;
  type?: Coding;
  role?: Coding;
  lifecycle?: Coding;
  securityLabel?: Coding[];
  name?: string;
  description?: string;
  query?: string;
  detail?: AuditEventEntityDetail[];
};

export type AuditEvent = {
  resourceType: 'AuditEvent';
  id?: string;
  meta?: Meta;
  type: Coding;
  subtype?: Coding[];
  action?: AuditEventAction;
  recorded: string;
  outcome?: AuditEventOutcome;
  outcomeDesc?: string;
  purposeOfEvent?: CodeableConcept[];
  agent: AuditEventAgent[];
  source: AuditEventSource;
  entity?: AuditEventEntity[];
};

export type BundleLink = {
  relation: string;
  url: string;
};

export type BundleEntry<R> = {
  fullUrl?: string;
  resource?: R;
};

export type Bundle<R> = {
  resourceType: 'Bundle';
  id?: string;
  meta?: Meta;
  identifier?: Identifier;
  type: 'document' | 'message' | 'transaction' | 'transaction-response' | 'batch' | 'batch-response' | 'history' | 'searchset' | 'collection';
  timestamp?: string;
  link?: BundleLink[];
  entry?: BundleEntry<R>[];
};
