import type { Metadata } from 'next';
import { AccessPanelView } from '@/components/posture/access-panel';
import { pagePath, windowInput } from '@/components/posture/dashboard-view';
import { DecryptPanelView, drillDown } from '@/components/posture/decrypt-panel';
import { EmptyDashboards, RefreshBar } from '@/components/posture/refresh-bar';
import { RunLedger } from '@/components/posture/run-ledger';
import { StoragePanelView } from '@/components/posture/storage-panel';
import { SummaryRow } from '@/components/posture/summary-row';
import { TrailPanelView } from '@/components/posture/trail-panel';
import { WindowPicker } from '@/components/posture/window-picker';
import { Alert } from '@/components/ui/alert';
import { PageHeader, Section } from '@/components/ui/page-header';
import { ValidationError } from '@/lib/errors';
import { getPostureDashboard } from '@/lib/posture/get-posture-dashboard';
import { requirePage } from '@/lib/web/guard';
import { exportPostureRunAction, refreshPostureAction, refreshStatusAction } from './actions';

export const metadata: Metadata = { title: 'Posture' };

const DESCRIPTION =
  'Is the archive healthy? Storage tiers, KMS Decrypt refusals, access to images and the trails that record it, for one window — aggregates from recorded runs of saved queries, without patient identifiers.';

export default async function PosturePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const input = windowInput(await searchParams);
  const ctx = await requirePage('/posture', pagePath(input));
  let d: Awaited<ReturnType<typeof getPostureDashboard>>;
  try {
    d = await getPostureDashboard(ctx, input);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return (
      <>
        <PageHeader title="Posture" description={DESCRIPTION} />
        <WindowPicker window={input.from && input.to ? { from: input.from, to: input.to } : null} preset={null} lakeLastDay={undefined} />
        <Alert tone="error" title="This window cannot be shown">
          {error.message}
        </Alert>
      </>
    );
  }
  const actions = { refresh: refreshPostureAction.bind(null, d.window), status: refreshStatusAction };
  return (
    <>
      <PageHeader title="Posture" description={DESCRIPTION} />
      <WindowPicker window={d.window} preset={d.preset} lakeLastDay={d.lakeLastDay} />
      {d.refresh ? (
        <>
          <RefreshBar d={d} now={ctx.now()} actions={actions} />
          <SummaryRow d={d} summary={d.summary} />
          <Section title="Storage tiers" description="Objects and bytes of the archive by storage class in lifecycle order, by study age and retention class, with cost and the lifecycle projection.">
            <StoragePanelView d={d} />
          </Section>
          <Section title="KMS Decrypt denied" description="Refused Decrypt calls on the archive's keys, day by day and hour by hour, with spikes found against a seasonal baseline.">
            <DecryptPanelView d={d} drill={drillDown(ctx.actor)} />
          </Section>
          <Section title="Access overview" description="Requests to images by day, action and source; after-hours share, top principals, bulk-access flags and refusals. Counts only.">
            <AccessPanelView d={d} />
          </Section>
          <Section title="Trail health" description="Whether CloudTrail records what an audit of the archive needs, and the hours of the window without events.">
            <TrailPanelView d={d} />
          </Section>
          <Section title="Where the figures come from" description="The recorded runs and control-plane snapshots of this refresh; each opens with its parameters, SQL and result hashes, and exports as a file.">
            <RunLedger d={d} exportRun={exportPostureRunAction} />
          </Section>
        </>
      ) : (
        <EmptyDashboards d={d} actions={actions} />
      )}
    </>
  );
}
