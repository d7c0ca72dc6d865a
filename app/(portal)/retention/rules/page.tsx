import type { Metadata } from 'next';
import Link from 'next/link';
import { RuleSetForm } from '@/components/retention/rule-set-form';
import { Badge } from '@/components/ui/alert';
import { PageHeader, Section } from '@/components/ui/page-header';
import { can } from '@/lib/auth/policy';
import { formatTimestamp } from '@/lib/format';
import { listRuleSets, type RuleSetDto } from '@/lib/retention/list-rule-sets';
import { requirePage } from '@/lib/web/guard';
import { saveRuleSetAction } from './actions';

export const metadata: Metadata = { title: 'Retention rules' };

const LEAP_DAY = { feb28: '28 February', mar1: '1 March' } as const;

function RuleSetCard({ set }: { set: RuleSetDto }) {
  return (
    <article className="rounded-md border border-slate-200 p-4" aria-label={`${set.ruleSetId} version ${set.version}`}>
      <header className="flex flex-wrap items-center gap-2">
        <h3 className="text-sm font-semibold text-slate-900">
          {set.name} — <span className="font-mono">{set.ruleSetId}</span> version {set.version}
        </h3>
        {set.inForce ? <Badge tone="success">in force</Badge> : <Badge>retired</Badge>}
      </header>
      <p className="mt-1 text-xs text-slate-600">
        {set.jurisdiction}; {set.facilities ? `facilities: ${set.facilities.join(', ')}` : 'every facility no other rule set names'}; minors are under {set.majorityAge} at the study; 29 February
        anniversaries fall on {LEAP_DAY[set.leapDay]} in common years. Saved {formatTimestamp(set.createdAt)} by {set.createdBy}.
      </p>
      <div className="relative mt-3 overflow-x-auto rounded-md border border-slate-200 bg-white">
        <table className="min-w-full divide-y divide-slate-200 text-sm">
          <caption className="sr-only">
            Rules of {set.ruleSetId} version {set.version}
          </caption>
          <thead className="bg-slate-50 text-left text-slate-700">
            <tr>
              <th scope="col" className="px-3 py-2 font-medium">Rule</th>
              <th scope="col" className="px-3 py-2 font-medium">Applies to</th>
              <th scope="col" className="px-3 py-2 font-medium">Keeps the study until</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {set.rules.map((r) => (
              <tr key={r.id}>
                <td className="whitespace-nowrap px-3 py-2 font-mono text-xs">{r.id}</td>
                <td className="px-3 py-2">{r.when}</td>
                <td className="px-3 py-2">{r.keep}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <details className="mt-2">
        <summary className="cursor-pointer text-xs text-brand-700">Definition (JSON)</summary>
        <pre className="mt-2 overflow-x-auto rounded bg-slate-50 p-2 text-xs">{set.json}</pre>
      </details>
    </article>
  );
}

export default async function RetentionRulesPage() {
  const ctx = await requirePage('/retention/rules', '/retention/rules');
  const sets = await listRuleSets(ctx);
  const inForce = sets.filter((s) => s.inForce);
  const retired = sets.filter((s) => !s.inForce);
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/retention" className="text-brand-700 hover:underline">
          ← Retention
        </Link>
      </p>
      <PageHeader
        title="Retention rules"
        description="Rules as data, versioned: every rule that applies to a study counts and the latest end wins. A rule set is never edited; saving makes its next version, and a deletion request keeps the version each study was judged under."
      />
      <Section title="In force" description="One rule set governs every facility no other names; the others govern the facilities they list.">
        <div className="flex flex-col gap-4">
          {inForce.map((s) => (
            <RuleSetCard key={`${s.ruleSetId}@${s.version}`} set={s} />
          ))}
        </div>
      </Section>
      {can(ctx.actor, 'retention.rules') ? (
        <Section title="Save a new version" description="Start from a version’s definition; checked before it is saved (ids, rules, one rule for every study, facilities governed once).">
          <RuleSetForm action={saveRuleSetAction} initial={inForce[0]?.json ?? ''} />
        </Section>
      ) : null}
      <Section title="Earlier versions" description="Kept: requests judged under them still name them.">
        {retired.length ? (
          <div className="flex flex-col gap-4">
            {retired.map((s) => (
              <RuleSetCard key={`${s.ruleSetId}@${s.version}`} set={s} />
            ))}
          </div>
        ) : (
          <p className="text-sm text-slate-600">None.</p>
        )}
      </Section>
    </>
  );
}
