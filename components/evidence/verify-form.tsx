'use client';

import { useState, type FormEvent } from 'react';
import { Alert, Badge } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field, Input, describedBy } from '@/components/ui/field';
import type { EvidenceCheckDto } from '@/lib/evidence/verify-evidence';

const KINDS: Record<string, string> = {
  'query-run': 'Query-run report',
  'patient-access': 'Patient access report',
  'posture-summary': 'Posture summary',
  disposition: 'Proof of disposition',
};

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="grid gap-1 py-2 sm:grid-cols-[14rem_1fr]">
      <dt className="font-medium text-slate-700">{label}</dt>
      <dd className="min-w-0 break-words text-slate-900">{children}</dd>
    </div>
  );
}

const yesNo = (ok: boolean, yes: string, no: string, tone: 'success' | 'error' = 'error') => <Badge tone={ok ? 'success' : tone}>{ok ? yes : no}</Badge>;

/** Uploads a PDF to the portal's verification (a POST to /evidence/verify) and shows what it found. */
export function VerifyForm() {
  const [result, setResult] = useState<EvidenceCheckDto | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setPending(true);
    setError(null);
    setResult(null);
    try {
      const response = await fetch('/evidence/verify', { method: 'POST', body: new FormData(event.currentTarget) });
      const body = (await response.json().catch(() => null)) as (EvidenceCheckDto & { error?: string }) | null;
      if (!response.ok || !body || body.error) setError(body?.error ?? 'The file could not be verified. Please try again.');
      else setResult(body);
    } catch {
      setError('The file could not be sent. Check your connection and try again.');
    } finally {
      setPending(false);
    }
  };
  const verified = result && result.valid && result.unmodified && result.registered;
  return (
    <div className="flex flex-col gap-4">
      <form onSubmit={submit} className="flex flex-wrap items-end gap-3" aria-label="Verify a PDF">
        <Field id="verify-file" label="PDF to verify" help="Any Custos report. The file is checked here and not kept." error={error ?? undefined}>
          <Input id="verify-file" name="file" type="file" accept="application/pdf,.pdf" required aria-invalid={error ? true : undefined} aria-describedby={describedBy('verify-file', true, error ?? undefined)} />
        </Field>
        <Button type="submit" disabled={pending}>
          {pending ? 'Verifying…' : 'Verify'}
        </Button>
      </form>
      {result ? (
        <section aria-label="Verification result" className="flex flex-col gap-3">
          {verified ? (
            <Alert tone="success" title={`Verified: evidence ${result.evidenceId}, as Custos issued it`}>
              The signature is valid, the file has not changed since it was signed, and it is the file Custos registered.
            </Alert>
          ) : (
            <Alert tone="error" title="Not verified">
              {result.reason}
            </Alert>
          )}
          <dl className="divide-y divide-slate-100 text-sm">
            <Row label="Signature">{result.signer ? yesNo(result.valid, 'Valid', 'Not valid') : <Badge tone="error">None</Badge>}</Row>
            <Row label="Modified after signing">{yesNo(result.unmodified, 'No', 'Yes')}</Row>
            <Row label="Registered">{yesNo(result.registered, 'Yes', 'No')}</Row>
            {result.registered ? (
              <>
                <Row label="Evidence id">
                  <code>{result.evidenceId}</code>
                </Row>
                <Row label="Kind">{KINDS[result.kind ?? ''] ?? result.kind}</Row>
                <Row label="Belongs to">{result.subjectLabel}</Row>
                <Row label="Made by">{result.createdBy}</Row>
                <Row label="Made at">{result.createdAt?.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')}</Row>
              </>
            ) : null}
            {result.certificate ? (
              <Row label="Signer certificate">
                <span className="block">{result.certificate.subject}</span>
                <span className="block text-xs text-slate-600">Issued by {result.certificate.issuer}; valid {result.certificate.notBefore.slice(0, 10)} to {result.certificate.notAfter.slice(0, 10)}</span>
                <span className="block text-xs text-slate-600">
                  SHA-256 <code className="break-all">{result.certificate.fingerprint}</code>
                </span>
                <span className="block text-xs">{result.certificate.known ? 'A certificate this portal signs with.' : 'Not a certificate this portal has ever signed with.'}</span>
              </Row>
            ) : null}
            {result.timestamp ? (
              <Row label="Time-stamp">
                {result.timestamp.time.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')} by {result.timestamp.authority ?? 'an unnamed authority'} ({result.timestamp.valid ? 'valid' : 'not valid'})
              </Row>
            ) : null}
            <Row label="File SHA-256">
              <code className="break-all text-xs">{result.sha256}</code>
            </Row>
          </dl>
        </section>
      ) : null}
    </div>
  );
}
