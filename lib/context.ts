import type { Actor } from '@/lib/auth/actor';
import type { Db } from '@/lib/db/client';
import type { Services } from '@/lib/config/services';

/** Everything a verb needs: who acts, the database (or the open transaction), and the adapters. */
export type Ctx = {
  actor: Actor;
  db: Db;
  services: Services;
  now(): Date;
  requestId: string;
};
