import type { RunDto } from '@/lib/queries/run-dto';

/** A run's parameters: patient identifiers as opaque references, with their partial values for people who may read PHI. */
export function runParameterText(run: Pick<RunDto, 'parameters' | 'phiParameters'>): string {
  return Object.entries(run.parameters)
    .map(([k, v]) => `${k}=${v}${run.phiParameters?.[k] ? ` (${run.phiParameters[k]})` : ''}`)
    .join(' ');
}

export function RunParameters({ run }: { run: Pick<RunDto, 'parameters' | 'phiParameters'> }) {
  return (
    <>
      {Object.entries(run.parameters).map(([k, v]) => (
        <span key={k} className="mr-3 inline-block">
          <span className="text-slate-500">{k}</span> = <span className="font-mono text-xs">{v}</span>
          {run.phiParameters?.[k] ? <span className="ml-1 font-mono text-xs text-slate-500">({run.phiParameters[k]})</span> : null}
        </span>
      ))}
    </>
  );
}
