import type { EngineColumn } from '@/lib/engine/port';

const ACCESS_COLUMNS = ['event_time', 'action', 'source', 'outcome'];

/** Results that list individual accesses (and so can become FHIR AuditEvents). */
export function isAccessResult(columns: EngineColumn[]): boolean {
  return ACCESS_COLUMNS.every((name) => columns.some((c) => c.name === name));
}
