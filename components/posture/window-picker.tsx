import Link from 'next/link';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/field';
import { daysBetween } from '@/lib/days';
import { WINDOW_PRESETS, windowHref } from './dashboard-view';

/**
 * The one time range every panel shows: presets ending on the lake's last day, or a custom range
 * (UTC days, both included). `lakeLastDay` undefined: not known (the window could not be read).
 */
export function WindowPicker({ window, preset, lakeLastDay }: { window: { from: string; to: string } | null; preset: number | null; lakeLastDay: string | null | undefined }) {
  const days = window && window.from <= window.to ? daysBetween(window.from, window.to).length : null;
  return (
    <div className="mb-4 flex flex-wrap items-end justify-between gap-4 rounded-lg border border-slate-200 bg-white px-4 py-3">
      <div className="flex flex-col gap-2">
        <nav aria-label="Window" className="flex flex-wrap items-center gap-1">
          <span className="mr-2 text-sm font-medium text-slate-800">Window</span>
          {WINDOW_PRESETS.map((p) => {
            const active = preset === p.days;
            return (
              <Link
                key={p.days}
                href={windowHref({ days: p.days })}
                aria-current={active ? 'page' : undefined}
                className={`rounded-md px-3 py-1.5 text-sm font-medium ${active ? 'bg-slate-800 text-white' : 'border border-slate-300 bg-white text-slate-800 hover:bg-slate-100'}`}
              >
                {p.label}
              </Link>
            );
          })}
        </nav>
        <p className="text-xs text-slate-600">
          {window ? (
            <>
              Showing <span className="font-medium text-slate-800">{window.from}</span> to <span className="font-medium text-slate-800">{window.to}</span>
              {days ? ` (${days} day${days === 1 ? '' : 's'}, UTC)` : ''}
              {preset === null ? ', a custom range' : ''}.
            </>
          ) : null}{' '}
          {lakeLastDay ? `The lake's logs end on ${lakeLastDay}; presets end there.` : lakeLastDay === null ? 'The lake reports no last day of logs; presets end today.' : null}
        </p>
      </div>
      <form method="get" action="/posture" aria-label="Custom window" className="flex flex-wrap items-end gap-2">
        <label className="flex flex-col gap-1 text-xs font-medium text-slate-700">
          From
          <Input type="date" name="from" required defaultValue={window?.from ?? ''} />
        </label>
        <label className="flex flex-col gap-1 text-xs font-medium text-slate-700">
          To
          <Input type="date" name="to" required defaultValue={window?.to ?? ''} />
        </label>
        <Button type="submit" variant="secondary">
          Show range
        </Button>
      </form>
    </div>
  );
}
