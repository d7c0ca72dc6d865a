// Structural validation of the export without a network validator: the FHIR R4 AuditEvent and
// Bundle rules the export relies on (cardinalities, required bindings, primitive formats, JSON
// rules), then the IHE BALP patterns and Custos privacy rules it follows.
import { z } from 'zod';
import {
  AGENT_TYPE,
  DEFINED_CODES,
  ENTITY_ROLE,
  ENTITY_TYPE,
  EVENT_TYPE_REST,
  IDENTIFIER_SYSTEM,
  REQUIRED_CODES,
  SYSTEM,
} from './codes';
import { FHIR_INSTANT } from './instant';
import type { AuditEvent, AuditEventAgent, AuditEventEntity, Coding } from './types';

const fhirString = z.string().regex(/\S/, 'FHIR strings hold non-whitespace content');
const code = z.string().regex(/^[^\s]+( [^\s]+)*$/, 'not a FHIR code');
const uri = z.string().regex(/^\S+$/, 'not a FHIR uri');
const fhirId = z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, 'not a FHIR id');
const instant = z.string().regex(FHIR_INSTANT, 'not a FHIR instant (date-time to the second with a time zone)');
const base64 = z.string().regex(/^(\s*([0-9a-zA-Z+/=]){4}\s*)+$/, 'not base64');
const UUID_URN = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const coding = z
  .strictObject({ system: uri.optional(), version: fhirString.optional(), code: code.optional(), display: fhirString.optional() })
  .superRefine((c, ctx) => {
    const defined = c.system === undefined ? undefined : DEFINED_CODES[c.system];
    if (defined && (c.code === undefined || !defined.includes(c.code))) {
      ctx.addIssue({ code: 'custom', message: `code ${c.code ?? '(none)'} is not defined by ${c.system}` });
    }
  });

const codeableConcept = z.strictObject({ coding: z.array(coding).min(1).optional(), text: fhirString.optional() });

const identifier = z.strictObject({
  use: z.enum(['usual', 'official', 'temp', 'secondary', 'old']).optional(),
  type: codeableConcept.optional(),
  system: uri.optional(),
  value: fhirString.optional(),
});

const reference = z.strictObject({
  reference: fhirString.optional(),
  type: uri.optional(),
  identifier: identifier.optional(),
  display: fhirString.optional(),
});

const fhirDate = z.string().regex(/^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/, 'not a FHIR date');

type ExtensionShape = {
  url: string;
  extension?: ExtensionShape[];
  valueCode?: string;
  valueDate?: string;
  valueInstant?: string;
  valueUnsignedInt?: number;
};

const VALUE_KEYS = ['valueCode', 'valueDate', 'valueInstant', 'valueUnsignedInt'] as const;

const extension: z.ZodType<ExtensionShape> = z.lazy(() =>
  z
    .strictObject({
      url: uri,
      extension: z.array(extension).min(1).optional(),
      valueCode: code.optional(),
      valueDate: fhirDate.optional(),
      valueInstant: instant.optional(),
      valueUnsignedInt: z.number().int().min(0).optional(),
    })
    .superRefine((e, ctx) => {
      const values = VALUE_KEYS.filter((k) => e[k] !== undefined).length;
      if ((e.extension === undefined) === (values === 0) || values > 1) {
        ctx.addIssue({ code: 'custom', message: 'ext-1: an extension has either nested extensions or one value, not both' });
      }
    }),
);

const meta = z.strictObject({
  extension: z.array(extension).min(1).optional(),
  profile: z.array(uri).min(1).optional(),
  security: z.array(coding).min(1).optional(),
  tag: z.array(coding).min(1).optional(),
});

const agent = z.strictObject({
  type: codeableConcept.optional(),
  role: z.array(codeableConcept).min(1).optional(),
  who: reference.optional(),
  altId: fhirString.optional(),
  name: fhirString.optional(),
  requestor: z.boolean(),
  policy: z.array(uri).min(1).optional(),
  network: z
    .strictObject({ address: fhirString.optional(), type: z.enum(REQUIRED_CODES.networkType).optional() })
    .optional(),
  purposeOfUse: z.array(codeableConcept).min(1).optional(),
});

const entityDetail = z
  .strictObject({ type: fhirString, valueString: fhirString.optional(), valueBase64Binary: base64.optional() })
  .refine((d) => (d.valueString === undefined) !== (d.valueBase64Binary === undefined), 'detail.value[x] is 1..1');

const entity = z
  .strictObject({
    what: reference.optional(),
    type: coding.optional(),
    role: coding.optional(),
    lifecycle: coding.optional(),
    securityLabel: z.array(coding).min(1).optional(),
    name: fhirString.optional(),
    description: fhirString.optional(),
    query: base64.optional(),
    detail: z.array(entityDetail).min(1).optional(),
  })
  .refine((e) => !(e.name !== undefined && e.query !== undefined), 'sev-1: either a name or a query (NOT both)');

