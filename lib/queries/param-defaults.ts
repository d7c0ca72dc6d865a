import 'server-only';
import type { Ctx } from '@/lib/context';
import { utcDay, windowEnding } from '@/lib/days';
import { catalogKey } from '@/lib/phi';
import type { ParamDefaults, PrepareOptions } from './params';

/** Form defaults: the lake's last 30 days of logs (or the 30 days to today), the site's time zone and business hours. */
export async function paramDefaults(ctx: Ctx): Promise<ParamDefaults> {
  const { env, engine } = ctx.services;
  const window = (await engine.dataWindow()) ?? windowEnding(utcDay(ctx.now()), 30);
  const [businessStart, businessEnd] = env.CUSTOS_BUSINESS_HOURS.split('-').map(Number) as [number, number];
  return { rangeStart: window.from, rangeEnd: window.to, timeZone: env.CUSTOS_TIME_ZONE, businessStart, businessEnd };
}

/** How this portal prepares parameters: its catalog key, limits, defaults and pseudonyms. */
export async function prepareOptions(ctx: Ctx, source: PrepareOptions['source']): Promise<PrepareOptions> {
  const { env, keys } = ctx.services;
  return { catalogKey: catalogKey(env), maxDays: env.CUSTOS_QUERY_MAX_DAYS, defaults: await paramDefaults(ctx), source, pseudonym: (kind, value) => keys.pseudonym(kind, value) };
}
