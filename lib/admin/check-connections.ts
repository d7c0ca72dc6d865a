import 'server-only';
import { sql } from 'drizzle-orm';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import type { ConfigCheck } from '@/lib/engine/port';
import { listQueries } from '@/lib/queries/registry';
import { securityChecks } from './security-checks';

export type ConnectionReport = { engine: string; database: string; checks: ConfigCheck[]; ok: boolean };

/** Names exactly what is missing or wrong in the configured adapters (engine, database, saved queries). */
export async function checkConnections(ctx: Ctx): Promise<ConnectionReport> {
  await authorize(ctx, 'admin.view', 'admin:connections');
  const { services } = ctx;
  const checks: ConfigCheck[] = [];
  try {
    await services.database.db.execute(sql`select 1`);
    checks.push({ item: 'Portal database', ok: true, message: services.database.description });
  } catch (error) {
    checks.push({ item: 'Portal database', ok: false, message: `cannot be queried: ${(error as Error).message}` });
  }
  try {
    checks.push({ item: 'Saved queries', ok: true, message: `${listQueries().length} loaded` });
  } catch (error) {
    checks.push({ item: 'Saved queries', ok: false, message: (error as Error).message });
  }
  checks.push(...(await services.engine.checkConfig()));
  checks.push(...securityChecks(services.env));
  return { engine: services.engine.kind, database: services.database.kind, checks, ok: checks.every((c) => c.ok) };
}
