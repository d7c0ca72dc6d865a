import 'server-only';
import { z } from 'zod';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { isCalendarDate, utcDay } from '@/lib/days';
import { withTransaction } from '@/lib/db/tx';
import { parseInput } from '@/lib/errors';
import { appendJournal } from '@/lib/journal/append';
import { assessStudies } from './assess';
import { inForceRuleSets, studyDateBound } from './rule-sets';
import { readOldStudies } from './study-facts';

// The candidates for an end-of-retention deletion request on a day: catalog studies whose
// retention (by the rule set governing each) has ended and that nothing holds — not the catalog,
// not Custos, not S3 legal hold or Object Lock in the latest inventory — and that no request has
// already disposed of. Studies past retention but held are listed apart, with why.

export const CandidatesInput = z.object({
  asOf: z
    .string()
    .trim()
    .optional()
    .refine((d) => d === undefined || d === '' || isCalendarDate(d), 'Enter a date as YYYY-MM-DD.'),
});

export type CandidateDto = {
  studyInstanceUid: string;
  accessionNumber: string | null;
  modality: string;
  studyDate: string;
  facility: string | null;
  retentionClass: 'adult' | 'pediatric' | null;
  rule: string | null;
  ruleSet: string;
  retainedThrough: string | null;
  retainUntil: string | null;
  objectVersions: number;
  bytes: number;
  /** The open request that already holds it (it cannot be picked again). */
  openRequest: string | null;
};

export type HeldDto = CandidateDto & { reasons: string[] };

export type CandidatesDto = { asOf: string; candidates: CandidateDto[]; held: HeldDto[] };

export async function listRetentionCandidates(ctx: Ctx, raw: unknown = {}): Promise<CandidatesDto> {
  await authorize(ctx, 'retention.request');
  const input = parseInput(CandidatesInput, raw, { asOf: 'As of' });
  const asOf = input.asOf || utcDay(ctx.now());
  const sets = await inForceRuleSets(ctx.db);
  const old = await readOldStudies(ctx.services.engine, studyDateBound(sets, asOf));
  const assessed = await assessStudies(ctx, old, asOf, { showBirthDate: false });
  const candidates: CandidateDto[] = [];
  const held: HeldDto[] = [];
  for (const a of assessed) {
    if (a.disposition) continue;
    const e = a.explanation;
    const dto: CandidateDto = {
      studyInstanceUid: a.study.studyInstanceUid,
      accessionNumber: a.study.accessionNumber,
      modality: a.study.modality,
      studyDate: a.study.studyDate,
      facility: a.study.facility,
      retentionClass: e.retentionClass,
      rule: e.rule,
      ruleSet: `${a.ruleSet.id} v${a.ruleSet.version}`,
      retainedThrough: e.retainedThrough,
      retainUntil: e.retainUntil,
      objectVersions: a.inventory.length,
      bytes: a.inventory.reduce((n, v) => n + v.size, 0),
      openRequest: a.openRequest,
    };
    if (e.deletable) candidates.push(dto);
    else if (e.retainUntil === null || e.retainUntil <= asOf) held.push({ ...dto, reasons: e.reasons });
  }
  await withTransaction(ctx, (tx, txCtx) =>
    appendJournal(tx, txCtx, { action: 'retention.candidates', subject: null, details: { asOf, candidates: candidates.length + held.length, deletable: candidates.length } }),
  );
  return { asOf, candidates, held };
}
