// What an AWS API action did to the object, in AuditEvent terms: the R4 action code and the
// FHIR restful-interaction that BALP uses as subtype for the same kind of REST request.
import { INTERACTION } from './codes';
import type { AuditEventAction, Coding } from './types';

export type AccessKind = { action: AuditEventAction; interaction: Coding };

const read: AccessKind = { action: 'R', interaction: INTERACTION.read };
const history: AccessKind = { action: 'R', interaction: INTERACTION.historyInstance };
const search: AccessKind = { action: 'E', interaction: INTERACTION.searchType };
const create: AccessKind = { action: 'C', interaction: INTERACTION.create };
const update: AccessKind = { action: 'U', interaction: INTERACTION.update };
const remove: AccessKind = { action: 'D', interaction: INTERACTION.delete };
const execute: AccessKind = { action: 'E', interaction: INTERACTION.operation };

const KNOWN: Readonly<Record<string, AccessKind>> = {
  // S3 object requests (CloudTrail eventName, or the access log operation mapped by the query).
  GetObject: read,
  HeadObject: read,
  PutObject: create,
  CopyObject: create,
  DeleteObject: remove,
  DeleteObjects: remove,
  // HealthImaging native API and DICOMweb.
  GetImageSet: read,
  GetImageSetMetadata: read,
  GetImageFrame: read,
  GetDICOMInstance: read,
  GetDICOMInstanceMetadata: read,
  GetDICOMInstanceFrames: read,
  GetDICOMSeriesMetadata: read,
  GetDICOMBulkdata: read,
  ListImageSetVersions: history,
  SearchImageSets: search,
  SearchDICOMStudies: search,
  SearchDICOMSeries: search,
  SearchDICOMInstances: search,
  CopyImageSet: create,
  StoreDICOM: create,
  StoreDICOMStudy: create,
  StartDICOMImportJob: create,
  UpdateImageSetMetadata: update,
  DeleteImageSet: remove,
};

const BY_VERB: ReadonlyArray<[RegExp, AccessKind]> = [
  [/^Put\w*(Tagging|Acl|Retention|LegalHold)$/, update],
  [/^(Get|Head|Describe|Retrieve|Select)/, read],
  [/^(Search|List|Query)/, search],
  [/^(Put|Create|Copy|Store|Start|Import|Upload|Complete|Restore)/, create],
  [/^(Update|Modify|Patch|Tag|Untag)/, update],
  [/^(Delete|Remove)/, remove],
];

/** The access kind of an API action name such as `GetImageFrame` or `PutObject`. */
export function accessKind(apiAction: string): AccessKind {
  const known = KNOWN[apiAction];
  if (known) return known;
  for (const [verb, kind] of BY_VERB) if (verb.test(apiAction)) return kind;
  return execute;
}
