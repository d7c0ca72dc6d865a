import 'server-only';
import { sql } from 'drizzle-orm';
import type { Services } from '@/lib/context';
import packageJson from '@/package.json';

export type Health = {
  status: 'ok' | 'degraded' | 'error';
  db: { kind: string; ok: boolean };
  engine: { kind: string; ok: boolean };
  version: string;
};

/** Liveness for load balancers and scripts: no session, no PHI, no configuration values. */
export async function checkHealth(load: () => Promise<Services>): Promise<Health> {
  const version = packageJson.version;
  let services: Services;
  try {
    services = await load();
  } catch {
    return { status: 'error', db: { kind: 'unknown', ok: false }, engine: { kind: 'unknown', ok: false }, version };
  }
  let dbOk = false;
  try {
    await services.database.db.execute(sql`select 1`);
    dbOk = true;
  } catch {
    dbOk = false;
  }
  const engineOk = await services.engine.ready().catch(() => false);
  return {
    status: dbOk && engineOk ? 'ok' : dbOk ? 'degraded' : 'error',
    db: { kind: services.database.kind, ok: dbOk },
    engine: { kind: services.engine.kind, ok: engineOk },
    version,
  };
}
