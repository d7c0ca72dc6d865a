import 'server-only';
import { and, desc, eq, inArray, isNotNull } from 'drizzle-orm';
import { z } from 'zod';
import { authorize } from '@/lib/auth/authorize';
import { canRunQuery } from '@/lib/auth/policy';
import type { Ctx } from '@/lib/context';
import { addDays, daysBetween, utcDay } from '@/lib/days';
import { postureRefreshes, postureSnapshots, queryRuns, type PostureRefreshRow, type QueryRunRow } from '@/lib/db/schema';
import { withTransaction } from '@/lib/db/tx';
import { parseInput } from '@/lib/errors';
import { appendJournal } from '@/lib/journal/append';
import { findQuery } from '@/lib/queries/registry';
import type { FigureRef, PostureDashboard, SnapshotRef } from './dashboard-types';
import { decryptHistoryFrom, FIGURE_KEYS, FIGURES, TREND_REPORTS_MAX_DAYS, type FigureKey, type PostureWindow } from './figures';
import { accessPanel, bulkPanel, decryptPanel, failedPanel, storagePanel, storageProjection, storageTrend, trailPanel, type Rows } from './panels';
import type { ApiCall } from './port';
import { PRICE_TABLE } from './prices';
import { parseWindow } from './refresh-posture';
import { archiveRegion, figureSettings, priceTable } from './settings';
import { postureSummary, type PostureSummary } from './summary';

/** Windows the picker offers: the lake's last N days. */
export const PRESET_DAYS = [7, 30, 90, 365] as const;
/** A figure's rows read at most (the dashboards' queries return aggregates: far fewer). */
const MAX_ROWS = 250_000;

const DashboardInput = z.object({
  from: z.string().optional(),
  to: z.string().optional(),
  days: z.coerce
    .number({ error: 'choose 7, 30, 90 or 365 days' })
    .refine((d) => (PRESET_DAYS as readonly number[]).includes(d), 'choose 7, 30, 90 or 365 days')
    .optional(),
});

/** The window asked for: from and to as given, or the lake's last `days` days (30 by default). */
async function resolveWindow(ctx: Ctx, raw: unknown): Promise<{ window: PostureWindow; lakeLastDay: string | null }> {
  const input = parseInput(DashboardInput, raw ?? {}, { from: 'From', to: 'To', days: 'Days' });
  const lakeLastDay = (await ctx.services.engine.dataWindow())?.to ?? null;
  if (input.from || input.to) return { window: parseWindow(ctx.services.env, { from: input.from, to: input.to }), lakeLastDay };
  const to = lakeLastDay ?? utcDay(ctx.now());
  return { window: { from: addDays(to, -((input.days ?? 30) - 1)), to }, lakeLastDay };
}

async function readRows(ctx: Ctx, runId: string): Promise<Rows> {
  const columns = (await ctx.services.results.columns(runId)).map((c) => c.name);
  const rows: Rows['rows'] = [];
  for await (const row of ctx.services.results.rows(runId)) {
    rows.push(row);
    if (rows.length >= MAX_ROWS) break;
  }
  return { columns, rows };
}

function figureRef(ctx: Ctx, key: FigureKey, run: QueryRunRow | undefined, problem: string | undefined): FigureRef {
  const query = findQuery(FIGURES[key].queryId);
  const visible = Boolean(query) && canRunQuery(ctx.actor, query!.roles);
  const purged = run?.resultPurgedAt ? `The result was purged on ${run.resultPurgedAt.toISOString().slice(0, 10)}, after the portal's retention of results; refresh the dashboards.` : null;
  return {
    key,
    queryId: FIGURES[key].queryId,
    queryTitle: run?.queryTitle ?? query?.title ?? FIGURES[key].queryId,
    runId: run?.id ?? null,
    status: run?.status ?? 'missing',
    parameters: run?.parameters ?? {},
    startedAt: run?.startedAt.toISOString() ?? null,
    finishedAt: run?.finishedAt?.toISOString() ?? null,
    rowCount: run?.rowCount ?? null,
    sqlSha256: run?.sqlSha256 ?? null,
    resultSha256: run?.resultSha256 ?? null,
    engine: run?.engine ?? null,
    coverage: run?.coverage ?? null,
    visible,
    problem: problem ?? purged ?? (run ? (run.status === 'succeeded' && !ctx.services.results.exists(run.id) ? 'The result of this run is no longer stored.' : null) : 'Not run in this refresh.'),
  };
}

