import 'server-only';
import { sql } from 'drizzle-orm';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { ConfigError } from '@/lib/config/env';
import { EngineError, type ConfigCheck } from '@/lib/engine/port';
import { checkCatalogCanary } from '@/lib/lake/catalog-canary';
import { catalogKey } from '@/lib/phi';
import { listQueries } from '@/lib/queries/registry';
import { securityChecks } from './security-checks';

async function catalogKeyCheck(services: Ctx['services']): Promise<ConfigCheck> {
  const item = 'Catalog key';
  try {
    const canary = await checkCatalogCanary(services.engine, catalogKey(services.env));
    return canary.ok ? { item, ok: true, message: 'matches the study catalog (its canary row)' } : { item, ok: false, message: canary.message };
  } catch (error) {
    return { item, ok: false, message: error instanceof EngineError || error instanceof ConfigError ? error.message : 'the study catalog could not be read' };
  }
}

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
    // the driver's text can carry the connection string; its code says enough to act on
    const code = (error as { code?: unknown }).code;
    checks.push({ item: 'Portal database', ok: false, message: `cannot be queried${typeof code === 'string' ? ` (${code})` : ''}: check DATABASE_URL and that the server is up` });
  }
  try {
    checks.push({ item: 'Saved queries', ok: true, message: `${listQueries().length} loaded` });
  } catch (error) {
    checks.push({ item: 'Saved queries', ok: false, message: (error as Error).message });
  }
  checks.push(...(await services.engine.checkConfig()));
  checks.push(await catalogKeyCheck(services));
  checks.push(...securityChecks(services.env));
  return { engine: services.engine.kind, database: services.database.kind, checks, ok: checks.every((c) => c.ok) };
}
