// The posture dashboards' settings from the validated environment: business hours for the access
// figures, the archive's Region and bucket, and the price table with the configured override
// (CUSTOS_POSTURE_PRICES: one override object, or a list of them, as prices.ts validates).
import type { Env } from '@/lib/config/env';
import { DomainError, ValidationError } from '@/lib/errors';
import type { FigureSettings } from './figures';
import { parsePriceOverride, PRICE_TABLE, withPriceOverride, type PriceTable } from './prices';

export function figureSettings(env: Env): FigureSettings {
  const [businessStart, businessEnd] = env.CUSTOS_BUSINESS_HOURS.split('-').map(Number) as [number, number];
  return { timeZone: env.CUSTOS_TIME_ZONE, businessStart, businessEnd, maxDays: env.CUSTOS_QUERY_MAX_DAYS };
}

/** The Region of the archive bucket, whose prices apply. */
export function archiveRegion(env: Env): string {
  return env.CUSTOS_ARCHIVE_REGION ?? env.AWS_REGION ?? 'us-east-1';
}

/** The shipped price table with CUSTOS_POSTURE_PRICES applied; a bad value is named. */
export function priceTable(env: Env): PriceTable {
  const raw = env.CUSTOS_POSTURE_PRICES;
  if (!raw) return PRICE_TABLE;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new DomainError('precondition', 'CUSTOS_POSTURE_PRICES is not JSON: give an override such as {"region":"eu-west-1","prices":{"STANDARD_IA":0.0128},"takenOn":"2026-11-01"}, or a list of them.');
  }
  let table = PRICE_TABLE;
  try {
    for (const o of Array.isArray(parsed) ? parsed : [parsed]) table = withPriceOverride(table, parsePriceOverride(o));
  } catch (error) {
    if (error instanceof ValidationError) throw new DomainError('precondition', `CUSTOS_POSTURE_PRICES: ${error.message}`);
    throw error;
  }
  return table;
}
