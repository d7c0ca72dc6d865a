// Retention rules as data: a versioned rule set per jurisdiction, validated with zod, and the
// health system's default (version 1).
import { z } from 'zod';
import { ValidationError } from '@/lib/errors';
import { LEAP_DAY_RULES } from './dates';

const slug = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lowercase letters and digits joined by hyphens');
const wholeYears = (min: number, max: number) => z.number().int('a whole number of years').min(min).max(max);

/** The study's facts a rule matches on; an absent condition always holds. */
const when = z.strictObject({
  /** The study's modality (DICOM code) is one of these. */
  modality: z.array(z.string().regex(/^[A-Z0-9_]{1,16}$/, 'a DICOM modality code such as MG')).min(1).optional(),
  /** The patient was (true) or was not (false) under the rule set's majority age on the study date. */
  minorAtStudy: z.boolean().optional(),
});

/** How long a matching study is kept: the later of every term given. */
const keep = z
  .strictObject({
    /** The study date plus this many years. */
    yearsAfterStudy: wholeYears(0, 200).optional(),
    /** The patient's birthday at this age … */
    untilAge: wholeYears(1, 150).optional(),
    /** … plus this many years (a statute of limitations): the birthday at untilAge + plusYears. */
    plusYears: wholeYears(0, 100).optional(),
  })
  .refine((k) => k.yearsAfterStudy !== undefined || k.untilAge !== undefined, 'give yearsAfterStudy, untilAge or both')
  .refine((k) => k.plusYears === undefined || k.untilAge !== undefined, 'plusYears extends untilAge and needs it');

const rule = z.strictObject({ id: slug, when, keep });

export const ruleSetSchema = z
  .strictObject({
    id: slug,
    name: z.string().trim().min(1).max(200),
    jurisdiction: z.string().trim().min(1).max(200),
    version: z.number().int('a whole number').min(1),
    /** The catalog facilities (as the catalog names them) this rule set governs; absent: every facility no other rule set names. */
    facilities: z.array(z.string().trim().min(1).max(200)).min(1).max(200).optional(),
    /** Under this age on the study date, the patient was a minor at the study. */
    majorityAge: wholeYears(1, 30).default(18),
    leapDay: z.enum(LEAP_DAY_RULES).default('feb28'),
    // Every rule that matches applies and the latest end wins, as the later of a rule's own terms
    // does: a rule can only add protection, never cut another short. Order only breaks ties.
    rules: z.array(rule).min(1).max(100),
  })
  .superRefine((set, ctx) => {
    const seen = new Set<string>();
    set.rules.forEach((r, i) => {
      if (seen.has(r.id)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `rule id ${r.id} is used twice` });
      seen.add(r.id);
    });
    if (!set.rules.some((r) => Object.keys(r.when).length === 0)) {
      ctx.addIssue({ code: 'custom', path: ['rules'], message: 'one rule must apply to every study (when: {}), so no study is left without retention' });
    }
  });

export type RuleSet = z.output<typeof ruleSetSchema>;
export type RuleSetInput = z.input<typeof ruleSetSchema>;
export type Rule = RuleSet['rules'][number];

/** Validates a rule set; a failure names each bad field by its path (`rules.1.keep.plusYears`). */
export function parseRuleSet(raw: unknown): RuleSet {
  const parsed = ruleSetSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const fieldErrors: Record<string, string> = {};
  for (const issue of parsed.error.issues) fieldErrors[issue.path.join('.') || 'ruleSet'] ??= issue.message;
  const message = Object.entries(fieldErrors)
    .map(([field, problem]) => `${field}: ${problem}`)
    .join('; ');
  throw new ValidationError(`Rule set: ${message}`, fieldErrors);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** Version 1: mammography 10 years; minors the later of 7 years and the 21st birthday + 3 years; everyone 7 years. */
export const DEFAULT_RULE_SET: RuleSet = deepFreeze(
  parseRuleSet({
    id: 'default',
    name: 'Health system retention mandate',
    jurisdiction: 'Health system (all facilities)',
    version: 1,
    majorityAge: 18,
    leapDay: 'feb28',
    rules: [
      { id: 'mammography-10y', when: { modality: ['MG'] }, keep: { yearsAfterStudy: 10 } },
      { id: 'pediatric-21-plus-3', when: { minorAtStudy: true }, keep: { yearsAfterStudy: 7, untilAge: 21, plusYears: 3 } },
      { id: 'adult-7y', when: {}, keep: { yearsAfterStudy: 7 } },
    ],
  }),
);
