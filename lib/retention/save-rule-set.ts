import 'server-only';
import { and, eq, max } from 'drizzle-orm';
import { z } from 'zod';
import { actorLabel } from '@/lib/actor';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { retentionRuleSets } from '@/lib/db/schema/retention';
import { withTransaction } from '@/lib/db/tx';
import { DomainError, ValidationError, parseInput } from '@/lib/errors';
import { appendJournal } from '@/lib/journal/append';
import { parseRuleSet, type RuleSet } from './rule-set';

// A rule set is never edited: saving makes its next version (the version number is the portal's,
// not the author's), and putting a version in force retires the one before. Requests keep the
// versions their studies were judged under.

export const SaveRuleSetInput = z.object({
  definition: z.string().trim().min(2, 'Paste the rule set as JSON.').max(100_000, 'At most 100,000 characters.'),
  inForce: z.boolean().default(true),
});

export type SavedRuleSetDto = { ruleSetId: string; version: number; inForce: boolean };

function parseDefinition(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`Definition: not JSON (${error instanceof Error ? error.message : 'unreadable'}).`, { definition: 'Not JSON.' });
  }
}

/** In-force rule sets must not claim one facility twice, and exactly one governs every other facility. */
function checkCoverage(sets: readonly RuleSet[]): void {
  const general = sets.filter((s) => !s.facilities);
  if (general.length !== 1) throw new DomainError('conflict', `Exactly one rule set in force must name no facilities (it governs every other one); ${general.length} would.`);
  const seen = new Map<string, string>();
  for (const s of sets) {
    for (const f of s.facilities ?? []) {
      if (seen.has(f)) throw new DomainError('conflict', `Facility "${f}" would be governed by both ${seen.get(f)} and ${s.id}.`);
      seen.set(f, s.id);
    }
  }
}

export async function saveRuleSet(ctx: Ctx, raw: unknown): Promise<SavedRuleSetDto> {
  await authorize(ctx, 'retention.rules');
  const input = parseInput(SaveRuleSetInput, raw, { definition: 'Definition', inForce: 'In force' });
  const draft = parseDefinition(input.definition);
  if (typeof draft !== 'object' || draft === null || Array.isArray(draft)) throw new ValidationError('Definition: a JSON object.', { definition: 'A JSON object.' });
  // validated once for its id, then again with the version it will have
  const id = parseRuleSet({ ...draft, version: 1 }).id;
  return withTransaction(ctx, async (tx, txCtx) => {
    const [{ latest } = { latest: null }] = await tx.select({ latest: max(retentionRuleSets.version) }).from(retentionRuleSets).where(eq(retentionRuleSets.ruleSetId, id));
    const ruleSet = parseRuleSet({ ...draft, version: (latest ?? 0) + 1 });
    if (input.inForce) {
      const others = (await tx.select().from(retentionRuleSets).where(eq(retentionRuleSets.inForce, true)).for('update'))
        .filter((r) => r.ruleSetId !== id)
        .map((r) => parseRuleSet(r.definition));
      checkCoverage([...others, ruleSet]);
      await tx.update(retentionRuleSets).set({ inForce: false }).where(and(eq(retentionRuleSets.ruleSetId, id), eq(retentionRuleSets.inForce, true)));
    }
    await tx.insert(retentionRuleSets).values({ ruleSetId: id, version: ruleSet.version, definition: ruleSet as unknown as Record<string, unknown>, inForce: input.inForce, createdAt: txCtx.now(), createdBy: actorLabel(ctx.actor) });
    await appendJournal(tx, txCtx, { action: 'retention.rule_set_saved', subject: `${id}@${ruleSet.version}`, details: { ruleSetId: id, version: ruleSet.version, inForce: input.inForce } });
    return { ruleSetId: id, version: ruleSet.version, inForce: input.inForce };
  });
}
