'use client';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field, Input, describedBy } from '@/components/ui/field';
import type { DecisionResultDto } from '@/lib/retention/approve-deletion-request';
import type { ActionState } from '@/lib/web/action-state';
import { TextArea } from './text-area';
import { useAttempts } from './use-attempts';

type Action<T = DecisionResultDto> = (state: ActionState<T>, form: FormData) => Promise<ActionState<T>>;

type ApproveProps = {
  action: Action;
  manifestSha256: string;
  /** How this person re-authenticates: typing the password, or a fresh sign-in at the identity provider. */
  stepUp: { method: 'password' } | { method: 'oidc'; freshUntil: string | null; minutes: number };
};

/** Approves, bound to the manifest hash shown, after re-entering the password (or a fresh sign-in). */
export function ApproveForm({ action, manifestSha256, stepUp }: ApproveProps) {
  const { attempt, formAction, pending, errors, typed, refused, state } = useAttempts(action);
  return (
    <form action={formAction} className="flex flex-col gap-3" aria-label="Approve the deletion" noValidate>
      {refused ? <Alert tone="error" title="Not approved">{refused.message}</Alert> : null}
      {state?.ok ? (
        <Alert tone="success" title="Approved">
          {state.data.final ? 'Yours is the second approval: the deletion is queued for execution.' : `Approval ${state.data.approvals} of 2 recorded.`}
        </Alert>
      ) : null}
      <input type="hidden" name="manifestSha256" value={manifestSha256} />
      <p className="text-sm text-slate-700">
        Your approval is bound to manifest SHA-256 <code className="break-all text-xs">{manifestSha256}</code>: if the manifest changed, it is refused.
      </p>
      <div key={attempt} className="grid gap-3 sm:grid-cols-2">
        {stepUp.method === 'password' ? (
          <Field id="approve-password" label="Your password" help="Re-enter it to confirm it is you, just before approving." error={errors.password}>
            <Input
              id="approve-password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              aria-invalid={errors.password ? true : undefined}
              aria-describedby={describedBy('approve-password', true, errors.password)}
            />
          </Field>
        ) : (
          <p className="text-sm text-slate-700">
            {stepUp.freshUntil
              ? `Your sign-in is fresh until ${stepUp.freshUntil.slice(11, 19)} UTC: approve before then.`
              : `Approving needs a sign-in at your identity provider within the last ${stepUp.minutes} minutes: sign out, sign in again, and come back.`}
          </p>
        )}
        <Field id="approve-comment" label="Comment (optional)" error={errors.comment}>
          <Input id="approve-comment" name="comment" defaultValue={typed.comment ?? ''} aria-invalid={errors.comment ? true : undefined} />
        </Field>
      </div>
      <div>
        <Button type="submit" disabled={pending || (stepUp.method === 'oidc' && !stepUp.freshUntil)}>
          {pending ? 'Approving…' : 'Approve deletion'}
        </Button>
      </div>
    </form>
  );
}

function ReasonForm({ action, id, name, label, button, busy, variant, title }: { action: Action; id: string; name: string; label: string; button: string; busy: string; variant: 'danger' | 'secondary'; title: string }) {
  const { attempt, formAction, pending, errors, typed, refused } = useAttempts(action);
  return (
    <form action={formAction} className="flex flex-col gap-3" aria-label={title} noValidate>
      {refused ? <Alert tone="error">{refused.message}</Alert> : null}
      <Field id={id} label={label} error={errors[name]}>
        <TextArea
          key={attempt}
          id={id}
          name={name}
          rows={2}
          className="max-w-2xl"
          defaultValue={typed[name] ?? ''}
          aria-invalid={errors[name] ? true : undefined}
          aria-describedby={describedBy(id, false, errors[name])}
        />
      </Field>
      <div>
        <Button type="submit" variant={variant} disabled={pending}>
          {pending ? busy : button}
        </Button>
      </div>
    </form>
  );
}

/** Rejects, with a reason: one rejection ends the request. */
export function RejectForm({ action }: { action: Action }) {
  return <ReasonForm action={action} id="reject-reason" name="comment" label="Why you reject it" button="Reject request" busy="Rejecting…" variant="danger" title="Reject the deletion" />;
}

/** The requester withdraws the request, with a reason, before its execution starts. */
export function WithdrawForm({ action }: { action: Action }) {
  return <ReasonForm action={action} id="withdraw-reason" name="reason" label="Why you withdraw it" button="Withdraw request" busy="Withdrawing…" variant="secondary" title="Withdraw the request" />;
}

/** Runs a stopped execution again from where it stopped. */
export function ResumeForm({ action }: { action: Action<{ requestId: string; state: string }> }) {
  const { formAction, pending, refused } = useAttempts(action);
  return (
    <form action={formAction} className="flex flex-wrap items-center gap-3" aria-label="Resume the execution">
      <Button type="submit" disabled={pending}>
        {pending ? 'Resuming…' : 'Resume execution'}
      </Button>
      {refused ? (
        <span role="alert" className="text-sm text-red-700">
          {refused.message}
        </span>
      ) : null}
    </form>
  );
}
