// The rows of an access run as a FHIR R4 Bundle (type collection) of AuditEvents, whole or as
// streamed JSON text; both give the same bytes for the same rows and meta.
import { createHash } from 'node:crypto';
import { IDENTIFIER_SYSTEM } from './codes';
import { idFromParts } from './deterministic-id';
import { toFhirInstant } from './instant';
import { toAuditEvent, type AccessRecord, type BundleMeta } from './audit-event';
import { logCoverageExtension } from './log-coverage';
import type { AuditEvent, Bundle, BundleEntry } from './types';

export { toAuditEvent, type AccessRecord, type BundleMeta } from './audit-event';
export type { AuditEvent, Bundle } from './types';

/** Streamed text is handed on in pieces of about this many characters. */
const CHUNK_CHARS = 64 * 1024;

type BundleHeader = Omit<Bundle<AuditEvent>, 'entry'>;

function bundleHeader(meta: BundleMeta): BundleHeader {
  const timestamp = toFhirInstant(meta.generatedAt);
  if (!timestamp) throw new Error('generatedAt is not a date-time with seconds');
  if (meta.runId.trim() === '') throw new Error('runId is empty');
  const header: BundleHeader = {
    resourceType: 'Bundle',
    id: idFromParts(['Bundle', meta.runId]),
    ...(meta.coverage ? { meta: { extension: [logCoverageExtension(meta.coverage)] } } : {}),
    identifier: { system: IDENTIFIER_SYSTEM.runId, value: meta.runId },
    type: 'collection',
    timestamp,
  };
  if (meta.portalUrl !== undefined && meta.portalUrl.trim() !== '') {
    const run = new URL(`audit/runs/${encodeURIComponent(meta.runId)}`, meta.portalUrl.replace(/\/*$/, '/'));
    header.link = [{ relation: 'related', url: run.href }];
  }
  return header;
}

function entryOf(event: AuditEvent): BundleEntry<AuditEvent> {
  return { fullUrl: `urn:uuid:${event.id}`, resource: event };
}

/** How many recent event ids the export remembers to keep fullUrls unique. */
const REMEMBERED_IDS = 50_000;

// fullUrls must be unique in a Bundle (bdl-7): a row repeated verbatim is written once, rows that
// share an id but differ get one derived from their content. Access rows come ordered by
// event_time, so repeats fall within the window of recent ids that bounds memory.
class UniqueEntries {
  private readonly seen = new Map<string, string>();

  /** The event (renamed if its id is taken) and its JSON, or null when it was already written. */
  admit(event: AuditEvent): { event: AuditEvent; json: string } | null {
    let json = JSON.stringify(event);
    const digest = createHash('sha1').update(json).digest('base64');
    let id = event.id!;
    for (let prior = this.seen.get(id); prior !== undefined; prior = this.seen.get(id)) {
      if (prior === digest) return null;
      id = idFromParts(['AuditEvent', id, digest]);
    }
    this.seen.set(id, digest);
    if (this.seen.size > REMEMBERED_IDS) this.seen.delete(this.seen.keys().next().value!);
    if (id === event.id) return { event, json };
    const renamed = { ...event, id };
    json = JSON.stringify(renamed);
    return { event: renamed, json };
  }
}

/** The whole Bundle in memory (for small runs and tests; large runs use auditEventBundleJson). */
export function toAuditEventBundle(records: Iterable<AccessRecord>, meta: BundleMeta): Bundle<AuditEvent> {
  const bundle: Bundle<AuditEvent> = bundleHeader(meta);
  const entry: BundleEntry<AuditEvent>[] = [];
  const unique = new UniqueEntries();
  for (const record of records) {
    const admitted = unique.admit(toAuditEvent(record, meta));
    if (admitted) entry.push(entryOf(admitted.event));
  }
  // FHIR JSON has no empty arrays: a run without rows is a Bundle without entries.
  if (entry.length > 0) bundle.entry = entry;
  return bundle;
}

/** Streams the Bundle as JSON text chunks (bounded memory for large runs). */
export async function* auditEventBundleJson(
  records: AsyncIterable<AccessRecord> | Iterable<AccessRecord>,
  meta: BundleMeta,
): AsyncGenerator<string> {
  const header = JSON.stringify(bundleHeader(meta));
  let pending = header.slice(0, -1);
  let count = 0;
  const unique = new UniqueEntries();
  for await (const record of records) {
    const admitted = unique.admit(toAuditEvent(record, meta));
    if (!admitted) continue;
    // Same bytes as JSON.stringify(entryOf(event)), without encoding the event twice.
    const entry = `{"fullUrl":${JSON.stringify(`urn:uuid:${admitted.event.id}`)},"resource":${admitted.json}}`;
    pending += (count === 0 ? ',"entry":[' : ',') + entry;
    count++;
    if (pending.length >= CHUNK_CHARS) {
      yield pending;
      pending = '';
    }
  }
  yield pending + (count > 0 ? ']}' : '}');
}
