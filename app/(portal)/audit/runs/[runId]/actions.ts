'use server';

import { redirect } from 'next/navigation';
import { runAction, type ActionState } from '@/lib/actions';
import { requestContext } from '@/lib/auth/guard';
import { cancelRun, rerunQuery } from '@/lib/queries/run-control';

export async function cancelRunAction(runId: string): Promise<ActionState<null>> {
  return runAction(async () => {
    await cancelRun(await requestContext(), runId);
    return null;
  });
}

export async function rerunAction(runId: string, _prev: ActionState<string>, _form: FormData): Promise<ActionState<string>> {
  const result = await runAction(async () => (await rerunQuery(await requestContext(), runId, { wait: false })).id);
  if (result?.ok) redirect(`/audit/runs/${result.data}`);
  return result;
}
