import Link from 'next/link';
import type { Actor } from '@/lib/actor';
import { canRunQuery } from '@/lib/auth/policy';
import { addDays, daysBetween } from '@/lib/days';
import { formatNumber, shortArn } from '@/lib/format';
import type { PostureDashboard } from '@/lib/posture/dashboard-types';
import type { DecryptPanel, DecryptSpikeView, Tally } from '@/lib/posture/panels';
import { findQuery } from '@/lib/queries/registry';
import { FlaggedDays, HourlyWithBaseline } from './charts';
import { hourlyFocus, utcText } from './dashboard-view';
import { FigureFrame } from './figure-frame';
import { FigureGate, FigureSource, LogsGate, Stat } from './provenance';

/** The saved query listing every refused Decrypt: the drill-down behind a spike. */
export const DECRYPT_EVENTS_QUERY = 'decrypt-denied-events';

/** The events query's longest range, when the viewer's role may run it (each saved query names its roles); null otherwise. */
export type DrillDown = { maxDays: number } | null;

export function drillDown(actor: Actor): DrillDown {
  const query = findQuery(DECRYPT_EVENTS_QUERY);
  if (!query || !canRunQuery(actor, query.roles)) return null;
  return { maxDays: query.range?.maxDays ?? 31 };
}

/** The events query's form for the days of a span (UTC), filled in. */
function eventsHref(from: string, to: string): string {
  return `/audit/${DECRYPT_EVENTS_QUERY}?${new URLSearchParams({ from: from.slice(0, 10), to: to.slice(0, 10) }).toString()}`;
}

function TallyList({ items, arn = false }: { items: Tally[]; arn?: boolean }) {
  if (items.length === 0) return <>—</>;
  const shown = items.slice(0, 3);
  return (
    <ul className="flex flex-col gap-0.5">
      {shown.map((t) => (
        <li key={t.value} title={t.value} className="break-all">
          {arn ? shortArn(t.value) : t.value} <span className="tabular text-slate-500">({formatNumber(t.count)})</span>
        </li>
      ))}
      {items.length > shown.length ? <li className="text-slate-500">and {items.length - shown.length} more</li> : null}
    </ul>
  );
}

