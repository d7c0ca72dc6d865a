import 'server-only';
import type { Ctx } from '@/lib/context';
import type { Db } from './port';

/** Runs `fn` in one transaction; `fn` receives the transaction and a context that writes through it. */
export function withTransaction<T>(ctx: Ctx, fn: (tx: Db, txCtx: Ctx) => Promise<T>): Promise<T> {
  return ctx.db.transaction(async (tx) => {
    const db = tx as unknown as Db;
    return fn(db, { ...ctx, db });
  });
}
