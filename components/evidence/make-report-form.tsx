'use client';

import { useActionState } from 'react';
import { Button } from '@/components/ui/button';
import { Field, Input, Select, describedBy } from '@/components/ui/field';
import type { MadeReport } from '@/lib/evidence/make-report';
import type { ActionState } from '@/lib/web/action-state';
import { MadeReportResult } from './made-report';

type Props = {
  action: (state: ActionState<MadeReport>, form: FormData) => Promise<ActionState<MadeReport>>;
  download: (evidenceId: string) => Promise<ActionState<string>>;
  /** The viewer may make patient access reports (patient.read_phi). */
  patientReports: boolean;
  defaultRunId?: string;
};

/** Makes a signed report of a run: the query-run report, or the patient access report of a patient's access-history run. */
export function MakeReportForm({ action, download, patientReports, defaultRunId }: Props) {
  const [state, formAction, pending] = useActionState(action, null);
  const values = state && !state.ok ? state.values : undefined;
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  return (
    <form action={formAction} className="flex flex-col gap-3" aria-label="Make a signed report">
      <div className="flex flex-wrap items-end gap-3">
        <Field id="report-run" label="Run id" help="From the run's page in the run history." error={errors?.runId}>
          <Input
            id="report-run"
            name="runId"
            required
            className="w-96 font-mono"
            defaultValue={values?.runId ?? defaultRunId ?? ''}
            aria-invalid={errors?.runId ? true : undefined}
            aria-describedby={describedBy('report-run', true, errors?.runId)}
          />
        </Field>
        {patientReports ? (
          <Field id="report-kind" label="Report">
            <Select id="report-kind" name="kind" defaultValue={values?.kind ?? 'query-run'}>
              <option value="query-run">Query-run report</option>
              <option value="patient-access">Patient access report (of a patient access history run)</option>
            </Select>
          </Field>
        ) : (
          <input type="hidden" name="kind" value="query-run" />
        )}
        <Button type="submit" disabled={pending}>
          {pending ? 'Making and signing…' : 'Make signed PDF'}
        </Button>
      </div>
      <MadeReportResult state={state} download={download} />
    </form>
  );
}
