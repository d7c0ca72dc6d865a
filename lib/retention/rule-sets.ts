import 'server-only';
import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '@/lib/db/port';
import { retentionRuleSets } from '@/lib/db/schema/retention';
import { DomainError } from '@/lib/errors';
import { addDays } from '@/lib/days';
import { addYears } from './dates';
import { parseRuleSet, type RuleSet } from './rule-set';

// The rule sets in force, from the database (a migration seeds the default, version 1), and which
// one governs a study: the one naming the study's facility, else the one that names none.

export async function inForceRuleSets(db: Db): Promise<RuleSet[]> {
  const rows = await db.select().from(retentionRuleSets).where(eq(retentionRuleSets.inForce, true)).orderBy(retentionRuleSets.ruleSetId);
  return rows.map((r) => parseRuleSet(r.definition));
}

export async function ruleSetVersion(db: Db, ruleSetId: string, version: number): Promise<RuleSet | null> {
  const [row] = await db
    .select()
    .from(retentionRuleSets)
    .where(and(eq(retentionRuleSets.ruleSetId, ruleSetId), eq(retentionRuleSets.version, version)));
  return row ? parseRuleSet(row.definition) : null;
}

export async function ruleSetHistory(db: Db) {
  return db.select().from(retentionRuleSets).orderBy(retentionRuleSets.ruleSetId, desc(retentionRuleSets.version));
}

/** The rule set governing a study of `facility`. */
export function ruleSetFor(sets: readonly RuleSet[], facility: string | null): RuleSet {
  const named = facility === null ? undefined : sets.find((s) => s.facilities?.includes(facility));
  const general = sets.find((s) => !s.facilities);
  const chosen = named ?? general;
  if (!chosen) throw new DomainError('precondition', `No retention rule set in force governs facility ${facility ?? '(none)'}: an administrator must put one in force.`);
  return chosen;
}

/**
 * A bound on the study date of any study whose retention can have ended by `asOf`: every rule set
 * keeps every study at least as long as its catch-all rule's years after the study (latest end wins).
 */
export function studyDateBound(sets: readonly RuleSet[], asOf: string): string {
  let bound: string | null = null;
  for (const set of sets) {
    const years = set.rules.filter((r) => Object.keys(r.when).length === 0 && r.keep.yearsAfterStudy !== undefined).map((r) => r.keep.yearsAfterStudy!);
    // The day after, so 29 February and the mar1 reading never cut a candidate off; the rule engine decides exactly.
    const own = years.length ? addDays(addYears(asOf, -Math.max(...years), set.leapDay), 1) : addDays(asOf, 1);
    if (bound === null || own > bound) bound = own;
  }
  return bound ?? addDays(asOf, 1);
}
