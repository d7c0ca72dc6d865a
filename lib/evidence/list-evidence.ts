import 'server-only';
import { and, count, desc, eq, gte, ilike, lt, or, sql, type SQL } from 'drizzle-orm';
import { actorId } from '@/lib/actor';
import { authorize } from '@/lib/auth/authorize';
import { can } from '@/lib/auth/policy';
import type { Ctx } from '@/lib/context';
import { nextDay } from '@/lib/days';
import { evidence } from '@/lib/db/schema';
import { parseInput } from '@/lib/errors';
import { toEvidenceDto, type EvidenceDto } from './evidence-dto';
import { EvidenceFilter } from './evidence-filter';

const like = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The registry as the actor may see it: everyone's evidence with runs.view_all, otherwise their own. */
export async function listEvidence(ctx: Ctx, raw: unknown): Promise<{ evidence: EvidenceDto[]; total: number }> {
  await authorize(ctx, 'evidence.view');
  const filter = parseInput(EvidenceFilter, raw ?? {}, { kind: 'Kind', subject: 'Subject', from: 'From', to: 'To' });
  const where: SQL[] = [];
  if (!can(ctx.actor, 'runs.view_all') || filter.mine) where.push(eq(evidence.actorId, actorId(ctx.actor)));
  if (filter.kind) where.push(eq(evidence.kind, filter.kind));
  if (filter.subject) where.push(or(ilike(evidence.evidenceId, like(filter.subject)), ilike(sql`${evidence.subject}::text`, like(filter.subject)))!);
  if (filter.from) where.push(gte(evidence.createdAt, new Date(`${filter.from}T00:00:00Z`)));
  if (filter.to) where.push(lt(evidence.createdAt, new Date(`${nextDay(filter.to)}T00:00:00Z`)));
  const condition = where.length ? and(...where) : undefined;
  const rows = await ctx.db.select().from(evidence).where(condition).orderBy(desc(evidence.createdAt), desc(evidence.evidenceId)).limit(filter.limit).offset(filter.offset);
  const [total] = await ctx.db.select({ n: count() }).from(evidence).where(condition);
  return { evidence: rows.map((row) => toEvidenceDto(ctx, row)), total: total?.n ?? 0 };
}
