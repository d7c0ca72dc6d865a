'use server';

import { redirect } from 'next/navigation';
import { runAction, type ActionState } from '@/lib/web/action-state';
import { requestContext } from '@/lib/web/guard';
import { runSavedQuery } from '@/lib/queries/run-saved-query';
import { estimateRun, type EstimateDto } from '@/lib/queries/estimate-run';

function formToParams(form: FormData): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, value] of form.entries()) if (!key.startsWith('$') && typeof value === 'string') params[key] = value;
  return params;
}

export async function runQueryAction(queryId: string, _prev: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  const result = await runAction(async () => {
    const ctx = await requestContext();
    const run = await runSavedQuery(ctx, { queryId, params: formToParams(form) }, { wait: false });
    return run.id;
  });
  if (result?.ok) redirect(`/audit/runs/${result.data}`);
  return result;
}

export async function estimateQueryAction(queryId: string, params: Record<string, string>): Promise<ActionState<EstimateDto>> {
  return runAction(async () => estimateRun(await requestContext(), { queryId, params }));
}