function SpikeTable({ spikes, drill }: { spikes: DecryptSpikeView[]; drill: DrillDown }) {
  return (
    <div className="overflow-x-auto rounded border border-slate-200">
      <table className="min-w-full divide-y divide-slate-200 text-xs">
        <caption className="sr-only">Decrypt-denied spikes</caption>
        <thead className="bg-slate-50 text-left text-slate-700">
          <tr>
            <th scope="col" className="px-2 py-1.5 font-semibold">Start (UTC)</th>
            <th scope="col" className="px-2 py-1.5 font-semibold">End (UTC)</th>
            <th scope="col" className="px-2 py-1.5 text-right font-semibold">Denied</th>
            <th scope="col" className="px-2 py-1.5 text-right font-semibold">Baseline</th>
            <th scope="col" className="px-2 py-1.5 font-semibold">KMS keys</th>
            <th scope="col" className="px-2 py-1.5 font-semibold">Principals</th>
            <th scope="col" className="px-2 py-1.5 font-semibold">Source addresses</th>
            {drill ? <th scope="col" className="px-2 py-1.5 font-semibold">Events</th> : null}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 align-top">
          {spikes.map((s) => (
            <tr key={s.start}>
              <td className="whitespace-nowrap px-2 py-1 font-mono">{utcText(s.start)}</td>
              <td className="whitespace-nowrap px-2 py-1 font-mono">{utcText(s.end)}</td>
              <td className="tabular px-2 py-1 text-right font-semibold">{formatNumber(s.count)}</td>
              <td className="tabular px-2 py-1 text-right">{formatNumber(Math.round(s.baseline * 10) / 10)}</td>
              <td className="px-2 py-1">
                <TallyList items={s.keys} arn />
              </td>
              <td className="px-2 py-1">
                <TallyList items={s.principals} arn />
              </td>
              <td className="px-2 py-1">
                <TallyList items={s.sourceIps} />
              </td>
              {drill ? (
                <td className="whitespace-nowrap px-2 py-1">
                  <Link href={eventsHref(s.start, s.end)} className="text-brand-700 underline">
                    Every event of {s.start.slice(0, 10)}
                  </Link>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Method({ k }: { k: DecryptPanel }) {
  const p = k.parameters;
  return (
    <div className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-xs text-slate-700">
      <p className="font-semibold text-slate-800">How spikes are found</p>
      <p className="mt-1">
        An hour is flagged when its refusals exceed the seasonal baseline by more than {p.k} spreads and number at least {p.minCount}. The baseline is the median of the same
        clock hour on the previous {p.seasonDays} days of the same kind (weekday or weekend) in {p.timeZone} time, read from {p.historyFrom} on.
      </p>
      <details className="mt-1">
        <summary className="cursor-pointer">The method in full</summary>
        <p className="mt-1">{k.method}</p>
      </details>
    </div>
  );
}

export function DecryptPanelView({ d, drill }: { d: PostureDashboard; drill: DrillDown }) {
  const figure = d.figures['decrypt.minutes'];
  return (
    <FigureGate figure={figure}>
      <LogsGate figure={figure} sources={['cloudtrail']}>
        {d.decrypt ? <DecryptFigures d={d} k={d.decrypt} drill={drill} /> : <p className="text-sm text-slate-600">No Decrypt figures recorded.</p>}
      </LogsGate>
    </FigureGate>
  );
}

function DecryptFigures({ d, k, drill }: { d: PostureDashboard; k: DecryptPanel; drill: DrillDown }) {
  const source = <FigureSource figure={d.figures['decrypt.minutes']} />;
  const flaggedHours = k.hourly.filter((h) => h.flagged).length;
  const busiest = k.hourly.reduce((m, h) => Math.max(m, h.count), 0);
  const { hours, focused } = hourlyFocus(k.hourly, k.spikes.map((s) => s.hours));
  const shown = new Set(hours.map((h) => h.hour));
  const areas = k.spikes
    .filter((s) => s.hours.some((h) => shown.has(h)))
    .map((s) => ({ from: s.hours[0]!, to: s.hours.at(-1)!, label: `${formatNumber(s.count)} denied` }));
  const maxDays = drill?.maxDays ?? 31;
  const events = daysBetween(d.window.from, d.window.to).length <= maxDays ? d.window : { from: addDays(d.window.to, -(maxDays - 1)), to: d.window.to };
  const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
  return (
    <div className="flex flex-col gap-4">
      <dl className="grid grid-cols-2 gap-3 md:grid-cols-4">
        <Stat label="Refused Decrypt calls" value={formatNumber(k.total)} detail={`${d.window.from} to ${d.window.to}`} />
        <Stat label="Spikes" value={formatNumber(k.spikes.length)} detail={`${formatNumber(flaggedHours)} flagged hour${flaggedHours === 1 ? '' : 's'}`} />
        <Stat label="Refused outside spikes" value={formatNumber(k.total - k.spikes.reduce((s, x) => s + x.count, 0))} detail="ordinary noise" />
        <Stat label="Busiest hour" value={formatNumber(busiest)} detail="refusals in one clock hour" />
      </dl>
      <div>
        <h3 className="mb-2 text-sm font-semibold text-slate-900">Spikes above the seasonal baseline</h3>
        {k.spikes.length > 0 ? (
          <SpikeTable spikes={k.spikes} drill={drill} />
        ) : (
          <p className="text-sm text-slate-700">No hour of the window is above the seasonal threshold.</p>
        )}
        <p className="mt-1 text-xs text-slate-500">
          Start and end are the first and last refusal of the burst; the baseline is what the seasonal model expected over the same span.
          {drill ? (
            <>
              {' '}
              <Link href={eventsHref(events.from, events.to)} className="text-brand-700 underline">
                Every refused Decrypt event from {events.from} to {events.to}
              </Link>{' '}
              lists key, principal, source address, client and error{events.from === d.window.from ? '' : ` (the events query covers at most ${maxDays} days)`}.
            </>
          ) : null}
        </p>
      </div>
      <Method k={k} />
      <div className="grid gap-4 xl:grid-cols-2">
        <FigureFrame
          title="Refused Decrypt calls per day"
          description="Days with a flagged hour are marked ▲ and drawn in the flag colour."
          table={{
            columns: [
              { key: 'day', label: 'Day (UTC)' },
              { key: 'count', label: 'Refused', kind: 'number' },
              { key: 'flagged', label: 'Spike' },
            ],
            rows: k.daily.map((x) => ({ day: x.day, count: x.count, flagged: x.flagged ? 'spike' : '' })),
          }}
          csvName={`decrypt-denied-daily-${d.window.from}-${d.window.to}`}
          source={source}
        >
          <FlaggedDays label="Refused Decrypt calls per day" data={k.daily} />
        </FigureFrame>
        <FigureFrame
          title="Refused Decrypt calls per hour"
          description={
            focused
              ? 'The day before, of and after each spike (the window is longer than a month), with the baseline and the threshold; spikes shaded.'
              : 'Every hour of the window with the baseline and the threshold; spikes shaded.'
          }
          table={{
            columns: [
              { key: 'hour', label: 'Hour (UTC)' },
              { key: 'count', label: 'Refused', kind: 'number' },
              { key: 'baseline', label: 'Baseline', kind: 'number' },
              { key: 'threshold', label: 'Threshold', kind: 'number' },
              { key: 'flagged', label: 'Spike' },
            ],
            rows: hours.map((h) => ({ hour: utcText(h.hour), count: h.count, baseline: round(h.baseline), threshold: round(h.threshold), flagged: h.flagged ? 'spike' : '' })),
          }}
          csvName={`decrypt-denied-hourly-${d.window.from}-${d.window.to}`}
          source={source}
        >
          <HourlyWithBaseline label="Refused Decrypt calls per hour" data={hours} spikes={areas} />
        </FigureFrame>
      </div>
    </div>
  );
}
