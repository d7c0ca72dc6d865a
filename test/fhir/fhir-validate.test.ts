import { describe, expect, it } from 'vitest';
import { patientIdHash } from '@/lib/phi';
import { toAuditEvent, type AccessRecord, type BundleMeta } from '@/lib/fhir/audit-event';
import { toAuditEventBundle } from '@/lib/fhir/audit-event-bundle';
import { auditEventBundleSchema, auditEventSchema, r4AuditEventSchema } from '@/lib/fhir/validate';

// The validator must reject what FHIR R4 and the BALP patterns forbid; each case breaks one rule
// of an otherwise valid event and expects a rejection.

const MRN = 'MRN0077001';
const META: BundleMeta = { patientIdHash: patientIdHash(MRN, 'validate-key'), generatedAt: '2024-06-01T00:00:00Z', runId: 'run-v' };
const ROW: AccessRecord = {
  event_time: '2024-05-31T23:59:59Z',
  principal: 'arn:aws:sts::111122223333:assumed-role/Viewer/tech@hospital.example',
  federated_user: 'tech@hospital.example',
  role: 'Viewer',
  action: 'GetObject',
  source: 's3',
  study_instance_uid: '1.2.3.4.5',
  accession_number: 'A1',
  modality: 'CT',
  source_ip: '192.0.2.10',
  user_agent: 'viewer/1.0',
  outcome: 'success',
  sources: 'cloudtrail,s3_access_log',
  request_id: 'REQ1',
  event_id: 'EVT1',
};

type Path = ReadonlyArray<string | number>;
type Break = (json: unknown) => void;

function container(root: unknown, path: Path): Record<string | number, unknown> {
  let node = root;
  for (const key of path) node = (node as Record<string | number, unknown>)[key];
  if (typeof node !== 'object' || node === null) throw new Error(`no container at ${path.join('.')}`);
  return node as Record<string | number, unknown>;
}
const get = (root: unknown, path: Path): unknown => container(root, path.slice(0, -1))[path.at(-1)!];
const put = (path: Path, value: unknown): Break => (root) => {
  container(root, path.slice(0, -1))[path.at(-1)!] = value;
};
const remove = (path: Path): Break => (root) => {
  const parent = container(root, path.slice(0, -1));
  if (Array.isArray(parent)) parent.splice(Number(path.at(-1)), 1);
  else delete parent[path.at(-1)!];
};
const copy = (from: Path, to: Path): Break => (root) => put(to, structuredClone(get(root, from)))(root);
const swap = (a: Path, b: Path): Break => (root) => {
  const first = get(root, a);
  put(a, get(root, b))(root);
  put(b, first)(root);
};

const fresh = (row: Partial<AccessRecord> = {}): unknown => JSON.parse(JSON.stringify(toAuditEvent({ ...ROW, ...row }, META)));
const rules = { requirePatient: true, forbiddenText: [MRN] };
const accepts = (event: unknown) => auditEventSchema(rules).safeParse(event).success;

