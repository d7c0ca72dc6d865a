import 'server-only';
import { randomUUID } from 'node:crypto';
import type { Actor } from '@/lib/auth/actor';
import type { Services } from '@/lib/config/services';
import type { Ctx } from './context';

export function makeCtx(services: Services, actor: Actor, requestId: string = randomUUID()): Ctx {
  return { actor, db: services.database.db, services, now: () => new Date(), requestId };
}
