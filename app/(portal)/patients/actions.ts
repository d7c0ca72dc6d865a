'use server';

import { redirect } from 'next/navigation';
import { runAction, type ActionState } from '@/lib/web/action-state';
import { requestContext } from '@/lib/web/guard';
import { openPatientReport } from '@/lib/patients/open-patient-report';

export async function openPatientAction(_prev: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  const result = await runAction(async () => {
    const ref = await openPatientReport(await requestContext(), {
      mrn: String(form.get('patient') ?? ''),
      from: String(form.get('from') ?? ''),
      to: String(form.get('to') ?? ''),
    });
    return `/patients/report?accesses=${ref.accessRunId}&studies=${ref.studiesRunId}`;
  });
  if (result?.ok) redirect(result.data);
  return result;
}
