import type { Metadata } from 'next';
import Link from 'next/link';
import { CandidatesForm } from '@/components/retention/candidates-form';
import { HeldTable } from '@/components/retention/held-table';
import { HoldsTable } from '@/components/retention/holds-table';
import { PlaceHoldForm } from '@/components/retention/place-hold-form';
import { RequestsTable } from '@/components/retention/requests-table';
import { StudyExplanation } from '@/components/retention/study-explanation';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field, Input } from '@/components/ui/field';
import { PageHeader, Section } from '@/components/ui/page-header';
import { can } from '@/lib/auth/policy';
import { isDomainError } from '@/lib/errors';
import { plural } from '@/lib/format';
import { explainStudyRetention, type RetentionExplanationDto } from '@/lib/retention/explain-study-retention';
import { listDeletionRequests } from '@/lib/retention/list-deletion-requests';
import { listLegalHolds } from '@/lib/retention/list-legal-holds';
import { listRetentionCandidates } from '@/lib/retention/list-retention-candidates';
import type { RequestSummaryDto } from '@/lib/retention/request-dto';
import type { DeletionState } from '@/lib/retention/state';
import { requirePage } from '@/lib/web/guard';
import { createDeletionRequestAction, liftLegalHoldAction, placeLegalHoldAction } from './actions';

export const metadata: Metadata = { title: 'Retention' };

const GROUPS: { title: string; states: DeletionState[]; empty: string }[] = [
  { title: 'Awaiting approval', states: ['pending'], empty: 'No request awaits approval.' },
  { title: 'Approved and executing', states: ['approved', 'executing'], empty: 'No request is approved or executing.' },
  { title: 'Executed', states: ['completed'], empty: 'No request has been executed yet.' },
  { title: 'Rejected, withdrawn, expired or stopped', states: ['rejected', 'withdrawn', 'expired', 'halted', 'failed'], empty: 'None.' },
];

async function explanationFor(ctx: Parameters<typeof explainStudyRetention>[0], study: string | undefined): Promise<{ explanation: RetentionExplanationDto | null; problem: string | null }> {
  if (!study) return { explanation: null, problem: null };
  try {
    return { explanation: await explainStudyRetention(ctx, { study }), problem: null };
  } catch (error) {
    if (isDomainError(error) && (error.code === 'validation' || error.code === 'not_found')) return { explanation: null, problem: error.message };
    throw error;
  }
}

export default async function RetentionPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await requirePage('/retention', '/retention');
  const search = await searchParams;
  const study = typeof search.explain === 'string' && search.explain.trim() ? search.explain.trim() : undefined;
  const requests = await listDeletionRequests(ctx);
  const mayRequest = can(ctx.actor, 'retention.request');
  const mayHold = can(ctx.actor, 'retention.hold');
  const approver = can(ctx.actor, 'retention.approve');
  const candidates = mayRequest ? await listRetentionCandidates(ctx, {}) : null;
  const holds = mayHold ? await listLegalHolds(ctx) : null;
  const { explanation, problem } = await explanationFor(ctx, study);
  const awaitingMe = requests.filter((r) => r.awaitingMe);
  const inGroup = (states: DeletionState[]): RequestSummaryDto[] => requests.filter((r) => states.includes(r.state) && !(approver && r.awaitingMe));

  return (
    <>
      <PageHeader
        title="Retention"
        description="Studies past their legal retention and not on hold. Deletion is never an S3 lifecycle rule here: it is a request that freezes the exact objects to destroy, approved by two people other than the requester, executed and verified by Custos, and proven by a signed certificate."
        actions={
          <Link className="text-sm text-brand-700 underline" href="/retention/rules">
            Retention rules
          </Link>
        }
      />

      {approver ? (
        <Section title="Awaiting my approval" description="Requests filed by someone else that you have not decided on. Open one to review its manifest, then approve (re-entering your password) or reject it.">
          <RequestsTable caption="Requests awaiting my approval" requests={awaitingMe} empty="Nothing awaits your approval." />
        </Section>
      ) : null}

      <Section title="Deletion requests" description="Every request, newest first, grouped by where it stands.">
        <div className="flex flex-col gap-6">
          {GROUPS.map((g) => {
            const rows = inGroup(g.states);
            return (
              <div key={g.title}>
                <h3 className="mb-2 text-sm font-semibold text-slate-900">
                  {g.title} <span className="font-normal text-slate-500">({rows.length})</span>
                </h3>
                <RequestsTable caption={`Deletion requests: ${g.title.toLowerCase()}`} requests={rows} empty={g.empty} />
              </div>
            );
          })}
        </div>
      </Section>

      {candidates ? (
        <Section
          title="Candidates"
          description={`Studies whose retention ended by ${candidates.asOf} (UTC) under the rule set in force for their facility, and that nothing holds: no legal hold in the catalog or in Custos, no S3 legal hold or Object Lock in the latest inventory. Pick a cohort and give the reason; the request freezes its manifest at once.`}
        >
          <p className="mb-3 text-sm text-slate-700">{plural(candidates.candidates.length, 'candidate')}.</p>
          <CandidatesForm candidates={candidates.candidates} action={createDeletionRequestAction} />
        </Section>
      ) : null}

      {candidates ? (
        <Section title="Past retention but held" description="These cannot be requested until what holds them ends.">
          <HeldTable held={candidates.held} />
        </Section>
      ) : null}

      {holds ? (
        <Section title="Legal holds" description="A hold keeps a study out of every deletion request, and stops an approved one before it deletes anything. Placing and lifting are journaled with their reasons.">
          <div className="flex flex-col gap-5">
            <PlaceHoldForm action={placeLegalHoldAction} />
            <HoldsTable holds={holds} lift={liftLegalHoldAction} />
          </div>
        </Section>
      ) : null}

      <Section title="Explain a study’s retention" description="The rule set, each rule’s date arithmetic, and what holds the study, as of today (UTC).">
        <form method="get" action="/retention#explanation" className="mb-4 flex flex-wrap items-end gap-3" aria-label="Explain a study">
          <Field id="explain-study" label={can(ctx.actor, 'retention.read_identifiers') ? 'Study Instance UID or accession number' : 'Study Instance UID'}>
            <Input id="explain-study" name="explain" className="w-96 font-mono" defaultValue={study ?? ''} autoComplete="off" spellCheck={false} />
          </Field>
          <Button type="submit" variant="secondary">
            Explain
          </Button>
        </form>
        <div id="explanation">
          {problem ? <Alert tone="error">{problem}</Alert> : null}
          {explanation ? <StudyExplanation explanation={explanation} /> : null}
        </div>
      </Section>
    </>
  );
}
