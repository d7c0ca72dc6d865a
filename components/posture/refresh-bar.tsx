import { Badge } from '@/components/ui/alert';
import { formatTimestamp } from '@/lib/format';
import type { PostureDashboard } from '@/lib/posture/dashboard-types';
import { FIGURE_KEYS } from '@/lib/posture/figures';
import type { ComponentProps } from 'react';
import { timeAgo } from './dashboard-view';
import { RefreshControl } from './refresh-control';

type Actions = Pick<ComponentProps<typeof RefreshControl>, 'refresh' | 'status'>;

const TRIGGERS: Record<string, string> = { on_demand: 'on demand', schedule: 'on schedule' };

/** "Figures as of 09:12 UTC, 4 minutes ago", with the button that records them again. */
export function RefreshBar({ d, now, actions }: { d: PostureDashboard; now: Date; actions: Actions }) {
  const r = d.refresh;
  const at = r?.finishedAt ?? r?.requestedAt ?? null;
  return (
    <div className="mb-4 flex flex-wrap items-center justify-between gap-3 rounded-lg border border-slate-200 bg-white px-4 py-3">
      <p className="text-sm text-slate-700">
        {r && at ? (
          <>
            Figures as of <time dateTime={at}>{formatTimestamp(at)}</time>, {timeAgo(at, now)}; recorded {TRIGGERS[r.trigger] ?? r.trigger}
            {r.trigger === 'on_demand' ? `, asked for by ${r.actorLabel}` : ''}.{' '}
            {r.state === 'succeeded' ? null : <Badge tone="warning">finished with problems</Badge>}
          </>
        ) : null}
        <span className="block text-xs text-slate-500">The page shows the latest recorded runs of this window; it runs no query when you open it.</span>
      </p>
      <RefreshControl refresh={actions.refresh} status={actions.status} running={d.refreshing?.id ?? null} />
    </div>
  );
}

/** No refresh of this window has finished yet: what refreshing does, and the button. */
export function EmptyDashboards({ d, actions }: { d: PostureDashboard; actions: Actions }) {
  return (
    <section aria-labelledby="posture-empty" className="mb-6 rounded-lg border border-dashed border-slate-300 bg-white p-6">
      <h2 id="posture-empty" className="text-base font-semibold text-slate-900">
        No figures recorded for {d.window.from} to {d.window.to} yet
      </h2>
      <p className="mt-1 max-w-3xl text-sm text-slate-600">
        Refreshing runs the dashboards&rsquo; {FIGURE_KEYS.length} saved queries over this window as a background job and records the trails&rsquo; configuration and the
        bucket&rsquo;s lifecycle rules, each with its SHA-256. Every figure then links to the run it came from. It takes a few seconds over a month of logs.
      </p>
      <div className="mt-4">
        <RefreshControl refresh={actions.refresh} status={actions.status} running={d.refreshing?.id ?? null} label="Refresh the dashboards" />
      </div>
    </section>
  );
}
