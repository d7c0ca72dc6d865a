import { Badge } from '@/components/ui/alert';
import type { RuleOutcome } from '@/lib/retention/evaluate';

const APPLIES = { yes: 'applies', no: 'does not apply', unknown: 'may apply' } as const;

/** Each rule of the set against a study: whether it applies, its arithmetic, the last day it keeps the study. */
export function RuleOutcomes({ rules, caption }: { rules: readonly RuleOutcome[]; caption: string }) {
  return (
    <div className="relative overflow-x-auto rounded-md border border-slate-200 bg-white">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-50 text-left text-slate-700">
          <tr>
            <th scope="col" className="px-3 py-2 font-medium">Rule</th>
            <th scope="col" className="px-3 py-2 font-medium">Applies to</th>
            <th scope="col" className="px-3 py-2 font-medium">Here</th>
            <th scope="col" className="px-3 py-2 font-medium">Arithmetic</th>
            <th scope="col" className="px-3 py-2 font-medium">Kept through</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rules.map((r) => (
            <tr key={r.id}>
              <td className="whitespace-nowrap px-3 py-2 font-mono text-xs">{r.id}</td>
              <td className="px-3 py-2">{r.when}</td>
              <td className="whitespace-nowrap px-3 py-2">
                <Badge tone={r.applies === 'yes' ? 'info' : r.applies === 'unknown' ? 'warning' : 'neutral'}>{APPLIES[r.applies]}</Badge>
              </td>
              <td className="px-3 py-2">{r.arithmetic ?? '—'}</td>
              <td className="whitespace-nowrap px-3 py-2">{r.keptThrough ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The explanation in sentences, in the order the rule engine reasoned. */
export function ExplanationSteps({ steps }: { steps: readonly string[] }) {
  return (
    <ol className="list-decimal space-y-1 pl-5 text-sm text-slate-800">
      {steps.map((s, i) => (
        <li key={i}>{s}</li>
      ))}
    </ol>
  );
}
