import { eq } from 'drizzle-orm';
import type { Actor } from '@/lib/actor';
import type { Ctx } from '@/lib/context';
import { users, type Role } from '@/lib/db/schema';
import { createSession } from '@/lib/auth/sessions';
import { type Services, makeCtx } from '@/lib/context';

/** A signed-in person of the given role (a real user row and session). */
export async function signedIn(services: Services, role: Role, email = `${role}.${Math.random().toString(36).slice(2, 8)}@test.custos`): Promise<Ctx & { actor: Actor & { type: 'user' } }> {
  const { db } = services.database;
  const [existing] = await db.select().from(users).where(eq(users.email, email));
  const user = existing ?? (await db.insert(users).values({ email, name: email, role }).returning())[0]!;
  const sessionId = await createSession(db, user.id, new Date());
  const actor = { type: 'user' as const, userId: user.id, email, name: email, role, sessionId };
  return makeCtx(services, actor) as Ctx & { actor: typeof actor };
}
