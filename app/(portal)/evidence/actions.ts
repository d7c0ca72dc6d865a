'use server';

import { makePostureReport, makeReport, type MadeReport } from '@/lib/evidence/make-report';
import { requestEvidenceDownload } from '@/lib/evidence/request-evidence-download';
import { keepValues, runAction, type ActionState } from '@/lib/web/action-state';
import { requestContext } from '@/lib/web/guard';

/** Makes, signs and registers a run's report (journaled). */
export async function makeReportAction(_prev: ActionState<MadeReport>, form: FormData): Promise<ActionState<MadeReport>> {
  const state = await runAction(async () => makeReport(await requestContext(), { runId: form.get('runId'), kind: form.get('kind') ?? undefined }));
  return keepValues(state, form);
}

/** Hands out a registered PDF (journaled) as a single-use address. */
export async function downloadEvidenceAction(evidenceId: string): Promise<ActionState<string>> {
  return runAction(async () => (await requestEvidenceDownload(await requestContext(), { evidenceId })).url);
}

/** Makes, signs and registers the posture summary of a window (journaled). */
export async function makePostureReportAction(_prev: ActionState<MadeReport>, form: FormData): Promise<ActionState<MadeReport>> {
  const state = await runAction(async () => makePostureReport(await requestContext(), { from: form.get('from'), to: form.get('to') }));
  return keepValues(state, form);
}
