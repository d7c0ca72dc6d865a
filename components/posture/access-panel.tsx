import { formatNumber, shortArn } from '@/lib/format';
import type { PostureDashboard } from '@/lib/posture/dashboard-types';
import type { AccessPanel, BulkPanel, FailedPanel } from '@/lib/posture/panels';
import { StackedBars } from './charts';
import { percent, utcText } from './dashboard-view';
import { FigureFrame } from './figure-frame';
import { FigureGate, FigureSource, LogsGate, Stat } from './provenance';

const SOURCE_LABELS: Record<string, string> = { healthimaging: 'HealthImaging', s3: 'S3', kms: 'KMS' };
const sourceLabel = (s: string) => SOURCE_LABELS[s] ?? s;

/** Requests to images per day by source, after-hours share, top principals, bulk-access flags and refusals: counts only. */
export function AccessPanelView({ d }: { d: PostureDashboard }) {
  const figure = d.figures['access.daily'];
  const { overview, bulk, failed } = d.access;
  const hours = `${String(d.settings.businessHours[0]).padStart(2, '0')}:00–${String(d.settings.businessHours[1]).padStart(2, '0')}:00, ${d.settings.timeZone} time, every day of the week`;
  return (
    <FigureGate figure={figure}>
      <LogsGate figure={figure} sources={['cloudtrail', 's3_access_logs']}>
        <div className="flex flex-col gap-4">
          {overview ? <Overview d={d} a={overview} hours={hours} /> : <p className="text-sm text-slate-600">No access figures recorded.</p>}
          <div className="grid gap-4 xl:grid-cols-2">
            <FigureGate figure={d.figures['access.bulk']}>{bulk ? <Bulk d={d} b={bulk} /> : null}</FigureGate>
            <FigureGate figure={d.figures['access.failed']}>{failed ? <Failed d={d} f={failed} /> : null}</FigureGate>
          </div>
        </div>
      </LogsGate>
    </FigureGate>
  );
}

function Overview({ d, a, hours }: { d: PostureDashboard; a: AccessPanel; hours: string }) {
  const t = a.totals;
  const daily = <FigureSource figure={d.figures['access.daily']} />;
  return (
    <>
      <dl className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-6">
        <Stat label="Requests to images" value={formatNumber(t.requests)} detail={`${formatNumber(a.principals)} principals`} />
        <Stat label="HealthImaging" value={formatNumber(t.healthimaging)} detail="requests" />
        <Stat label="S3" value={formatNumber(t.s3)} detail="object requests" />
        <Stat label="After-hours share" value={percent(t.afterHoursShare)} detail={`${formatNumber(t.afterHours)} requests`} />
        <Stat label="Refused" value={formatNumber(t.refused)} detail="requests to images" />
        <Stat label="Principals" value={formatNumber(a.principals)} detail="workforce identities and services" />
      </dl>
      <p className="text-xs text-slate-600">After hours: outside {hours}. Counts of requests; no patient or study is named.</p>
      <div className="grid gap-4 xl:grid-cols-2">
        <FigureFrame
          title="Requests to images per day, by source"
          description="HealthImaging and S3 object requests; a request seen in both CloudTrail and the S3 access log counts once."
          table={{
            columns: [
              { key: 'day', label: 'Day (UTC)' },
              { key: 'healthimaging', label: 'HealthImaging', kind: 'number' },
              { key: 's3', label: 'S3', kind: 'number' },
              { key: 'afterHours', label: 'After hours', kind: 'number' },
              { key: 'refused', label: 'Refused', kind: 'number' },
            ],
            rows: a.daily.map((x) => ({ ...x })),
          }}
          csvName={`access-daily-${d.window.from}-${d.window.to}`}
          source={daily}
        >
          <StackedBars
            label="Requests to images per day, by source"
            data={a.daily.map((x) => ({ day: x.day.slice(5), healthimaging: x.healthimaging, s3: x.s3 }))}
            xKey="day"
            xLabel="Day (UTC)"
            series={[
              { key: 'healthimaging', label: 'HealthImaging' },
              { key: 's3', label: 'S3' },
            ]}
            unit="count"
          />
        </FigureFrame>
        <FigureFrame
          title="Requests by action and source"
          description="Every action in the window, busiest first."
          table={{
            columns: [
              { key: 'source', label: 'Source' },
              { key: 'action', label: 'Action' },
              { key: 'requests', label: 'Requests', kind: 'number' },
              { key: 'afterHours', label: 'After hours', kind: 'number' },
              { key: 'refused', label: 'Refused', kind: 'number' },
            ],
            rows: a.byAction.map((x) => ({ ...x, source: sourceLabel(x.source) })),
          }}
          csvName={`access-by-action-${d.window.from}-${d.window.to}`}
          source={daily}
        >
          <StackedBars
            label="Requests by action"
            data={a.byAction.slice(0, 12).map((x) => ({ action: `${x.action} (${sourceLabel(x.source)})`, inHours: x.requests - x.afterHours, afterHours: x.afterHours }))}
            xKey="action"
            xLabel="Action"
            series={[
              { key: 'inHours', label: 'Business hours' },
              { key: 'afterHours', label: 'After hours' },
            ]}
            unit="count"
            horizontal
            height={Math.max(200, Math.min(12, a.byAction.length) * 32 + 80)}
          />
        </FigureFrame>
      </div>
      <FigureFrame
        title="Top principals by volume"
        description={`The ${a.topPrincipals.length} busiest of ${formatNumber(a.principals)} principals; studies counts distinct studies, without naming them.`}
        table={{
          columns: [
            { key: 'principal', label: 'Principal' },
            { key: 'person', label: 'Person' },
            { key: 'requests', label: 'Requests', kind: 'number' },
            { key: 'healthimaging', label: 'HealthImaging', kind: 'number' },
            { key: 's3', label: 'S3', kind: 'number' },
            { key: 'studies', label: 'Studies', kind: 'number' },
            { key: 'afterHours', label: 'After hours', kind: 'number' },
            { key: 'refused', label: 'Refused', kind: 'number' },
          ],
          rows: a.topPrincipals.map((p) => ({ ...p, principal: shortArn(p.principal) })),
        }}
        csvName={`access-top-principals-${d.window.from}-${d.window.to}`}
        source={<FigureSource figure={d.figures['access.principals']} />}
      />
    </>
  );
}