/** The dashboards for a window, from its latest finished refresh; journaled as a view. */
export async function getPostureDashboard(ctx: Ctx, raw: unknown): Promise<PostureDashboard & { summary: PostureSummary }> {
  await authorize(ctx, 'posture.view');
  const { window, lakeLastDay } = await resolveWindow(ctx, raw);
  const sameWindow = and(eq(postureRefreshes.windowFrom, window.from), eq(postureRefreshes.windowTo, window.to));
  const [refresh] = await ctx.db.select().from(postureRefreshes).where(and(sameWindow, isNotNull(postureRefreshes.finishedAt))).orderBy(desc(postureRefreshes.requestedAt)).limit(1);
  const [open] = await ctx.db.select().from(postureRefreshes).where(and(sameWindow, eq(postureRefreshes.state, 'running'))).orderBy(desc(postureRefreshes.requestedAt)).limit(1);

  const dashboard = await buildDashboard(ctx, window, refresh ?? null);
  dashboard.lakeLastDay = lakeLastDay;
  dashboard.preset = lakeLastDay && window.to === lakeLastDay ? (PRESET_DAYS.find((d) => daysBetween(window.from, window.to).length === d) ?? null) : null;
  dashboard.refreshing = open && (!refresh || open.requestedAt > refresh.requestedAt) ? { id: open.id, requestedAt: open.requestedAt.toISOString() } : null;
  await withTransaction(ctx, (tx, txCtx) =>
    appendJournal(tx, txCtx, { action: 'posture.view', subject: refresh?.id ?? null, details: { from: window.from, to: window.to, refreshId: refresh?.id ?? null, page: 'dashboards' } }),
  );
  return { ...dashboard, summary: postureSummary(dashboard) };
}

