import Link from 'next/link';
import { Badge } from '@/components/ui/alert';
import { FIGURES, type FigureKey } from '@/lib/posture/figures';
import type { PostureDashboard } from '@/lib/posture/dashboard-types';
import type { PostureSummary } from '@/lib/posture/summary';
import { coverageState, PANELS, panelStatus } from './dashboard-view';

/** The runs whose window no log covers: a key figure from one of them is no figure at all. */
function runsWithoutLogs(d: PostureDashboard): Set<string> {
  const out = new Set<string>();
  for (const [key, ref] of Object.entries(d.figures)) {
    if (ref?.runId && coverageState(ref.coverage, PANELS[FIGURES[key as FigureKey].panel].sources) === 'none') out.add(ref.runId);
  }
  return out;
}

/** "Is the archive healthy?": one card per panel with its status and headline, then the key figures. */
export function SummaryRow({ d, summary }: { d: PostureDashboard; summary: PostureSummary }) {
  const noLogs = runsWithoutLogs(d);
  return (
    <section aria-labelledby="posture-summary" className="mb-6">
      <h2 id="posture-summary" className="sr-only">
        Summary
      </h2>
      <ul className="grid gap-3 md:grid-cols-2 xl:grid-cols-4">
        {summary.headlines.map((h) => {
          const panel = PANELS[h.panel];
          const coverage = coverageState(d.figures[panel.figure]?.coverage, panel.sources);
          const status = panelStatus(h.status, coverage);
          return (
            <li key={h.panel} className="flex flex-col gap-2 rounded-lg border border-slate-200 bg-white p-4 shadow-sm" data-panel={h.panel}>
              <div className="flex items-center justify-between gap-2">
                <a href={`#${panel.anchor}`} className="text-sm font-semibold text-slate-900 hover:underline">
                  {h.title}
                </a>
                <Badge tone={status.tone}>{status.label}</Badge>
              </div>
              <p className="text-sm text-slate-700">
                {coverage === 'none' ? 'No logs cover this window: the figures would read zero, which proves nothing.' : h.text}
              </p>
              {coverage === 'partial' ? <p className="text-xs text-amber-800">The logs have gaps in this window.</p> : null}
              {h.runIds.length ? (
                <p className="mt-auto text-xs text-slate-500">
                  From {h.runIds.length === 1 ? 'the run' : 'the runs'}{' '}
                  {h.runIds.map((id, i) => (
                    <span key={id}>
                      {i > 0 ? ', ' : ''}
                      <Link href={`/posture/runs/${id}`} className="font-mono text-brand-700 underline">
                        {id.slice(0, 8)}
                      </Link>
                    </span>
                  ))}
                </p>
              ) : null}
            </li>
          );
        })}
      </ul>
      {summary.figures.length ? (
        <dl className="mt-3 grid grid-cols-2 gap-x-4 gap-y-2 rounded-lg border border-slate-200 bg-white px-4 py-3 text-sm md:grid-cols-3 xl:grid-cols-6">
          {summary.figures.map((f) => (
            <div key={f.label} className="min-w-0">
              <dt className="text-xs text-slate-600">{f.label}</dt>
              <dd className="tabular font-semibold text-slate-900">{f.runId && noLogs.has(f.runId) ? 'No logs' : f.value}</dd>
              {f.detail && !(f.runId && noLogs.has(f.runId)) ? <dd className="truncate text-xs text-slate-500" title={f.detail}>{f.detail}</dd> : null}
            </div>
          ))}
        </dl>
      ) : null}
    </section>
  );
}