function Bulk({ d, b }: { d: PostureDashboard; b: BulkPanel }) {
  return (
    <FigureFrame
      title="Bulk-access flags"
      description={
        b.principals.length
          ? `${formatNumber(b.flaggedHours)} clock hours above the bulk-access threshold, by ${b.principals.length} principal${b.principals.length === 1 ? '' : 's'}.`
          : 'No hour above the bulk-access threshold in this window.'
      }
      table={{
        columns: [
          { key: 'principal', label: 'Principal' },
          { key: 'person', label: 'Person' },
          { key: 'hours', label: 'Flagged hours', kind: 'number' },
          { key: 'maxStudies', label: 'Most studies in an hour', kind: 'number' },
          { key: 'requests', label: 'Requests', kind: 'number' },
          { key: 'first', label: 'First (UTC)' },
          { key: 'last', label: 'Last (UTC)' },
        ],
        rows: b.principals.map((p) => ({ ...p, principal: shortArn(p.principal), first: utcText(p.first), last: utcText(p.last) })),
      }}
      csvName={`access-bulk-${d.window.from}-${d.window.to}`}
      source={<FigureSource figure={d.figures['access.bulk']} />}
    />
  );
}

function Failed({ d, f }: { d: PostureDashboard; f: FailedPanel }) {
  const sources = Object.entries(f.bySource).map(([s, n]) => `${sourceLabel(s)} ${formatNumber(n)}`).join(', ');
  return (
    <FigureFrame
      title="Refused requests"
      description={`${formatNumber(f.total)} refused (${sources}) by ${formatNumber(f.principals)} principal${f.principals === 1 ? '' : 's'}; the most refused first.`}
      table={{
        columns: [
          { key: 'principal', label: 'Principal' },
          { key: 'source', label: 'Source' },
          { key: 'refused', label: 'Refused', kind: 'number' },
          { key: 'actions', label: 'Actions' },
        ],
        rows: f.topPrincipals.map((p) => ({ ...p, principal: shortArn(p.principal), source: sourceLabel(p.source) })),
      }}
      csvName={`access-refused-${d.window.from}-${d.window.to}`}
      source={<FigureSource figure={d.figures['access.failed']} />}
    />
  );
}
