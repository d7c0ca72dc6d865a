import 'server-only';
import type { Env } from '@/lib/config/env';
import type { ConfigCheck } from '@/lib/engine/port';

// The settings `config check` refuses or warns about because they weaken the portal's own
// controls, whatever the engine and database say.

export function securityChecks(config: Env): ConfigCheck[] {
  const checks: ConfigCheck[] = [];
  if (config.demoAccounts && !config.demoLake) {
    checks.push({
      item: 'Demo accounts',
      ok: false,
      message: `demo accounts are on (CUSTOS_DEMO=1) over ${config.CUSTOS_ENGINE === 'athena' ? 'Athena' : 'a lake the demo generator did not write'}: real data must not be reachable with shared demo passwords; unset CUSTOS_DEMO`,
    });
  } else {
    checks.push({
      item: 'Demo accounts',
      ok: true,
      message: config.demoAccounts ? 'on, over the generated demo lake only' : 'off',
    });
  }
  if (config.DATABASE_URL) {
    checks.push(
      config.DATABASE_MIGRATION_URL
        ? { item: 'Journal protection', ok: true, message: 'migrations run as the DATABASE_MIGRATION_URL role; the portal’s role may only read and append to the journal' }
        : {
            item: 'Journal protection',
            ok: true,
            warning: true,
            message: 'DATABASE_MIGRATION_URL is not set, so the portal’s own role owns the journal and could switch its append-only trigger off; set it to an owner role',
          },
    );
  }
  return checks;
}
