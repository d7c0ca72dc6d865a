'use server';

import { revalidatePath } from 'next/cache';
import { approveDeletionRequest, type DecisionResultDto } from '@/lib/retention/approve-deletion-request';
import { rejectDeletionRequest } from '@/lib/retention/reject-deletion-request';
import { resumeDeletionRequest } from '@/lib/retention/resume-deletion-request';
import { withdrawDeletionRequest } from '@/lib/retention/withdraw-deletion-request';
import { keepValues, runAction, type ActionState } from '@/lib/web/action-state';
import { requestContext } from '@/lib/web/guard';

/** Approves the request bound to the manifest hash reviewed, after re-authenticating (journaled). */
export async function approveDeletionAction(requestId: string, _prev: ActionState<DecisionResultDto>, form: FormData): Promise<ActionState<DecisionResultDto>> {
  const state = await runAction(async () =>
    approveDeletionRequest(await requestContext(), {
      requestId,
      manifestSha256: form.get('manifestSha256'),
      password: form.get('password') ?? undefined,
      comment: form.get('comment') ?? undefined,
    }),
  );
  if (state?.ok) revalidatePath(`/retention/requests/${requestId}`);
  // a password is never handed back to the page
  const kept = keepValues(state, form);
  if (kept && !kept.ok && kept.values) delete kept.values.password;
  return kept;
}

/** Rejects the request with a reason; one rejection ends it (journaled). */
export async function rejectDeletionAction(requestId: string, _prev: ActionState<DecisionResultDto>, form: FormData): Promise<ActionState<DecisionResultDto>> {
  const state = await runAction(async () => rejectDeletionRequest(await requestContext(), { requestId, comment: form.get('comment') }));
  if (state?.ok) revalidatePath(`/retention/requests/${requestId}`);
  return keepValues(state, form);
}

/** The requester withdraws the request before its execution starts (journaled). */
export async function withdrawDeletionAction(requestId: string, _prev: ActionState<DecisionResultDto>, form: FormData): Promise<ActionState<DecisionResultDto>> {
  const state = await runAction(async () => withdrawDeletionRequest(await requestContext(), { requestId, reason: form.get('reason') }));
  if (state?.ok) revalidatePath(`/retention/requests/${requestId}`);
  return keepValues(state, form);
}

/** Runs a stopped execution again from where it stopped (journaled). */
export async function resumeDeletionAction(requestId: string, _prev: ActionState<{ requestId: string; state: string }>, _form: FormData): Promise<ActionState<{ requestId: string; state: string }>> {
  const state = await runAction(async () => resumeDeletionRequest(await requestContext(), { requestId }));
  if (state?.ok) revalidatePath(`/retention/requests/${requestId}`);
  return state;
}