/** The dashboards' figures from one refresh (null: none recorded), for the viewer's role. */
export async function buildDashboard(ctx: Ctx, window: PostureWindow, refresh: PostureRefreshRow | null): Promise<PostureDashboard> {
  const env = ctx.services.env;
  const settings = figureSettings(env);
  const region = archiveRegion(env);
  const prices = priceTable(env);
  const runIds = refresh ? Object.values(refresh.runs) : [];
  const runs = runIds.length ? await ctx.db.select().from(queryRuns).where(inArray(queryRuns.id, runIds)) : [];
  const byId = new Map(runs.map((r) => [r.id, r]));
  const figures: PostureDashboard['figures'] = {};
  const rows = new Map<FigureKey, Rows>();
  if (refresh) {
    for (const key of FIGURE_KEYS) {
      const run = refresh.runs[key] ? byId.get(refresh.runs[key]!) : undefined;
      const ref = figureRef(ctx, key, run, refresh.problems[key]);
      figures[key] = ref;
      if (run && ref.visible && !ref.problem && run.status === 'succeeded') rows.set(key, await readRows(ctx, run.id));
    }
  }
  const snapshotIds = refresh ? Object.values(refresh.snapshots) : [];
  const snaps = snapshotIds.length ? await ctx.db.select().from(postureSnapshots).where(inArray(postureSnapshots.id, snapshotIds)) : [];
  const snapshot = (kind: 'trails' | 'lifecycle') => snaps.find((s) => s.kind === kind && refresh?.snapshots[kind] === s.id) ?? null;
  const snapshotRef = (kind: 'trails' | 'lifecycle'): SnapshotRef | null => {
    const s = snapshot(kind);
    return s
      ? { id: s.id, kind: s.kind, source: s.source, subject: s.subject, takenAt: s.takenAt.toISOString(), sha256: s.sha256, calls: s.calls as unknown as ApiCall[], unavailable: s.unavailable }
      : null;
  };

  const storageRows = rows.get('storage.snapshot');
  const lifecycle = snapshot('lifecycle');
  const agesRows = rows.get('storage.ages');
  const granularity = daysBetween(window.from, window.to).length > TREND_REPORTS_MAX_DAYS ? 'month' : 'report';
  const retentionQuery = findQuery('retention-due');
  const storage: PostureDashboard['storage'] = storageRows
    ? {
        panel: storagePanel(storageRows, { asOf: window.to, region, prices }),
        trend: rows.has('storage.trend') ? storageTrend(rows.get('storage.trend')!, { granularity, region, prices }) : null,
        projection: agesRows
          ? storageProjection(agesRows, lifecycle?.body ?? null, {
              asOf: window.to,
              region,
              prices,
              unavailable: !lifecycle ? 'The lifecycle configuration was not recorded in this refresh.' : lifecycle.unavailable,
            })
          : { rules: [], months: [], classes: [], totalUsd: 0, undatedNoncurrent: 0, unavailable: 'The object ages were not recorded in this refresh.' },
        retentionHref: retentionQuery && canRunQuery(ctx.actor, retentionQuery.roles) ? `/audit/retention-due?${new URLSearchParams({ as_of: window.to }).toString()}` : null,
      }
    : null;

  const decryptRun = figures['decrypt.minutes'];
  const historyFrom = decryptRun?.parameters.from ?? decryptHistoryFrom(window, settings.maxDays);
  const firstLogDay = decryptRun?.coverage?.sources.cloudtrail?.firstDay ?? null;
  const decrypt = rows.has('decrypt.minutes')
    ? decryptPanel(rows.get('decrypt.minutes')!, window, { timeZone: settings.timeZone, historyFrom: firstLogDay && firstLogDay > historyFrom ? firstLogDay : historyFrom })
    : null;

  const trailsSnapshot = snapshot('trails');
  return {
    window,
    preset: null,
    lakeLastDay: null,
    refresh: refresh
      ? { id: refresh.id, state: refresh.state, trigger: refresh.trigger, requestedAt: refresh.requestedAt.toISOString(), finishedAt: refresh.finishedAt?.toISOString() ?? null, actorLabel: refresh.actorLabel }
      : null,
    refreshing: null,
    figures,
    snapshots: { trails: snapshotRef('trails'), lifecycle: snapshotRef('lifecycle') },
    storage,
    decrypt,
    access: {
      overview: rows.has('access.daily') || rows.has('access.principals') ? accessPanel(rows.get('access.daily') ?? null, rows.get('access.principals') ?? null, window) : null,
      bulk: rows.has('access.bulk') ? bulkPanel(rows.get('access.bulk')!) : null,
      failed: rows.has('access.failed') ? failedPanel(rows.get('access.failed')!) : null,
    },
    trails: trailPanel(trailsSnapshot ? { body: trailsSnapshot.body, unavailable: trailsSnapshot.unavailable } : null, rows.get('trails.coverage') ?? null, env.CUSTOS_ARCHIVE_BUCKET),
    digestValidation: {
      available: false,
      note: 'The digest-chain validation of this window is shown here once the portal records it with its evidence; meanwhile `custos integrity validate --from … --to …` validates it offline.',
    },
    settings: {
      timeZone: settings.timeZone,
      businessHours: [settings.businessStart, settings.businessEnd],
      region,
      archiveBucket: env.CUSTOS_ARCHIVE_BUCKET,
      prices: { takenOn: prices[region]?.takenOn ?? null, overridden: prices !== PRICE_TABLE },
    },
  };
}
