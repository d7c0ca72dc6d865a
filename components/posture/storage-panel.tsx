import Link from 'next/link';
import { formatBytes, formatNumber, formatUsd } from '@/lib/format';
import type { PostureDashboard } from '@/lib/posture/dashboard-types';
import { classLabel } from '@/lib/posture/panels';
import { Lines, StackedBars } from './charts';
import { FigureFrame, type FigureTable } from './figure-frame';
import { FigureGate, FigureSource, LogsGate, SnapshotSource, Stat } from './provenance';

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);

export function StoragePanelView({ d }: { d: PostureDashboard }) {
  const snapshot = d.figures['storage.snapshot'];
  const s = d.storage;
  return (
    <FigureGate figure={snapshot}>
      <LogsGate figure={snapshot} sources={['s3_inventory']}>
        {s ? <StorageFigures d={d} s={s} /> : <p className="text-sm text-slate-600">No storage figures recorded.</p>}
      </LogsGate>
    </FigureGate>
  );
}

function StorageFigures({ d, s }: { d: PostureDashboard; s: NonNullable<PostureDashboard['storage']> }) {
  const p = s.panel;
  const t = p.totals;
  const snapshotSource = <FigureSource figure={d.figures['storage.snapshot']} />;

  const bandTable: FigureTable = {
    columns: [{ key: 'class', label: 'Storage class' }, ...p.ageBands.map((b) => ({ key: b.key, label: `${b.label} (bytes)`, kind: 'bytes' as const })), { key: 'objects', label: 'Objects', kind: 'number' }],
    rows: p.byAgeBand.map((c) => ({ class: c.label, ...Object.fromEntries(p.ageBands.map((b) => [b.key, c.bands[b.key]?.bytes ?? 0])), objects: Object.values(c.bands).reduce((x, a) => x + a.objects, 0) })),
  };
  const retentionTable: FigureTable = {
    columns: [{ key: 'class', label: 'Storage class' }, ...p.retentionSeries.map((r) => ({ key: r.key, label: `${r.label} (bytes)`, kind: 'bytes' as const }))],
    rows: p.byRetention.map((c) => ({ class: c.label, ...Object.fromEntries(p.retentionSeries.map((r) => [r.key, c.series[r.key]?.bytes ?? 0])) })),
  };
  const classTable: FigureTable = {
    columns: [
      { key: 'class', label: 'Storage class' },
      { key: 'objects', label: 'Objects', kind: 'number' },
      { key: 'bytes', label: 'Bytes', kind: 'bytes' },
      { key: 'price', label: 'USD per GB-month', kind: 'text' },
      { key: 'usd', label: 'Est. USD a month', kind: 'usd' },
      { key: 'minimum', label: 'Minimum duration', kind: 'text' },
      { key: 'retrieval', label: 'Retrieval', kind: 'text' },
    ],
    rows: p.classes.map((c) => {
      const note = p.archiveNotes.find((n) => n.storageClass === c.storageClass)?.note;
      return {
        class: c.label,
        objects: c.objects,
        bytes: c.bytes,
        price: c.usdPerGbMonth === null ? 'not priced' : `$${c.usdPerGbMonth}`,
        usd: c.usd,
        minimum: note?.minimumDays ? `${note.minimumDays} days` : '—',
        retrieval: note ? note.retrieval.map((r) => `${r.option}: ${r.usdPerGb === null ? '?' : `$${r.usdPerGb}/GB`}, ${r.time}`).join('; ') : '—',
      };
    }),
  };

  return (
    <div className="flex flex-col gap-4">
      <dl className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-6">
        <Stat label="Archive size" value={formatBytes(t.bytes)} detail={`${formatNumber(t.objects)} object versions`} />
        <Stat label="Est. storage cost" value={`${formatUsd(p.cost.totalUsd)} / month`} detail={`${p.region} list prices`} />
        <Stat label="Under Object Lock" value={pct(t.lockedShare)} detail={formatBytes(t.locked.bytes)} />
        <Stat label="On hold" value={formatNumber(t.held.objects)} detail={formatBytes(t.held.bytes)} />
        <Stat
          label="Past retention, awaiting disposition"
          value={formatNumber(t.pastRetention.objects)}
          detail={
            s.retentionHref ? (
              <Link href={s.retentionHref} className="text-brand-700 underline">
                {formatBytes(t.pastRetention.bytes)}: the candidates
              </Link>
            ) : (
              formatBytes(t.pastRetention.bytes)
            )
          }
        />
        <Stat label="Next 12 months" value={s.projection.months.length ? formatUsd(s.projection.totalUsd) : '—'} detail="projected storage cost" />
      </dl>
      <p className="text-xs text-slate-600">
        Inventory report {p.report ?? 'none'}; storage classes in lifecycle order (Standard → Deep Archive). The study age is in completed calendar years at the report date;
        retention classes are the catalog&rsquo;s, with objects on legal hold as their own series.
      </p>
      <div className="grid gap-4 xl:grid-cols-2">
        <FigureFrame title="Bytes by storage class and study age" description="Stacked by years since the study: what lifecycle tiering has moved, by age." table={bandTable} csvName={`storage-by-age-${p.asOf}`} source={snapshotSource}>
          <StackedBars
            label="Bytes by storage class and study age"
            data={p.byAgeBand.map((c) => ({ class: c.label, ...Object.fromEntries(p.ageBands.map((b) => [b.key, c.bands[b.key]?.bytes ?? 0])) }))}
            xKey="class"
            xLabel="Storage class"
            series={p.ageBands.map((b) => ({ key: b.key, label: b.label }))}
            unit="bytes"
          />
        </FigureFrame>
        <FigureFrame title="Bytes by storage class and retention class" description="Adult, pediatric (and any class the catalog adds); objects on legal hold apart." table={retentionTable} csvName={`storage-by-retention-${p.asOf}`} source={snapshotSource}>
          <StackedBars
            label="Bytes by storage class and retention class"
            data={p.byRetention.map((c) => ({ class: c.label, ...Object.fromEntries(p.retentionSeries.map((r) => [r.key, c.series[r.key]?.bytes ?? 0])) }))}
            xKey="class"
            xLabel="Storage class"
            series={p.retentionSeries}
            unit="bytes"
          />
        </FigureFrame>
      </div>
      <FigureFrame
        title="Objects, bytes and estimated monthly cost by storage class"
        description={`Storage only, at ${p.region} list prices${d.settings.prices.takenOn ? ` taken ${d.settings.prices.takenOn}` : ''}${d.settings.prices.overridden ? ' (with the configured override)' : ''}: no requests, retrievals or minimum-duration charges.`}
        table={classTable}
        csvName={`storage-cost-${p.asOf}`}
        source={snapshotSource}
      />
      <details className="text-xs text-slate-600">
        <summary className="cursor-pointer">Where the prices come from</summary>
        <p className="mt-1">{p.cost.basis.note}</p>
        <ul className="mt-1 list-disc pl-5">
          {p.cost.basis.sources.map((src) => (
            <li key={src.where + src.what}>
              {src.where}: {src.what} ({src.date})
            </li>
          ))}
        </ul>
        {p.cost.unpriced.length ? <p className="mt-1">Not priced (not in the total): {p.cost.unpriced.map(classLabel).join(', ')}.</p> : null}
      </details>
      <div className="grid gap-4 xl:grid-cols-2">
        <FigureGate figure={d.figures['storage.trend']}>
          {s.trend ? (
            <FigureFrame
              title={s.trend.granularity === 'month' ? 'Bytes by storage class, month by month' : 'Bytes by storage class, report by report'}
              description={s.trend.granularity === 'month' ? 'The latest inventory report of each month.' : 'Every inventory report of the window.'}
              table={{
                columns: [{ key: 'period', label: 'Period' }, { key: 'report', label: 'Report' }, ...s.trend.classes.map((c) => ({ key: c, label: `${classLabel(c)} (bytes)`, kind: 'bytes' as const })), { key: 'usd', label: 'Est. USD a month', kind: 'usd' }],
                rows: s.trend.points.map((pt) => ({ period: pt.period, report: pt.report, ...Object.fromEntries(s.trend!.classes.map((c) => [c, pt.bytes[c] ?? 0])), usd: pt.usd })),
              }}
              csvName={`storage-trend-${d.window.from}-${d.window.to}`}
              source={<FigureSource figure={d.figures['storage.trend']} />}
            >
              <StackedBars
                label="Bytes by storage class over time"
                data={s.trend.points.map((pt) => ({ period: pt.period, ...Object.fromEntries(s.trend!.classes.map((c) => [c, pt.bytes[c] ?? 0])) }))}
                xKey="period"
                xLabel={s.trend.granularity === 'month' ? 'Month' : 'Report day'}
                series={s.trend.classes.map((c) => ({ key: c, label: classLabel(c) }))}
                unit="bytes"
              />
            </FigureFrame>
          ) : null}
        </FigureGate>
        <FigureGate figure={d.figures['storage.ages']}>
          {s.projection.unavailable ? (
            <p role="alert" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
              No projection: {s.projection.unavailable}
            </p>
          ) : (
            <FigureFrame
              title="Projected storage cost, next 12 months"
              description={
                <>
                  Today&rsquo;s objects under the bucket&rsquo;s lifecycle rules ({s.projection.rules.join('; ')}); new data is not projected.
                  {s.projection.undatedNoncurrent ? ` ${formatNumber(s.projection.undatedNoncurrent)} noncurrent versions stay in their class (the inventory does not say when they became noncurrent).` : ''}
                </>
              }
              table={{
                columns: [{ key: 'month', label: 'Month' }, ...s.projection.classes.map((c) => ({ key: c, label: `${classLabel(c)} (avg bytes)`, kind: 'bytes' as const })), { key: 'usd', label: 'Est. USD', kind: 'usd' }],
                rows: s.projection.months.map((m) => ({ month: m.month, ...Object.fromEntries(s.projection.classes.map((c) => [c, Math.round(m.bytes[c] ?? 0)])), usd: m.usd })),
              }}
              csvName={`storage-projection-${d.window.to}`}
              source={
                <>
                  <FigureSource figure={d.figures['storage.ages']} />; lifecycle rules: <SnapshotSource snapshot={d.snapshots.lifecycle} what="lifecycle configuration" />
                </>
              }
            >
              <Lines label="Projected monthly storage cost" data={s.projection.months.map((m) => ({ month: m.month, usd: Math.round(m.usd * 100) / 100 }))} xKey="month" xLabel="Month" series={[{ key: 'usd', label: 'Est. USD a month' }]} unit="usd" />
            </FigureFrame>
          )}
        </FigureGate>
      </div>
    </div>
  );
}
