'use server';

import { runAction, type ActionState } from '@/lib/web/action-state';
import { requestContext } from '@/lib/web/guard';
import { exportPostureRun } from '@/lib/posture/get-posture-run';
import { getRefreshStatus, refreshPosture, type RefreshRequested, type RefreshStatus } from '@/lib/posture/refresh-posture';

/** Asks for a refresh of the window shown (the window is bound by the page). */
export async function refreshPostureAction(window: { from: string; to: string }, _prev: ActionState<RefreshRequested>, _form: FormData): Promise<ActionState<RefreshRequested>> {
  return runAction(async () => refreshPosture(await requestContext(), window));
}

/** How far a refresh has come; polling it does not keep a session alive. */
export async function refreshStatusAction(refreshId: string): Promise<ActionState<RefreshStatus>> {
  return runAction(async () => getRefreshStatus(await requestContext({ activity: false }), refreshId));
}

/** A posture run's rows as a file, handed back to the browser (journaled). */
export async function exportPostureRunAction(runId: string, format: string): Promise<ActionState<{ filename: string; contentType: string; text: string }>> {
  return runAction(async () => exportPostureRun(await requestContext(), { runId, format }));
}
