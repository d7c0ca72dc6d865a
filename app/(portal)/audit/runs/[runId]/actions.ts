'use server';

import { redirect } from 'next/navigation';
import { runAction, type ActionState } from '@/lib/web/action-state';
import { requestContext } from '@/lib/web/guard';
import { cancelRun } from '@/lib/queries/cancel-run';
import { requestExport } from '@/lib/queries/request-export';
import { rerunQuery } from '@/lib/queries/rerun-query';

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

/** Starts an export (journaled) and answers with the single-use address of its file. */
export async function exportRunAction(runId: string, format: string): Promise<ActionState<string>> {
  return runAction(async () => (await requestExport(await requestContext(), { runId, format })).url);
}
