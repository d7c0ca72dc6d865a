'use client';

import { Alert } from '@/components/ui/alert';
import type { MadeReport } from '@/lib/evidence/make-report';
import type { ActionState } from '@/lib/web/action-state';
import { DownloadEvidenceButton } from './download-button';

/** What a report form answered: the new evidence and its download, or why there is none. */
export function MadeReportResult({ state, download }: { state: ActionState<MadeReport>; download: (evidenceId: string) => Promise<ActionState<string>> }) {
  if (state?.ok) {
    return (
      <Alert tone="success" title={`Evidence ${state.data.evidenceId} made and registered`}>
        SHA-256 <code className="break-all text-xs">{state.data.sha256}</code>. <DownloadEvidenceButton evidenceId={state.data.evidenceId} download={download} />
      </Alert>
    );
  }
  return state && !state.ok ? <Alert tone="error">{state.message}</Alert> : null;
}
