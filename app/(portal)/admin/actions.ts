'use server';

import { runAction, type ActionState } from '@/lib/web/action-state';
import { requestContext } from '@/lib/web/guard';
import type { JournalVerification } from '@/lib/journal/verify';
import { compactLakeNow } from '@/lib/admin/compact-lake-now';
import type { CompactSummary } from '@/lib/lake/compact';
import { checkJournal } from '@/lib/admin/check-journal';

export async function verifyJournalAction(_prev: ActionState<JournalVerification>, _form: FormData): Promise<ActionState<JournalVerification>> {
  return runAction(async () => checkJournal(await requestContext()));
}

export async function compactLakeAction(_prev: ActionState<CompactSummary>, _form: FormData): Promise<ActionState<CompactSummary>> {
  return runAction(async () => compactLakeNow(await requestContext()));
}
