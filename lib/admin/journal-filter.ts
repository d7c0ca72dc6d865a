// What the journal listing accepts (no server dependency: proxy.ts checks the address bar with it).
import { z } from 'zod';
import { JOURNAL_ACTIONS } from '@/lib/journal/events';

export const JournalFilter = z.object({
  action: z.enum(JOURNAL_ACTIONS).optional(),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
