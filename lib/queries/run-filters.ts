// What the run history and a run's result pages accept, as schemas with no server dependency: the
// verbs validate with them, and proxy.ts checks the address bar with the same ones.
import { z } from 'zod';
import { isCalendarDate } from '@/lib/days';

export const RunFilter = z.object({
  user: z.string().trim().max(254).optional(),
  queryId: z.string().trim().max(100).optional(),
  status: z.enum(['running', 'succeeded', 'failed', 'cancelled']).optional(),
  from: z.string().refine(isCalendarDate, 'enter a date as YYYY-MM-DD').optional(),
  to: z.string().refine(isCalendarDate, 'enter a date as YYYY-MM-DD').optional(),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type RunFilter = z.input<typeof RunFilter>;

/** A page of a stored result. */
export const PageInput = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  sort: z.string().max(200).optional(),
  dir: z.enum(['asc', 'desc']).default('asc'),
});
