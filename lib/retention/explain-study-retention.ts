import 'server-only';
import { z } from 'zod';
import { authorize } from '@/lib/auth/authorize';
import { can } from '@/lib/auth/policy';
import type { Ctx } from '@/lib/context';
import { isCalendarDate, utcDay } from '@/lib/days';
import { withTransaction } from '@/lib/db/tx';
import { notFoundError, parseInput } from '@/lib/errors';
import { appendJournal } from '@/lib/journal/append';
import { assessStudies, type Assessment } from './assess';
import { retentionJson, type RetentionJson, type RuleOutcome } from './evaluate';
import { readCatalogStudies } from './study-facts';

// Why a study may or may not be deleted on a day: the page's explanation and `custos retention
// explain` are this one verb. The birth date is shown only to roles that read patient identifiers.

export const ExplainStudyInput = z.object({
  study: z
    .string()
    .trim()
    .min(1, 'Enter a Study Instance UID or an accession number.')
    .max(128, 'At most 128 characters.')
    .regex(/^[A-Za-z0-9.\-_]+$/, 'A Study Instance UID (digits and dots) or an accession number.'),
  asOf: z
    .string()
    .trim()
    .optional()
    .refine((d) => d === undefined || d === '' || isCalendarDate(d), 'Enter a date as YYYY-MM-DD.'),
});
export type ExplainStudyInput = z.infer<typeof ExplainStudyInput>;

export type RetentionExplanationDto = {
  json: RetentionJson;
  asOf: string;
  ruleSet: { id: string; name: string; version: number; jurisdiction: string; majorityAge: number; leapDay: string };
  study: { studyInstanceUid: string; accessionNumber: string | null; modality: string; studyDate: string; facility: string | null };
  retainedThrough: string | null;
  rules: RuleOutcome[];
  steps: string[];
  hold: { placedAt: string; reason: string } | null;
  disposition: { disposedAt: string; requestId: string } | null;
  openRequest: string | null;
  showsBirthDate: boolean;
};

export function toExplanationDto(a: Assessment, options: { identifiers: boolean }): RetentionExplanationDto {
  const e = a.explanation;
  return {
    json: retentionJson(e),
    asOf: e.asOf,
    ruleSet: { id: a.ruleSet.id, name: a.ruleSet.name, version: a.ruleSet.version, jurisdiction: a.ruleSet.jurisdiction, majorityAge: a.ruleSet.majorityAge, leapDay: a.ruleSet.leapDay },
    study: {
      studyInstanceUid: a.study.studyInstanceUid,
      accessionNumber: options.identifiers ? a.study.accessionNumber : null,
      modality: a.study.modality,
      studyDate: a.study.studyDate,
      facility: a.study.facility,
    },
    retainedThrough: e.retainedThrough,
    rules: e.rules,
    steps: e.steps,
    hold: a.hold ? { placedAt: a.hold.placedAt.toISOString(), reason: a.hold.reason } : null,
    disposition: a.disposition ? { disposedAt: a.disposition.disposedAt.toISOString(), requestId: a.disposition.requestId } : null,
    openRequest: a.openRequest,
    showsBirthDate: e.birthDate !== null || a.study.birthDate === null,
  };
}

/** Explains one study's retention as of a day (default: today, UTC). */
export async function explainStudyRetention(ctx: Ctx, raw: unknown): Promise<RetentionExplanationDto> {
  await authorize(ctx, 'retention.view');
  const input = parseInput(ExplainStudyInput, raw, { study: 'Study', asOf: 'As of' });
  const asOf = input.asOf || utcDay(ctx.now());
  const identifiers = can(ctx.actor, 'retention.read_identifiers');
  let [study] = await readCatalogStudies(ctx.services.engine, [input.study]);
  if (!study && identifiers) [study] = await readCatalogStudies(ctx.services.engine, [input.study], { byAccession: true });
  if (!study) throw notFoundError('The study');
  const [assessment] = await assessStudies(ctx, [study], asOf, { showBirthDate: can(ctx.actor, 'patient.read_phi') });
  const dto = toExplanationDto(assessment!, { identifiers });
  await withTransaction(ctx, (tx, txCtx) =>
    appendJournal(tx, txCtx, {
      action: 'retention.explain',
      subject: null,
      details: {
        study: ctx.services.keys.pseudonym('study', study.studyInstanceUid),
        asOf,
        deletable: dto.json.deletable,
        ruleSet: dto.ruleSet.id,
        ruleSetVersion: dto.ruleSet.version,
      },
    }),
  );
  return dto;
}
