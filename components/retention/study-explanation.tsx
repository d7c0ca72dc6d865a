import Link from 'next/link';
import { Alert } from '@/components/ui/alert';
import { formatTimestamp } from '@/lib/format';
import type { RetentionExplanationDto } from '@/lib/retention/explain-study-retention';
import { ExplanationSteps, RuleOutcomes } from './explanation';

/** Why a study may or may not be deleted on a day: the rule set, each rule's arithmetic, the outcome and what holds it. */
export function StudyExplanation({ explanation: e }: { explanation: RetentionExplanationDto }) {
  const j = e.json;
  return (
    <div className="flex flex-col gap-4" data-testid="retention-explanation">
      <dl className="grid gap-2 text-sm sm:grid-cols-[14rem_1fr]">
        <dt className="font-medium text-slate-700">Study</dt>
        <dd className="font-mono text-xs">{e.study.studyInstanceUid}</dd>
        {e.study.accessionNumber ? (
          <>
            <dt className="font-medium text-slate-700">Accession number</dt>
            <dd>{e.study.accessionNumber}</dd>
          </>
        ) : null}
        <dt className="font-medium text-slate-700">Modality, study date, facility</dt>
        <dd>
          {e.study.modality}, {e.study.studyDate}, {e.study.facility ?? 'facility not recorded'}
        </dd>
        <dt className="font-medium text-slate-700">Rule set</dt>
        <dd>
          {e.ruleSet.name} — {e.ruleSet.id} version {e.ruleSet.version} ({e.ruleSet.jurisdiction}); minors are under {e.ruleSet.majorityAge} at the study
        </dd>
        <dt className="font-medium text-slate-700">Retention class</dt>
        <dd>{j.retentionClass ?? 'unknown'}</dd>
        {j.birthDate ? (
          <>
            <dt className="font-medium text-slate-700">Birth date</dt>
            <dd>{j.birthDate}</dd>
          </>
        ) : null}
        <dt className="font-medium text-slate-700">Governing rule</dt>
        <dd className="font-mono text-xs">{j.rule ?? '—'}</dd>
        <dt className="font-medium text-slate-700">Kept through</dt>
        <dd>{e.retainedThrough ?? 'cannot be computed'}</dd>
        <dt className="font-medium text-slate-700">First day it may be deleted</dt>
        <dd>{j.retainUntil ?? 'cannot be computed'}</dd>
        <dt className="font-medium text-slate-700">As of {e.asOf}</dt>
        <dd>{j.deletable ? 'deletable' : `not deletable: ${j.reasons.join('; ')}`}</dd>
      </dl>
      {e.hold ? (
        <Alert tone="warning" title="On legal hold">
          Placed {formatTimestamp(e.hold.placedAt)}: {e.hold.reason}
        </Alert>
      ) : null}
      {e.disposition ? (
        <Alert tone="info" title="Disposed">
          On {formatTimestamp(e.disposition.disposedAt)} by{' '}
          <Link className="underline" href={`/retention/requests/${e.disposition.requestId}`}>
            request {e.disposition.requestId.slice(0, 8)}
          </Link>
          .
        </Alert>
      ) : null}
      {e.openRequest && !e.disposition ? (
        <p className="text-sm text-slate-700">
          In an open deletion request:{' '}
          <Link className="text-brand-700 underline" href={`/retention/requests/${e.openRequest}`}>
            {e.openRequest.slice(0, 8)}
          </Link>
          .
        </p>
      ) : null}
      <RuleOutcomes rules={e.rules} caption={`Rules of ${e.ruleSet.id} version ${e.ruleSet.version} for study ${e.study.studyInstanceUid}`} />
      <ExplanationSteps steps={e.steps} />
      <p className="text-xs text-slate-500">
        The command line gives the same answer: <code>npm run -s custos -- retention explain --study {e.study.studyInstanceUid} --as-of {e.asOf}</code>
      </p>
    </div>
  );
}
