import 'server-only';
import { and, eq } from 'drizzle-orm';
import { users, type Role } from '@/lib/db/schema';
import { hashPassword, verifyPassword } from './password';
import type { Db } from '@/lib/db/port';

export const DEMO_ACCOUNTS: { email: string; name: string; role: Role }[] = [
  { email: 'privacy@demo.custos', name: 'Priya Desai (privacy officer)', role: 'privacy_officer' },
  { email: 'security@demo.custos', name: 'Sam Okafor (security officer)', role: 'security_officer' },
  { email: 'approver1@demo.custos', name: 'Ada Lindqvist (approver)', role: 'approver' },
  { email: 'approver2@demo.custos', name: 'Ben Moreau (approver)', role: 'approver' },
  { email: 'auditor@demo.custos', name: 'Alex Kim (auditor)', role: 'auditor' },
  { email: 'admin@demo.custos', name: 'Morgan Reyes (administrator)', role: 'admin' },
];

/** Creates the demo accounts once and keeps their password in step with CUSTOS_DEMO_PASSWORD, inside the caller's transaction. */
export async function ensureDemoAccounts(tx: Db, password: string): Promise<{ created: number; passwordsReset: number }> {
  let created = 0;
  let passwordsReset = 0;
  for (const account of DEMO_ACCOUNTS) {
    const [existing] = await tx.select().from(users).where(and(eq(users.email, account.email), eq(users.source, 'local')));
    if (!existing) {
      await tx.insert(users).values({ ...account, demo: true, source: 'local', passwordHash: await hashPassword(password) });
      created++;
    } else if (existing.demo && (!existing.passwordHash || !(await verifyPassword(existing.passwordHash, password)))) {
      await tx.update(users).set({ passwordHash: await hashPassword(password) }).where(eq(users.id, existing.id));
      passwordsReset++;
    }
  }
  return { created, passwordsReset };
}
