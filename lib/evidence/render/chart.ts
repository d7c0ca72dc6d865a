import { formatBytes } from '@/lib/format';
import { MUTED } from './blocks';
import { formatNumber } from './cells';
import type { ReportDocument } from './document';
import { fit, lineHeight, put, putRight, resetColor, textWidth, type Style } from './text';
import { COLOR, SIZE } from './theme';
import type { ChartDto } from './types';

// Charts as vector graphics (rectangles and paths, not pictures): stacked bars or lines over a
// category axis, with a value axis of round steps, a legend, and the chart's source under it.

export const SERIES_COLORS = ['#0f4c5c', '#d97706', '#7c3aed', '#059669', '#b91c1c', '#2563eb'] as const;

const AXIS: Style = { font: 'sans', size: SIZE.table, color: COLOR.muted };
const TITLE: Style = { font: 'bold', size: SIZE.body, color: COLOR.text };
const HEIGHT = 150;

function formatValue(value: number, unit: ChartDto['unit']): string {
  if (unit === 'bytes') return formatBytes(value);
  if (unit === 'usd') return `$${formatNumber(Math.round(value))}`;
  return formatNumber(Math.round(value * 100) / 100);
}

/** A round step (1, 2 or 5 × 10^n) giving at most `ticks` steps up to `max`. */
export function niceStep(max: number, ticks = 5): number {
  if (max <= 0) return 1;
  const raw = max / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  return step;
}

/** Binary units step in powers of 1024 for bytes, so ticks read "2 GB", not "2.1 GB". */
function stepFor(max: number, unit: ChartDto['unit']): number {
  if (unit !== 'bytes' || max < 1024) return niceStep(max);
  const power = 1024 ** Math.floor(Math.log(max) / Math.log(1024));
  return niceStep(max / power) * power;
}

function totalOf(point: ChartDto['points'][number], kind: ChartDto['kind']): number {
  return kind === 'bars' ? point.values.reduce((a, b) => a + Math.max(0, b), 0) : Math.max(0, ...point.values);
}

export function drawChart(r: ReportDocument, chart: ChartDto): void {
  const pdf = r.pdf;
  const legendHeight = chart.series.length > 1 ? lineHeight(AXIS) + 4 : 0;
  r.ensureSpace(lineHeight(TITLE) + 6 + HEIGHT + 28 + legendHeight + lineHeight(MUTED) * 2);
  const { left, width } = r.box();
  put(pdf, chart.title, left, r.y, TITLE);
  r.y += lineHeight(TITLE) + 6;

  if (chart.points.length === 0) {
    put(pdf, chart.empty ?? 'No data in this window.', left, r.y, MUTED);
    r.y += lineHeight(MUTED) + 10;
    return;
  }
  const max = Math.max(...chart.points.map((p) => totalOf(p, chart.kind)), 0);
  const step = stepFor(max, chart.unit);
  const top = Math.max(step, Math.ceil(max / step) * step);
  const labels: string[] = [];
  for (let v = 0; v <= top + step / 2; v += step) labels.push(formatValue(v, chart.unit));
  const axisWidth = Math.max(...labels.map((l) => textWidth(pdf, AXIS, l))) + 6;
  const plot = { x: left + axisWidth, y: r.y, w: width - axisWidth, h: HEIGHT };
  const yOf = (v: number) => plot.y + plot.h - (v / top) * plot.h;

  labels.forEach((label, i) => {
    const y = yOf(i * step);
    pdf.moveTo(plot.x, y).lineTo(plot.x + plot.w, y).lineWidth(i === 0 ? 0.6 : 0.3).strokeColor(i === 0 ? COLOR.muted : COLOR.headerFill).stroke();
    putRight(pdf, label, plot.x - 4, y - lineHeight(AXIS) / 2, AXIS);
  });

  const n = chart.points.length;
  const slot = plot.w / n;
  if (chart.kind === 'bars') {
    const bar = Math.max(0.8, slot * 0.72);
    chart.points.forEach((point, i) => {
      let base = 0;
      point.values.forEach((value, s) => {
        if (value <= 0) return;
        const y0 = yOf(base);
        const y1 = yOf(base + value);
        pdf.rect(plot.x + i * slot + (slot - bar) / 2, y1, bar, y0 - y1).fill(chart.series[s]?.color ?? SERIES_COLORS[s % SERIES_COLORS.length]!);
        base += value;
      });
    });
  } else {
    chart.series.forEach((series, s) => {
      chart.points.forEach((point, i) => {
        const x = plot.x + i * slot + slot / 2;
        const y = yOf(Math.max(0, point.values[s] ?? 0));
        if (i === 0) pdf.moveTo(x, y);
        else pdf.lineTo(x, y);
      });
      pdf.lineWidth(1.2).strokeColor(series.color ?? SERIES_COLORS[s % SERIES_COLORS.length]!).stroke();
    });
  }
  resetColor(pdf);

  // category labels: every `every`-th one, each only where it does not touch the one before
  const labelY = plot.y + plot.h + 3;
  const widest = Math.max(...chart.points.map((p) => textWidth(pdf, AXIS, p.label)));
  const every = Math.max(1, Math.ceil((widest + 6) / slot));
  let clear = -Infinity;
  chart.points.forEach((point, i) => {
    if (i % every !== 0 && i !== n - 1) return;
    const text = fit(pdf, AXIS, point.label, Math.max(slot * every - 4, 20));
    const w = textWidth(pdf, AXIS, text);
    const x = Math.min(Math.max(plot.x + i * slot + slot / 2 - w / 2, plot.x), plot.x + plot.w - w);
    if (x < clear) return;
    put(pdf, text, x, labelY, AXIS);
    clear = x + w + 6;
  });
  r.y = labelY + lineHeight(AXIS) + 4;

  if (chart.series.length > 1) {
    let x = plot.x;
    chart.series.forEach((series, s) => {
      pdf.rect(x, r.y + 1.5, 7, 7).fill(series.color ?? SERIES_COLORS[s % SERIES_COLORS.length]!);
      resetColor(pdf);
      put(pdf, series.label, x + 10, r.y, AXIS);
      x += 10 + textWidth(pdf, AXIS, series.label) + 14;
    });
    r.y += legendHeight;
  }
  if (chart.note) {
    put(pdf, fit(pdf, MUTED, chart.note, width), left, r.y, MUTED);
    r.y += lineHeight(MUTED);
  }
  r.y += 10;
}
