import 'server-only';
import fs from 'node:fs';
import path from 'node:path';
import { KIND_LABELS, subjectLabel } from '@/lib/evidence/evidence-dto';
import { exportPatientReport } from '@/lib/evidence/export-patient-report';
import { exportPostureReport } from '@/lib/evidence/export-posture-report';
import { exportRunReport } from '@/lib/evidence/export-run-report';
import { verificationJson, verifyEvidence, type EvidenceCheckDto } from '@/lib/evidence/verify-evidence';
import { DomainError } from '@/lib/errors';
import { withCli } from '../context';
import type { Parsed } from '../args';
import { UsageError, err, out } from '../io';
import type { EVIDENCE_EXPORT, EVIDENCE_VERIFY } from '../specs';

const yes = (ok: boolean, no: string) => (ok ? 'yes' : no);

function summary(file: string, check: EvidenceCheckDto): string {
  const lines = [
    `${file}`,
    `  Signature     ${check.valid ? 'valid' : check.signer ? 'not valid' : 'none'}${check.signer ? ` — ${check.signer.subject}` : ''}`,
    `  Unmodified    ${yes(check.unmodified, 'no: the file changed after it was signed')}`,
    `  Registered    ${check.registered ? `yes — ${check.evidenceId} (${KIND_LABELS[check.kind!]})` : 'no'}`,
  ];
  if (check.subject) lines.push(`  Belongs to    ${subjectLabel(check.subject)}`);
  if (check.createdAt) lines.push(`  Made by       ${check.createdBy} on ${check.createdAt}`);
  if (check.signer) lines.push(`  Signer SHA-256 ${check.signer.fingerprint}`);
  lines.push(`  File SHA-256  ${check.sha256}`);
  return lines.join('\n');
}

export async function evidenceVerify({ values, positionals }: Parsed<typeof EVIDENCE_VERIFY>): Promise<number> {
  const file = path.resolve(positionals[0]!);
  let pdf: Buffer;
  try {
    pdf = fs.readFileSync(file);
  } catch {
    throw new DomainError('validation', `cannot read ${file}`);
  }
  return withCli({}, async (ctx) => {
    const check = await verifyEvidence(ctx, pdf);
    out(values.json ? JSON.stringify(verificationJson(check), null, 2) : summary(positionals[0]!, check));
    if (check.valid && check.unmodified && check.registered) return 0;
    err(`Not verified: ${check.reason}`);
    return 1;
  });
}

export async function evidenceExport({ values }: Parsed<typeof EVIDENCE_EXPORT>): Promise<number> {
  if (values.posture ? values.run !== undefined || values.patient : values.run === undefined) {
    throw new UsageError('name one report: --run RUN_ID (with --patient for the patient access report), or --posture --from D --to D');
  }
  if (values.posture && (!values.from || !values.to)) throw new UsageError('--posture needs --from and --to: the window, UTC days YYYY-MM-DD');
  if (!values.posture && (values.from || values.to)) throw new UsageError('--from and --to go with --posture');
  const file = path.resolve(values.out);
  if (fs.existsSync(file)) throw new DomainError('validation', `--out: ${file} already exists; name a new file`);
  if (!fs.existsSync(path.dirname(file))) throw new DomainError('validation', `--out: the folder ${path.dirname(file)} does not exist`);
  return withCli({}, async (ctx) => {
    const issued = values.posture
      ? await exportPostureReport(ctx, { from: values.from, to: values.to })
      : values.patient
        ? await exportPatientReport(ctx, { runId: values.run })
        : await exportRunReport(ctx, { runId: values.run });
    // owner-only: a patient access report names the patient's studies and everyone who read them
    fs.writeFileSync(file, issued.pdf, { flag: 'wx', mode: 0o600 });
    if (values.json) out(JSON.stringify({ evidenceId: issued.evidenceId, sha256: issued.sha256, file }, null, 2));
    else out(`${KIND_LABELS[issued.kind]} ${issued.evidenceId} (SHA-256 ${issued.sha256}) written to ${file}`);
    return 0;
  });
}
