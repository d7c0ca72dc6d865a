import 'server-only';
import { z } from 'zod';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { isCalendarDate } from '@/lib/days';
import { DomainError, parseInput } from '@/lib/errors';
import { getPostureDashboard } from '@/lib/posture/get-posture-dashboard';
import { issueEvidence, type IssuedEvidence } from './issue';
import { postureReportDto } from './posture-report-data';
import { renderPostureSummary } from './render';

const day = z.string({ error: 'enter a date as YYYY-MM-DD' }).refine(isCalendarDate, 'enter a date as YYYY-MM-DD');
export const PostureReportInput = z.object({ from: day, to: day }).refine((w) => w.from <= w.to, { path: ['to'], message: 'must be on or after From' });

/**
 * The signed posture summary of a window, for whoever may see the posture dashboards: made from
 * the window's latest finished refresh, the same figures the dashboards show.
 */
export async function exportPostureReport(ctx: Ctx, raw: unknown): Promise<IssuedEvidence> {
  await authorize(ctx, 'posture.view', 'evidence:posture-summary');
  const { from, to } = parseInput(PostureReportInput, raw, { from: 'From', to: 'To' });
  const dashboard = await getPostureDashboard(ctx, { from, to });
  if (!dashboard.refresh?.finishedAt) {
    throw new DomainError('precondition', `No refresh of the posture figures for ${from} to ${to} has finished: refresh the dashboards for this window first.`);
  }
  return issueEvidence(ctx, {
    kind: 'posture-summary',
    title: 'Posture summary',
    subject: { type: 'posture', from, to },
    subjectRef: `${from}..${to}`,
    window: { from, to },
    reason: `Custos posture summary, ${from} to ${to}`,
    render: async (header) => renderPostureSummary(await postureReportDto(ctx, dashboard, header)),
  });
}