describe('the AuditEvent validator', () => {
  it('accepts the exported event', () => {
    expect(accepts(fresh())).toBe(true);
    expect(r4AuditEventSchema.safeParse(fresh()).success).toBe(true);
  });

  const R4_BREAKS: Array<[string, Break]> = [
    ['type missing (1..1)', remove(['type'])],
    ['recorded missing (1..1)', remove(['recorded'])],
    ['recorded without a time zone', put(['recorded'], '2024-05-31T23:59:59')],
    ['recorded without seconds', put(['recorded'], '2024-05-31T23:59Z')],
    ['no agent (1..*)', put(['agent'], [])],
    ['agent.requestor missing (1..1)', remove(['agent', 1, 'requestor'])],
    ['source missing (1..1)', remove(['source'])],
    ['source.observer missing (1..1)', remove(['source', 'observer'])],
    ['action outside the required value set', put(['action'], 'X')],
    ['outcome outside the required value set', put(['outcome'], '1')],
    ['network.type outside the required value set', put(['agent', 1, 'network', 'type'], '6')],
    ['id longer than 64 characters', put(['id'], 'a'.repeat(65))],
    ['id with characters outside [A-Za-z0-9-.]', put(['id'], 'abc_def')],
    ['a null value', put(['outcomeDesc'], null)],
    ['an empty string', put(['agent', 0, 'name'], '')],
    ['an empty array', put(['subtype'], [])],
    ['an element without content', put(['agent', 0, 'who'], {})],
    ['an unknown element', put(['outcomeDescription'], 'x')],
    ['entity with both name and query (sev-1)', (e) => [put(['entity', 1, 'name'], 'n'), put(['entity', 1, 'query'], 'cXVlcnk=')].forEach((f) => f(e))],
    ['detail without a value', remove(['entity', 1, 'detail', 0, 'valueString'])],
    ['an entity type code the system does not define', put(['entity', 1, 'type', 'code'], '9')],
    ['a source type code the system does not define', put(['source', 'type', 0, 'code'], '10')],
  ];

  it.each(R4_BREAKS)('rejects R4 violations: %s', (_name, breakIt) => {
    const event = fresh();
    breakIt(event);
    expect(accepts(event)).toBe(false);
  });

  const BALP_BREAKS: Array<[string, Break]> = [
    ['type other than rest', put(['type'], { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110103' })],
    ['no restful-interaction subtype', remove(['subtype', 0])],
    ['no outcome', remove(['outcome'])],
    ['a failure without outcomeDesc', put(['outcome'], '4')],
    ['two requestors', put(['agent', 1, 'requestor'], true)],
    ['no requestor', put(['agent', 0, 'requestor'], false)],
    ['a user agent with a network', put(['agent', 0, 'network'], { address: '192.0.2.10', type: '2' })],
    ['a user agent typed as author on a read', put(['agent', 0, 'type', 'coding', 0, 'code'], 'AUT')],
    ['client and server roles swapped on a read', swap(['agent', 1, 'type'], ['agent', 2, 'type'])],
    ['a server agent without network', remove(['agent', 2, 'network'])],
    ['an observer that is not an AWS log', put(['source', 'observer'], { display: 'somewhere' })],
    ['no patient entity', remove(['entity', 0])],
    ['two patient entities', copy(['entity', 0], ['entity', 3])],
    ['a patient with role other than 1', put(['entity', 0, 'role', 'code'], '3')],
    ['a patient named by MRN', put(['entity', 0, 'what', 'identifier', 'value'], MRN)],
    ['a patient named in another identifier system', put(['entity', 0, 'what', 'identifier', 'system'], 'urn:oid:1.2.3')],
    ['a patient entity with details', put(['entity', 0, 'detail'], [{ type: 'note', valueString: 'x' }])],
    ['an MRN anywhere in the event', put(['agent', 1, 'who', 'display'], `viewer for ${MRN}`)],
    ['a study without urn:oid value', put(['entity', 1, 'what', 'identifier', 'value'], '1.2.3.4.5')],
    ['a study with a role outside RestObjectRoles', put(['entity', 1, 'role', 'code'], '1')],
    ['a request entity without identifier value', remove(['entity', 2, 'what', 'identifier', 'value'])],
  ];

  it.each(BALP_BREAKS)('rejects departures from BALP and Custos rules: %s', (_name, breakIt) => {
    const event = fresh();
    breakIt(event);
    expect(accepts(event)).toBe(false);
  });

  it('accepts the BALP direction of each access kind', () => {
    for (const action of ['PutObject', 'DeleteObject', 'GetObject']) expect(accepts(fresh({ action }))).toBe(true);
    const del = fresh({ action: 'DeleteObject' });
    put(['agent', 1, 'type', 'coding', 0, 'code'], '110153')(del);
    expect(accepts(del)).toBe(false);
  });
});

describe('the Bundle validator', () => {
  const bundle = (): unknown => JSON.parse(JSON.stringify(toAuditEventBundle([ROW, { ...ROW, request_id: 'REQ2', event_id: 'EVT2' }], META)));
  const acceptsBundle = (b: unknown) => auditEventBundleSchema(rules).safeParse(b).success;

  it('accepts the exported bundle', () => {
    expect(acceptsBundle(bundle())).toBe(true);
  });

  const BREAKS: Array<[string, Break]> = [
    ['type other than collection', put(['type'], 'searchset')],
    ['timestamp without zone', put(['timestamp'], '2024-06-01T00:00:00')],
    ['fullUrl not a urn:uuid', (b) => put(['entry', 0, 'fullUrl'], `https://example.org/AuditEvent/${String(get(b, ['entry', 0, 'resource', 'id']))}`)(b)],
    ['fullUrl not matching the resource id', copy(['entry', 1, 'fullUrl'], ['entry', 0, 'fullUrl'])],
    ['duplicate fullUrl (bdl-7)', copy(['entry', 0], ['entry', 1])],
    ['a total on a collection (bdl-1)', put(['total'], 2)],
    ['an entry.request on a collection (bdl-3)', put(['entry', 0, 'request'], { method: 'PUT', url: 'AuditEvent' })],
    ['an empty entry array', put(['entry'], [])],
    ['an invalid event inside', remove(['entry', 1, 'resource', 'recorded'])],
  ];

  it.each(BREAKS)('rejects %s', (_name, breakIt) => {
    const b = bundle();
    breakIt(b);
    expect(acceptsBundle(b)).toBe(false);
  });
});
