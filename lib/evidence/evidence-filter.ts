// What the Evidence page's list accepts, as a schema with no server dependency (so the address bar
// can be checked with it before the page renders).
import { z } from 'zod';
import { isCalendarDate } from '@/lib/days';
import { EVIDENCE_KINDS } from '@/lib/db/schema/evidence';

export const EvidenceFilter = z.object({
  kind: z.enum(EVIDENCE_KINDS, { error: `choose one of: ${EVIDENCE_KINDS.join(', ')}` }).optional(),
  /** An evidence id, a run id, a patient reference (P-…) or a deletion request id, or part of one. */
  subject: z.string().trim().max(100, 'at most 100 characters').optional(),
  from: z.string().refine(isCalendarDate, 'enter a date as YYYY-MM-DD').optional(),
  to: z.string().refine(isCalendarDate, 'enter a date as YYYY-MM-DD').optional(),
  /** Only the evidence the viewer made. */
  mine: z.enum(['1']).optional(),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type EvidenceFilter = z.input<typeof EvidenceFilter>;
