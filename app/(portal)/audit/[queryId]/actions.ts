'use server';

import { redirect } from 'next/navigation';
import { formValues, keepValues, runAction, type ActionState } from '@/lib/web/action-state';
import { requestContext } from '@/lib/web/guard';
import { runSavedQuery } from '@/lib/queries/run-saved-query';
import { estimateRun, type EstimateDto } from '@/lib/queries/estimate-run';

export async function runQueryAction(queryId: string, _prev: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  const result = await runAction(async () => {
    const ctx = await requestContext();
    const run = await runSavedQuery(ctx, { queryId, params: formValues(form) }, { wait: false });
    return run.id;
  });
  if (result?.ok) redirect(`/audit/runs/${result.data}`);
  return keepValues(result, form);
}

export async function estimateQueryAction(queryId: string, params: Record<string, string>): Promise<ActionState<EstimateDto>> {
  return runAction(async () => estimateRun(await requestContext(), { queryId, params }));
}
