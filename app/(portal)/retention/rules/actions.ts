'use server';

import { revalidatePath } from 'next/cache';
import { saveRuleSet, type SavedRuleSetDto } from '@/lib/retention/save-rule-set';
import { keepValues, runAction, type ActionState } from '@/lib/web/action-state';
import { requestContext } from '@/lib/web/guard';

/** Saves a rule set as its next version, in force or not (journaled). */
export async function saveRuleSetAction(_prev: ActionState<SavedRuleSetDto>, form: FormData): Promise<ActionState<SavedRuleSetDto>> {
  const state = await runAction(async () => saveRuleSet(await requestContext(), { definition: form.get('definition'), inForce: form.get('inForce') === 'on' }));
  if (state?.ok) revalidatePath('/retention/rules');
  return keepValues(state, form);
}
