import 'server-only';
import { z } from 'zod';
import type { Ctx } from '@/lib/context';
import { parseInput } from '@/lib/errors';
import { exportPatientReport } from './export-patient-report';
import { exportPostureReport } from './export-posture-report';
import { exportRunReport } from './export-run-report';

export const MakeReportInput = z.object({
  runId: z.string({ error: 'name a run' }).trim().min(1, 'name a run').max(64),
  kind: z.enum(['query-run', 'patient-access'], { error: 'choose query-run or patient-access' }).default('query-run'),
});

export type MadeReport = { evidenceId: string; kind: 'query-run' | 'patient-access' | 'posture-summary'; sha256: string; bytes: number };

/** A report from the portal's form: the run's query-run report, or the patient access report of a patient run (each verb authorizes). */
export async function makeReport(ctx: Ctx, raw: unknown): Promise<MadeReport> {
  const { runId, kind } = parseInput(MakeReportInput, raw, { runId: 'Run', kind: 'Report' });
  const issued = kind === 'patient-access' ? await exportPatientReport(ctx, { runId }) : await exportRunReport(ctx, { runId });
  return { evidenceId: issued.evidenceId, kind, sha256: issued.sha256, bytes: issued.bytes };
}

/** The posture summary of a window, from the portal's form (the verb authorizes). */
export async function makePostureReport(ctx: Ctx, raw: unknown): Promise<MadeReport> {
  const issued = await exportPostureReport(ctx, raw);
  return { evidenceId: issued.evidenceId, kind: 'posture-summary', sha256: issued.sha256, bytes: issued.bytes };
}
