import 'server-only';
import os from 'node:os';
import { env, parseEnv, resetEnvCache } from '@/lib/config/env';
import { createServices } from '@/lib/boot/services';
import { prepareDatabase } from '@/lib/boot/prepare-database';
import type { Ctx } from '@/lib/context';
import type { Actor } from '@/lib/actor';
import { type Services, makeCtx } from '@/lib/context';

export function cliActor(): Actor {
  let user = 'operator';
  try {
    user = os.userInfo().username || user;
  } catch {
    // containers without a passwd entry
  }
  return { type: 'cli', osUser: user };
}

/** Opens the portal's services for one command (the same verbs the web app calls) and closes them after. */
export async function withCli<T>(options: { lakeDir?: string }, fn: (ctx: Ctx, services: Services) => Promise<T>): Promise<T> {
  resetEnvCache();
  // --lake stands for CUSTOS_LAKE_DIR, so whatever depends on the lake (is it the demo lake?) follows it
  const config = options.lakeDir ? parseEnv({ ...process.env, CUSTOS_LAKE_DIR: options.lakeDir }) : env();
  const services = await createServices(config, { lakeDir: options.lakeDir });
  try {
    await prepareDatabase(services);
    return await fn(makeCtx(services, cliActor()), services);
  } finally {
    await services.close();
  }
}
