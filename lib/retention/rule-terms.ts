// One rule against one study: whether it matches, and the last day it keeps the study, with the
// arithmetic written out.
import { addYears, birthdayAt, laterOf } from './dates';
import type { Rule, RuleSet } from './rule-set';

export type StudyDates = { studyDate: string; birthDate: string | null; modalities: string[] };

/** true, false, or null when a fact it needs is unknown. */
export type Match = boolean | null;

export function ruleMatches(rule: Rule, study: StudyDates, minorAtStudy: boolean | null): Match {
  const { modality, minorAtStudy: minor } = rule.when;
  if (modality && !modality.some((m) => study.modalities.includes(m))) return false;
  if (minor === undefined) return true;
  return minorAtStudy === null ? null : minorAtStudy === minor;
}

export function describeWhen(rule: Rule): string {
  const parts: string[] = [];
  if (rule.when.modality) parts.push(`modality ${rule.when.modality.join(' or ')}`);
  if (rule.when.minorAtStudy !== undefined) parts.push(rule.when.minorAtStudy ? 'a minor at the study' : 'an adult at the study');
  return parts.length ? parts.join(', ') : 'every study';
}

/**
 * The last day the rule keeps the study (null when it needs the missing birth date) and how.
 * Without `showBirthDate` the arithmetic names the birthdays, never the birth date itself.
 */
export function keptThrough(rule: Rule, study: StudyDates, ruleSet: RuleSet, showBirthDate = true): { through: string | null; arithmetic: string } {
  const { yearsAfterStudy, untilAge, plusYears = 0 } = rule.keep;
  const terms: { day: string; text: string }[] = [];
  if (yearsAfterStudy !== undefined) {
    const day = addYears(study.studyDate, yearsAfterStudy, ruleSet.leapDay);
    terms.push({ day, text: `${study.studyDate} + ${years(yearsAfterStudy)} = ${day}` });
  }
  if (untilAge !== undefined) {
    const target = plusYears ? `the ${ordinal(untilAge)} birthday + ${years(plusYears)}` : `the ${ordinal(untilAge)} birthday`;
    if (study.birthDate === null) return { through: null, arithmetic: `needs the birth date for ${target}, and it is missing` };
    const birthday = birthdayAt(study.birthDate, untilAge, ruleSet.leapDay);
    let text = `${showBirthDate ? `born ${study.birthDate} → ` : ''}${ordinal(untilAge)} birthday ${birthday}`;
    let day = birthday;
    if (plusYears) {
      // Counted from the birth date (the birthday at untilAge + plusYears), so a 29 February birth
      // keeps 29 February whenever the final year has one.
      day = birthdayAt(study.birthDate, untilAge + plusYears, ruleSet.leapDay);
      text += `, + ${years(plusYears)} = ${day} (the ${ordinal(untilAge + plusYears)} birthday)`;
    }
    terms.push({ day, text });
  }
  const [first, ...rest] = terms;
  if (!first) throw new Error(`rule ${rule.id} keeps nothing`);
  if (!rest.length) return { through: first.day, arithmetic: first.text };
  const through = laterOf(first.day, ...rest.map((t) => t.day));
  const arithmetic = `${terms.map((t) => t.text).join('; ')}; the later of ${terms.map((t) => t.day).join(' and ')} = ${through}`;
  return { through, arithmetic };
}

export function years(n: number): string {
  return n === 1 ? '1 year' : `${n} years`;
}

export function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}
