import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureDemoAccounts } from '@/lib/auth/demo-accounts';
import { openDatabase } from '@/lib/db/client';

export { freePort, startPortal, type Portal } from './portal-process';

/** A fresh data directory holding a copy of an existing lake, so the portal does not generate or wait for one. */
export function dataDirWithLake(lakeFrom: string): string {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-e2e-oidc-'));
  fs.cpSync(lakeFrom, path.join(dataDir, 'lake'), { recursive: true });
  return dataDir;
}

/** The demo accounts an earlier embedded run of the portal leaves in its database. */
export async function seedDemoAccounts(dataDir: string, password = 'custos-demo'): Promise<void> {
  const database = await openDatabase({ dataDir });
  try {
    await ensureDemoAccounts(database.db, password);
  } finally {
    await database.close();
  }
}

