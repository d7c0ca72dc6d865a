import 'server-only';
import { eq } from 'drizzle-orm';
import type { Db } from '@/lib/db/client';
import { users, type Role } from '@/lib/db/schema';
import { hashPassword, verifyPassword } from './password';

export const DEMO_ACCOUNTS: { email: string; name: string; role: Role }[] = [
  { email: 'privacy@demo.custos', name: 'Priya Desai (privacy officer)', role: 'privacy_officer' },
  { email: 'security@demo.custos', name: 'Sam Okafor (security officer)', role: 'security_officer' },
  { email: 'approver1@demo.custos', name: 'Ada Lindqvist (approver)', role: 'approver' },
  { email: 'approver2@demo.custos', name: 'Ben Moreau (approver)', role: 'approver' },
  { email: 'auditor@demo.custos', name: 'Alex Kim (auditor)', role: 'auditor' },
  { email: 'admin@demo.custos', name: 'Morgan Reyes (administrator)', role: 'admin' },
];

/** Creates the demo accounts once; keeps their password in step with CUSTOS_DEMO_PASSWORD. Returns how many were created. */
export async function ensureDemoAccounts(db: Db, password: string): Promise<number> {
  let created = 0;
  for (const account of DEMO_ACCOUNTS) {
    const [existing] = await db.select().from(users).where(eq(users.email, account.email));
    if (!existing) {
      await db.insert(users).values({ ...account, demo: true, source: 'local', passwordHash: await hashPassword(password) });
      created++;
    } else if (existing.demo && (!existing.passwordHash || !(await verifyPassword(existing.passwordHash, password)))) {
      await db.update(users).set({ passwordHash: await hashPassword(password) }).where(eq(users.id, existing.id));
    }
  }
  return created;
}
