// Why a study may or may not be deleted on a day: the rules that apply with their arithmetic, the
// first deletable day, and every hold that stands in the way.
import { isCalendarDate, nextDay } from '@/lib/days';
import { ValidationError } from '@/lib/errors';
import { ageAt, birthdayAt, utcDayOf } from './dates';
import type { Rule, RuleSet } from './rule-set';
import { describeWhen, keptThrough, ordinal, ruleMatches, type StudyDates } from './rule-terms';

export type RetentionClass = 'adult' | 'pediatric';

/** One object version's S3 Object Lock state, from the inventory. */
export type ObjectLock = { retainUntil: string | null; legalHold: boolean };

export type StudyFacts = {
  studyInstanceUid: string;
  modality: string;
  studyDate: string;
  birthDate: string | null;
  retentionClass?: RetentionClass | null;
  legalHold?: boolean;
  objectLocks?: readonly ObjectLock[];
  /** Other holds that stand in the way, each said as a reason (a legal hold placed in Custos, a disposal already done). */
  otherHolds?: readonly string[];
};

/** What `retention explain --json` prints, keys in this order. */
export type RetentionJson = {
  study: string;
  retentionClass: RetentionClass | null;
  rule: string | null;
  ruleSetVersion: number;
  studyDate: string;
  birthDate: string | null;
  /** The first day the study may be deleted; null when it cannot be computed. */
  retainUntil: string | null;
  deletable: boolean;
  reasons: string[];
};

/** One rule of the set against the study: whether it applies and the last day it keeps the study. */
export type RuleOutcome = {
  id: string;
  /** What the rule matches on, in words ("modality MG", "a minor at the study", "every study"). */
  when: string;
  applies: 'yes' | 'no' | 'unknown';
  /** Null when it does not apply, or needs the missing birth date. */
  keptThrough: string | null;
  arithmetic: string | null;
};

export type Explanation = RetentionJson & {
  ruleSetId: string;
  asOf: string;
  /** The last day retention keeps the study: the day before retainUntil. */
  retainedThrough: string | null;
  /** Every rule of the set, in order, with the date it is met. */
  rules: RuleOutcome[];
  /** The explanation in sentences: the facts, each rule's arithmetic, the outcome. */
  steps: string[];
};

export type ExplainOptions = {
  /** False for readers who may see the dates retention depends on but not the birth date itself (approvers): birthDate is null and no sentence names it. */
  showBirthDate?: boolean;
};

export function explainRetention(study: StudyFacts, ruleSet: RuleSet, asOf: string, options: ExplainOptions = {}): Explanation {
  checkInput(study, asOf);
  const showBirthDate = options.showBirthDate ?? true;
  const steps = [
    `Rule set ${ruleSet.id} version ${ruleSet.version} (${ruleSet.jurisdiction}): every rule that applies counts and the latest end wins; ` +
      `29 February anniversaries fall on ${ruleSet.leapDay === 'feb28' ? '28 February' : '1 March'} in common years.`,
    `Study ${study.studyInstanceUid}: modality ${study.modality}, study date ${study.studyDate}.`,
  ];
  const dates: StudyDates = {
    studyDate: study.studyDate,
    birthDate: study.birthDate,
    modalities: study.modality.split('\\').map((m) => m.trim().toUpperCase()),
  };
  const minor = minorAtStudy(study, ruleSet, steps, showBirthDate);

  const applying: { rule: Rule; through: string | null; certain: boolean }[] = [];
  const rules: RuleOutcome[] = [];
  for (const rule of ruleSet.rules) {
    const match = ruleMatches(rule, dates, minor);
    if (match === false) {
      steps.push(`Rule ${rule.id} (${describeWhen(rule)}) does not apply.`);
      rules.push({ id: rule.id, when: describeWhen(rule), applies: 'no', keptThrough: null, arithmetic: null });
      continue;
    }
    // A condition that cannot be decided is taken to hold: it can only lengthen retention.
    const { through, arithmetic } = keptThrough(rule, dates, ruleSet, showBirthDate);
    steps.push(`Rule ${rule.id} (${describeWhen(rule)}) ${match ? 'applies' : 'may apply'}: ${arithmetic}.`);
    rules.push({ id: rule.id, when: describeWhen(rule), applies: match ? 'yes' : 'unknown', keptThrough: through, arithmetic });
    applying.push({ rule, through, certain: match === true });
  }

  const reasons: string[] = [];
  const blocked = applying.find((a) => a.through === null);
  let winner: { rule: Rule; through: string } | undefined;
  if (blocked) {
    const unknownMinor = blocked.certain ? '' : ' (so whether the patient was a minor at the study is unknown)';
    reasons.push(`retention cannot be computed: the birth date is missing${unknownMinor} and rule ${blocked.rule.id} needs it`);
  } else {
    for (const { rule, through } of applying) if (through !== null && (!winner || through > winner.through)) winner = { rule, through };
    if (!winner) reasons.push(`no rule of rule set ${ruleSet.id} version ${ruleSet.version} applies to the study`);
    else if (applying.length > 1) steps.push(`${applying.length} rules apply; the latest end wins: ${winner.rule.id}, ${winner.through}.`);
  }
  const retainedThrough = winner?.through ?? null;
  const retainUntil = retainedThrough === null ? null : nextDay(retainedThrough);
  if (winner && retainUntil) {
    steps.push(`Retention keeps the study through ${retainedThrough}; the first day it may be deleted is ${retainUntil}.`);
    if (asOf < retainUntil) reasons.push(`retention has not ended: rule ${winner.rule.id} keeps the study through ${retainedThrough}; it may be deleted from ${retainUntil}`);
  }
  reasons.push(...holds(study, asOf));
  steps.push(reasons.length ? `As of ${asOf}: not deletable — ${reasons.join('; ')}.` : `As of ${asOf}: deletable.`);

  return {
    study: study.studyInstanceUid,
    retentionClass: minor === null ? null : minor ? 'pediatric' : 'adult',
    rule: (blocked ?? winner)?.rule.id ?? null,
    ruleSetVersion: ruleSet.version,
    studyDate: study.studyDate,
    birthDate: showBirthDate ? study.birthDate : null,
    retainUntil,
    deletable: reasons.length === 0,
    reasons,
    ruleSetId: ruleSet.id,
    asOf,
    retainedThrough,
    rules,
    steps,
  };
}