/** AuditEvent as FHIR R4 defines it (the elements the export uses; others are rejected). */
export const r4AuditEventSchema = z.strictObject({
  resourceType: z.literal('AuditEvent'),
  id: fhirId.optional(),
  meta: meta.optional(),
  type: coding,
  subtype: z.array(coding).min(1).optional(),
  action: z.enum(REQUIRED_CODES.action).optional(),
  recorded: instant,
  outcome: z.enum(REQUIRED_CODES.outcome).optional(),
  outcomeDesc: fhirString.optional(),
  purposeOfEvent: z.array(codeableConcept).min(1).optional(),
  agent: z.array(agent).min(1),
  source: z.strictObject({
    site: fhirString.optional(),
    observer: reference,
    type: z.array(coding).min(1).optional(),
  }),
  entity: z.array(entity).min(1).optional(),
});

type Issue = { path: (string | number)[]; message: string };

/** ele-1 and the JSON format: no nulls, no empty strings, arrays or objects anywhere. */
function jsonRuleIssues(value: unknown, path: (string | number)[] = []): Issue[] {
  if (value === null) return [{ path, message: 'null is not allowed in FHIR JSON' }];
  if (typeof value === 'string') return value.trim() === '' ? [{ path, message: 'empty string' }] : [];
  if (Array.isArray(value)) {
    if (value.length === 0) return [{ path, message: 'empty array' }];
    return value.flatMap((v, i) => jsonRuleIssues(v, [...path, i]));
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return [{ path, message: 'element without value or children (ele-1)' }];
    return entries.flatMap(([k, v]) => jsonRuleIssues(v, [...path, k]));
  }
  return [];
}

const sameCoding = (a: Coding | undefined, b: Coding) => a?.system === b.system && a?.code === b.code;
const hasType = (a: AuditEventAgent, type: Coding) => a.type?.coding?.some((c) => sameCoding(c, type)) ?? false;

// BALP's client/server Role IDs follow the data: reads send it from server to client, creates
// and updates from client to server; deletes pair an Application with a Custodian.
const DIRECTION: Record<string, { user: Coding[]; client: Coding; server: Coding }> = {
  R: { user: [AGENT_TYPE.informationRecipient], client: AGENT_TYPE.destinationRole, server: AGENT_TYPE.sourceRole },
  E: { user: [AGENT_TYPE.informationRecipient], client: AGENT_TYPE.destinationRole, server: AGENT_TYPE.sourceRole },
  C: { user: [AGENT_TYPE.author], client: AGENT_TYPE.sourceRole, server: AGENT_TYPE.destinationRole },
  U: { user: [AGENT_TYPE.author], client: AGENT_TYPE.sourceRole, server: AGENT_TYPE.destinationRole },
  D: { user: [AGENT_TYPE.author], client: AGENT_TYPE.application, server: AGENT_TYPE.custodian },
};

const isPatient = (e: AuditEventEntity) => sameCoding(e.role, ENTITY_ROLE.patient) || sameCoding(e.type, ENTITY_TYPE.person);

export type AuditEventRules = {
  /** Every event must name the patient (runs about one patient, or rows that carry the hash). */
  requirePatient?: boolean;
  /** Text that must appear nowhere in the resource, e.g. the MRN the run was asked about. */
  forbiddenText?: string[];
};

