'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { createDeletionRequest } from '@/lib/retention/create-deletion-request';
import { liftLegalHold } from '@/lib/retention/lift-legal-hold';
import { placeLegalHold, type LegalHoldDto } from '@/lib/retention/place-legal-hold';
import { keepValues, runAction, type ActionState } from '@/lib/web/action-state';
import { requestContext } from '@/lib/web/guard';

/** Files a deletion request for the picked candidates and freezes its manifest (journaled); opens the request. */
export async function createDeletionRequestAction(_prev: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  const result = await runAction(async () => {
    const created = await createDeletionRequest(await requestContext(), { studies: form.getAll('studies'), reason: form.get('reason') });
    return created.id;
  });
  if (result?.ok) redirect(`/retention/requests/${result.data}`);
  return keepValues(result, form);
}

/** Places a legal hold on a study, with a reason (journaled). */
export async function placeLegalHoldAction(_prev: ActionState<LegalHoldDto>, form: FormData): Promise<ActionState<LegalHoldDto>> {
  const state = await runAction(async () => placeLegalHold(await requestContext(), { study: form.get('study'), reason: form.get('reason') }));
  if (state?.ok) revalidatePath('/retention');
  return keepValues(state, form);
}

/** Lifts a legal hold, with a reason; the record of the hold stays (journaled). */
export async function liftLegalHoldAction(holdId: string, _prev: ActionState<LegalHoldDto>, form: FormData): Promise<ActionState<LegalHoldDto>> {
  const state = await runAction(async () => liftLegalHold(await requestContext(), { holdId, reason: form.get('reason') }));
  if (state?.ok) revalidatePath('/retention');
  return keepValues(state, form);
}
