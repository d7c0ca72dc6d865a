'use server';

import { redirect } from 'next/navigation';
import { keepValues, runAction, type ActionState } from '@/lib/web/action-state';
import { requestContext } from '@/lib/web/guard';
import { openPatientReport } from '@/lib/patients/open-patient-report';

export async function openPatientAction(_prev: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  const result = await runAction(async () => {
    // an MRN typed on the Patients page, or a result row's sealed link (`ref`) instead
    const ref = form.get('ref');
    const opened = await openPatientReport(await requestContext(), {
      ...(typeof ref === 'string' && ref ? { ref } : { mrn: String(form.get('patient') ?? '') }),
      from: String(form.get('from') ?? ''),
      to: String(form.get('to') ?? ''),
    });
    return opened.path;
  });
  if (result?.ok) redirect(result.data);
  return keepValues(result, form);
}
