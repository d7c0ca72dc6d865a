import 'server-only';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { parseRuleSet, type RuleSet } from './rule-set';
import { ruleSetHistory } from './rule-sets';
import { describeWhen, ordinal, years } from './rule-terms';

export type RuleSetDto = {
  ruleSetId: string;
  version: number;
  inForce: boolean;
  createdAt: string;
  createdBy: string;
  name: string;
  jurisdiction: string;
  facilities: string[] | null;
  majorityAge: number;
  leapDay: 'feb28' | 'mar1';
  rules: { id: string; when: string; keep: string }[];
  /** The definition as saved, to start the next version from. */
  json: string;
};

export function describeKeep(rule: RuleSet['rules'][number]): string {
  const { yearsAfterStudy, untilAge, plusYears } = rule.keep;
  const terms: string[] = [];
  if (yearsAfterStudy !== undefined) terms.push(`${years(yearsAfterStudy)} after the study date`);
  if (untilAge !== undefined) terms.push(plusYears ? `the ${ordinal(untilAge)} birthday + ${years(plusYears)} (the ${ordinal(untilAge + plusYears)} birthday)` : `the ${ordinal(untilAge)} birthday`);
  return terms.length > 1 ? `the later of ${terms.join(' and ')}` : terms[0]!;
}

/** Every version of every rule set, in force first. */
export async function listRuleSets(ctx: Ctx): Promise<RuleSetDto[]> {
  await authorize(ctx, 'retention.view');
  const rows = await ruleSetHistory(ctx.db);
  return rows
    .map((row) => {
      const set = parseRuleSet(row.definition);
      return {
        ruleSetId: row.ruleSetId,
        version: row.version,
        inForce: row.inForce,
        createdAt: row.createdAt.toISOString(),
        createdBy: row.createdBy,
        name: set.name,
        jurisdiction: set.jurisdiction,
        facilities: set.facilities ?? null,
        majorityAge: set.majorityAge,
        leapDay: set.leapDay,
        rules: set.rules.map((r) => ({ id: r.id, when: describeWhen(r), keep: describeKeep(r) })),
        json: JSON.stringify({ ...set, version: undefined }, null, 2),
      };
    })
    .sort((a, b) => Number(b.inForce) - Number(a.inForce) || (a.ruleSetId < b.ruleSetId ? -1 : a.ruleSetId > b.ruleSetId ? 1 : b.version - a.version));
}
