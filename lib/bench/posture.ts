// The posture figures: refresh every dashboard figure over the last 30 days of the measured lake
// and over a year (each recorded run, as the portal's job makes them), then render the recorded
// 30-day dashboard as the page does. A fresh embedded database in a temporary folder; the portal's
// own posture job actor asks and reads.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { prepareDatabase } from '@/lib/boot/prepare-database';
import { createServices } from '@/lib/boot/services';
import { parseEnv } from '@/lib/config/env';
import { makeCtx, type Ctx } from '@/lib/context';
import { jobs } from '@/lib/db/schema';
import { windowEnding } from '@/lib/days';
import { getPostureDashboard } from '@/lib/posture/get-posture-dashboard';
import { POSTURE_REFRESH_JOB, refreshPosture } from '@/lib/posture/refresh-posture';
import { round } from './figures';

export type PostureFigures = {
  /** The recorded 30-day dashboard, read and shaped as the page renders it. */
  cachedRenderMs: number;
  /** Every figure refreshed over the last 30 days. */
  refreshMs: number;
  /** Every figure refreshed over the last 365 days. */
  refresh365Ms: number;
  window30: { from: string; to: string };
  window365: { from: string; to: string };
};

async function refreshAll(ctx: Ctx, window: { from: string; to: string }): Promise<number> {
  const started = performance.now();
  const requested = await refreshPosture(ctx, window);
  const [job] = await ctx.db.select().from(jobs).where(and(eq(jobs.subject, requested.refreshId), eq(jobs.kind, POSTURE_REFRESH_JOB)));
  const ended = await ctx.services.jobs.runNow(job!.id);
  if (ended.state !== 'succeeded') throw new Error(`the posture refresh ${window.from} … ${window.to} ended ${ended.state}`);
  return round(performance.now() - started, 0);
}

export async function measurePosture(lakeDir: string, lakeEnd: string): Promise<PostureFigures> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'custos-bench-posture-'));
  const env = parseEnv({ CUSTOS_DATA_DIR: dataDir, CUSTOS_LAKE_DIR: lakeDir, CUSTOS_PORTAL_WORKER: 'off', CUSTOS_POSTURE_REFRESH: 'off' });
  const services = await createServices(env, { lakeDir });
  try {
    await prepareDatabase(services);
    const ctx = makeCtx(services, { type: 'system', job: 'posture-refresh' });
    const window30 = windowEnding(lakeEnd, 30);
    const window365 = windowEnding(lakeEnd, 365);
    const refreshMs = await refreshAll(ctx, window30);
    const started = performance.now();
    await getPostureDashboard(ctx, window30);
    const cachedRenderMs = round(performance.now() - started, 0);
    const refresh365Ms = await refreshAll(ctx, window365);
    return { cachedRenderMs, refreshMs, refresh365Ms, window30, window365 };
  } finally {
    await services.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}