function balpIssues(event: AuditEvent, rules: AuditEventRules): Issue[] {
  const issues: Issue[] = [];
  const add = (path: (string | number)[], message: string) => issues.push({ path, message });

  if (event.id === undefined) add(['id'], 'exported events carry a deterministic id');
  if (!sameCoding(event.type, EVENT_TYPE_REST)) add(['type'], 'BALP REST events are audit-event-type#rest');
  if (!event.subtype?.some((c) => c.system === SYSTEM.restfulInteraction)) {
    add(['subtype'], 'BALP REST events carry a restful-interaction subtype');
  }
  if (event.action === undefined) add(['action'], 'action is required by BALP');
  if (event.outcome === undefined) add(['outcome'], 'outcome is required by BALP');
  else if (event.outcome !== '0' && event.outcomeDesc === undefined) add(['outcomeDesc'], 'a failure carries outcomeDesc');

  const direction = event.action === undefined ? undefined : DIRECTION[event.action];
  const requestors = event.agent.filter((a) => a.requestor);
  if (requestors.length !== 1) add(['agent'], 'exactly one agent is the requestor');
  const user = requestors[0];
  if (user) {
    if (direction && !direction.user.some((t) => hasType(user, t))) add(['agent'], 'user agent type does not fit the action (BALP)');
    if (user.who === undefined) add(['agent'], 'user agent.who is 1..1 (BALP)');
    if (user.network !== undefined) add(['agent'], 'user agent has no network (BALP: users are not network devices)');
  }
  if (direction) {
    for (const [slice, type] of [['client', direction.client], ['server', direction.server]] as const) {
      const matches = event.agent.filter((a) => !a.requestor && hasType(a, type));
      if (matches.length !== 1) add(['agent'], `exactly one ${slice} agent of type ${type.code} (BALP)`);
      else if (matches[0]!.who === undefined) add(['agent'], `${slice} agent.who is 1..1 (BALP)`);
    }
    const server = event.agent.find((a) => !a.requestor && hasType(a, direction.server));
    if (server && (server.network?.address === undefined || server.network.type === undefined)) {
      add(['agent'], 'server agent.network is 1..1 (BALP)');
    }
    if (server && server.who?.identifier?.system !== IDENTIFIER_SYSTEM.awsService) {
      add(['agent'], 'the server agent is the AWS service that handled the request');
    }
    const client = event.agent.find((a) => !a.requestor && hasType(a, direction.client));
    if (client?.who?.identifier?.system === IDENTIFIER_SYSTEM.awsService) {
      add(['agent'], 'the client agent is the caller, not the AWS service');
    }
  }

  const observer = event.source.observer.identifier;
  if (observer?.system !== IDENTIFIER_SYSTEM.auditLog || observer.value === undefined) {
    add(['source', 'observer'], 'source.observer names the AWS log that recorded the request');
  }

  const entities = event.entity ?? [];
  const patients = entities.filter(isPatient);
  if (patients.length > 1) add(['entity'], 'at most one patient entity');
  if (rules.requirePatient && patients.length === 0) add(['entity'], 'the patient entity is required');
  for (const p of patients) {
    if (!sameCoding(p.type, ENTITY_TYPE.person) || !sameCoding(p.role, ENTITY_ROLE.patient)) {
      add(['entity'], 'the patient entity is type 1 Person with role 1 Patient (BALP)');
    }
    const id = p.what?.identifier;
    if (p.what?.type !== 'Patient') add(['entity'], 'patient entity.what refers to a Patient (BALP)');
    if (id?.system !== IDENTIFIER_SYSTEM.patientIdHash || !/^[0-9a-f]{64}$/.test(id.value ?? '')) {
      add(['entity'], 'the patient is named only by its catalog HMAC, never by MRN');
    }
    if (p.detail !== undefined || p.name !== undefined || p.description !== undefined) {
      add(['entity'], 'the patient entity carries nothing but the HMAC');
    }
  }
  const studies = entities.filter((e) => sameCoding(e.type, ENTITY_TYPE.systemObject));
  if (studies.length > 1) add(['entity'], 'at most one data entity (BALP)');
  for (const s of studies) {
    if (!['3', '4', '20'].includes(s.role?.code ?? '') || s.role?.system !== SYSTEM.objectRole) {
      add(['entity'], 'data entity role is from BALP RestObjectRoles');
    }
    const id = s.what?.identifier;
    if (id?.system !== IDENTIFIER_SYSTEM.dicomUid || !/^urn:oid:[0-9]+(\.[0-9]+)*$/.test(id.value ?? '')) {
      add(['entity'], 'the study is identified by urn:dicom:uid urn:oid:<Study Instance UID>');
    }
  }
  const requests = entities.filter((e) => sameCoding(e.type, ENTITY_TYPE.requestId));
  if (requests.length > 1) add(['entity'], 'at most one transaction entity (BALP)');
  if (requests.some((r) => r.what?.identifier?.value === undefined)) {
    add(['entity'], 'transaction entity.what.identifier.value is 1..1 (BALP)');
  }

  if (rules.forbiddenText?.length) {
    const text = JSON.stringify(event);
    for (const forbidden of rules.forbiddenText) {
      if (forbidden !== '' && text.includes(forbidden)) add([], 'forbidden text (e.g. an MRN) appears in the event');
    }
  }
  return issues;
}

/** R4 AuditEvent plus the BALP patterns and privacy rules of the Custos export. */
export function auditEventSchema(rules: AuditEventRules = {}) {
  return r4AuditEventSchema.superRefine((event, ctx) => {
    for (const issue of [...jsonRuleIssues(event), ...balpIssues(event as AuditEvent, rules)]) {
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    }
  });
}

/** R4 Bundle of type collection holding export AuditEvents. */
export function auditEventBundleSchema(rules: AuditEventRules = {}) {
  return z
    .strictObject({
      resourceType: z.literal('Bundle'),
      id: fhirId,
      meta: meta.optional(),
      identifier: identifier.optional(),
      type: z.literal('collection'),
      timestamp: instant,
      link: z.array(z.strictObject({ relation: fhirString, url: uri })).min(1).optional(),
      entry: z
        .array(z.strictObject({ fullUrl: z.string().regex(UUID_URN, 'fullUrl is urn:uuid:<uuid>'), resource: auditEventSchema(rules) }))
        .min(1)
        .optional(),
    })
    .superRefine((bundle, ctx) => {
      for (const issue of jsonRuleIssues(bundle)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
      const seen = new Set<string>();
      bundle.entry?.forEach((e, i) => {
        if (seen.has(e.fullUrl)) ctx.addIssue({ code: 'custom', path: ['entry', i, 'fullUrl'], message: 'bdl-7: fullUrl must be unique' });
        seen.add(e.fullUrl);
        if (e.fullUrl !== `urn:uuid:${e.resource.id}`) {
          ctx.addIssue({ code: 'custom', path: ['entry', i, 'fullUrl'], message: 'fullUrl is urn:uuid:<resource id>' });
        }
      });
    });
}
