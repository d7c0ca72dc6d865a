'use client';

import { Bar, BarChart, CartesianGrid, Cell, ComposedChart, Legend, Line, LineChart, ReferenceArea, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatBytes, formatNumber, formatUsd } from '@/lib/format';
import { colourAt, FLAG_COLOUR, REFERENCE_COLOUR } from './palette';

export type Unit = 'bytes' | 'count' | 'usd';
export type Series = { key: string; label: string };
type Datum = Record<string, string | number | boolean | null>;

function axisValue(unit: Unit) {
  return (v: number) => {
    if (unit === 'bytes') return formatBytes(v);
    if (unit === 'usd') return v >= 1000 ? `$${(v / 1000).toFixed(v >= 10_000 ? 0 : 1)}k` : `$${v.toFixed(0)}`;
    return v >= 10_000 ? `${(v / 1000).toFixed(0)}k` : formatNumber(v);
  };
}

function tooltipValue(unit: Unit) {
  return (v: unknown) => {
    const n = Number(v);
    if (unit === 'bytes') return formatBytes(n);
    if (unit === 'usd') return formatUsd(n);
    return formatNumber(n);
  };
}

const AXIS = { fontSize: 11, stroke: '#475569' };

/** Bars per category, stacked by series; units on the value axis and in the tooltip. */
export function StackedBars({
  label,
  data,
  xKey,
  xLabel,
  series,
  unit,
  height = 280,
  horizontal = false,
}: {
  label: string;
  data: Datum[];
  xKey: string;
  xLabel: string;
  series: Series[];
  unit: Unit;
  height?: number;
  horizontal?: boolean;
}) {
  return (
    <div style={{ height }} className="w-full">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} layout={horizontal ? 'vertical' : 'horizontal'} margin={{ top: 8, right: 16, bottom: 8, left: 8 }} accessibilityLayer title={label}>
          <CartesianGrid strokeDasharray="3 3" vertical={horizontal} horizontal={!horizontal} />
          {horizontal ? (
            <>
              <XAxis type="number" tickFormatter={axisValue(unit)} {...AXIS} />
              <YAxis type="category" dataKey={xKey} width={170} {...AXIS} label={{ value: xLabel, angle: -90, position: 'insideLeft', fontSize: 11 }} />
            </>
          ) : (
            <>
              <XAxis dataKey={xKey} {...AXIS} interval="preserveStartEnd" label={{ value: xLabel, position: 'insideBottom', offset: -4, fontSize: 11 }} height={40} />
              <YAxis tickFormatter={axisValue(unit)} width={64} {...AXIS} />
            </>
          )}
          <Tooltip formatter={tooltipValue(unit)} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {series.map((s, i) => (
            <Bar key={s.key} dataKey={s.key} name={s.label} stackId="stack" fill={colourAt(i)} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

/** Lines over time (a trend, a projection). */
export function Lines({ label, data, xKey, xLabel, series, unit, height = 260 }: { label: string; data: Datum[]; xKey: string; xLabel: string; series: Series[]; unit: Unit; height?: number }) {
  return (
    <div style={{ height }} className="w-full">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 8 }} accessibilityLayer title={label}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey={xKey} {...AXIS} label={{ value: xLabel, position: 'insideBottom', offset: -4, fontSize: 11 }} height={40} />
          <YAxis tickFormatter={axisValue(unit)} width={64} {...AXIS} />
          <Tooltip formatter={tooltipValue(unit)} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {series.map((s, i) => (
            <Line key={s.key} dataKey={s.key} name={s.label} stroke={colourAt(i)} strokeWidth={2} strokeDasharray={i % 2 ? '6 3' : undefined} dot={data.length <= 40} isAnimationActive={false} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

/** Refusals per day; days with a flagged hour in the flag colour and marked with a ▲ in their label. */
export function FlaggedDays({ label, data }: { label: string; data: { day: string; count: number; flagged: boolean }[] }) {
  const rows = data.map((d) => ({ ...d, tick: d.flagged ? `▲ ${d.day.slice(5)}` : d.day.slice(5) }));
  return (
    <div style={{ height: 240 }} className="w-full">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={rows} margin={{ top: 8, right: 16, bottom: 8, left: 8 }} accessibilityLayer title={label}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="tick" {...AXIS} interval="preserveStartEnd" label={{ value: 'Day (UTC)', position: 'insideBottom', offset: -4, fontSize: 11 }} height={40} />
          <YAxis allowDecimals={false} width={48} {...AXIS} label={{ value: 'Refused calls', angle: -90, position: 'insideLeft', fontSize: 11 }} />
          <Tooltip formatter={(v) => [formatNumber(Number(v)), 'Refused calls']} labelFormatter={(_, p) => {
            const d = p?.[0]?.payload as { day: string; flagged: boolean } | undefined;
            return d ? `${d.day}${d.flagged ? ' — spike' : ''}` : '';
          }} />
          <Bar dataKey="count" name="Refused Decrypt calls" isAnimationActive={false}>
            {rows.map((d) => (
              <Cell key={d.day} fill={d.flagged ? FLAG_COLOUR : colourAt(0)} stroke={d.flagged ? REFERENCE_COLOUR : undefined} strokeDasharray={d.flagged ? '3 2' : undefined} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

/** Refusals per hour with the baseline and the threshold over them; spikes shaded and labelled. */
export function HourlyWithBaseline({
  label,
  data,
  spikes,
}: {
  label: string;
  data: { hour: string; count: number; baseline: number | null; threshold: number | null; flagged: boolean }[];
  spikes: { from: string; to: string; label: string }[];
}) {
  const rows = data.map((h) => ({ ...h, flaggedCount: h.flagged ? h.count : null, plainCount: h.flagged ? null : h.count }));
  return (
    <div style={{ height: 280 }} className="w-full">
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart data={rows} margin={{ top: 16, right: 16, bottom: 8, left: 8 }} accessibilityLayer title={label}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="hour" {...AXIS} tickFormatter={(h: string) => h.slice(5, 10)} minTickGap={24} label={{ value: 'Hour (UTC)', position: 'insideBottom', offset: -4, fontSize: 11 }} height={40} />
          <YAxis allowDecimals={false} width={48} {...AXIS} label={{ value: 'Refused per hour', angle: -90, position: 'insideLeft', fontSize: 11 }} />
          <Tooltip
            labelFormatter={(h) => `${String(h).replace('T', ' ')}:00 UTC`}
            formatter={(v, name) => [v === null || v === undefined ? '—' : formatNumber(Math.round(Number(v) * 10) / 10), name]}
          />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {spikes.map((s) => (
            <ReferenceArea key={s.from} x1={s.from} x2={s.to} fill={FLAG_COLOUR} fillOpacity={0.15} stroke={FLAG_COLOUR} strokeDasharray="4 2" label={{ value: s.label, position: 'insideTop', fontSize: 11, fill: REFERENCE_COLOUR }} ifOverflow="extendDomain" />
          ))}
          <Bar dataKey="plainCount" name="Refused" stackId="c" fill={colourAt(0)} isAnimationActive={false} />
          <Bar dataKey="flaggedCount" name="Refused, flagged" stackId="c" fill={FLAG_COLOUR} isAnimationActive={false} />
          <Line dataKey="baseline" name="Baseline" stroke={REFERENCE_COLOUR} strokeWidth={1.5} dot={false} isAnimationActive={false} connectNulls />
          <Line dataKey="threshold" name="Threshold" stroke={colourAt(1)} strokeWidth={1.5} strokeDasharray="5 3" dot={false} isAnimationActive={false} connectNulls />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
