import 'server-only';
import type { Ctx } from '@/lib/context';
import { utcDay, windowEnding } from '@/lib/days';
import type { ParamDefaults } from './params';

/** Form defaults: the lake's last 30 days of logs (or the 30 days to today), the site's time zone and business hours. */
export async function paramDefaults(ctx: Ctx): Promise<ParamDefaults> {
  const { env, engine } = ctx.services;
  const window = (await engine.dataWindow()) ?? windowEnding(utcDay(ctx.now()), 30);
  const [businessStart, businessEnd] = env.CUSTOS_BUSINESS_HOURS.split('-').map(Number) as [number, number];
  return { rangeStart: window.from, rangeEnd: window.to, timeZone: env.CUSTOS_TIME_ZONE, businessStart, businessEnd };
}