/** Exactly the JSON `retention explain --json` prints. */
export function retentionJson(e: Explanation): RetentionJson {
  const { study, retentionClass, rule, ruleSetVersion, studyDate, birthDate, retainUntil, deletable, reasons } = e;
  return { study, retentionClass, rule, ruleSetVersion, studyDate, birthDate, retainUntil, deletable, reasons };
}

function checkInput(study: StudyFacts, asOf: string): void {
  const bad: Record<string, string> = {};
  if (!isCalendarDate(asOf)) bad.asOf = 'Enter a date as YYYY-MM-DD.';
  if (!isCalendarDate(study.studyDate)) bad.studyDate = 'Not a date (YYYY-MM-DD).';
  if (study.birthDate !== null && !isCalendarDate(study.birthDate)) bad.birthDate = 'Not a date (YYYY-MM-DD).';
  const entries = Object.entries(bad);
  if (entries.length) throw new ValidationError(entries.map(([field, problem]) => `${field}: ${problem}`).join('; '), bad);
}

/** Whether the patient was under the majority age on the study date; null when it cannot be told. */
function minorAtStudy(study: StudyFacts, ruleSet: RuleSet, steps: string[], showBirthDate: boolean): boolean | null {
  const recorded = study.retentionClass ?? null;
  if (study.birthDate === null) {
    if (recorded === null) {
      steps.push('No birth date and no retention class recorded: whether the patient was a minor at the study cannot be told.');
      return null;
    }
    steps.push(`No birth date recorded; the catalog's retention class, ${recorded}, says the patient was ${recorded === 'pediatric' ? '' : 'not '}a minor at the study.`);
    return recorded === 'pediatric';
  }
  const majority = birthdayAt(study.birthDate, ruleSet.majorityAge, ruleSet.leapDay);
  const age = ageAt(study.birthDate, study.studyDate, ruleSet.leapDay);
  const byDates = study.studyDate < majority;
  steps.push(
    `${showBirthDate ? `Born ${study.birthDate} → ` : 'The '}${ordinal(ruleSet.majorityAge)} birthday ${majority}; aged ${age} on ${study.studyDate}, ` +
      (byDates ? 'a minor at the study.' : 'an adult at the study (the birthday itself counts).'),
  );
  if (!byDates && recorded === 'pediatric') {
    steps.push("The catalog's retention class says pediatric: the study is treated as a minor's, the longer protection.");
    return true;
  }
  return byDates;
}

function holds(study: StudyFacts, asOf: string): string[] {
  const out: string[] = [];
  if (study.legalHold) out.push('legal hold in the study catalog');
  const locks = study.objectLocks ?? [];
  const held = locks.filter((l) => l.legalHold).length;
  if (held) out.push(`S3 legal hold on ${objects(held)}`);
  // A retain-until date keeps its whole UTC day, as a retention end does.
  const locked = locks.flatMap((l) => (l.retainUntil === null ? [] : [utcDayOf(l.retainUntil)])).filter((day) => day >= asOf);
  if (locked.length) out.push(`S3 Object Lock retains ${objects(locked.length)} until as late as ${locked.reduce((a, b) => (b > a ? b : a))}`);
  out.push(...(study.otherHolds ?? []));
  return out;
}

function objects(n: number): string {
  return n === 1 ? '1 object' : `${n} objects`;
}
