import 'server-only';
import type { Ctx } from '@/lib/context';
import type { LogCoverage } from '@/lib/engine/port';
import { validateTrailIntegrity } from '@/lib/integrity/validate-digests';
import type { LakeTable } from '@/lib/lake/tables';
import type { Coverage, IntegritySummary } from './render';

// The scope section's facts, gathered from the run ledger and the logs: which sources, which
// window, what the logs cover, and whether CloudTrail's own digests vouch for its log files.

export const SOURCE_LABEL: Record<LakeTable, string> = {
  cloudtrail_logs: 'CloudTrail: management events and data events (HealthImaging, S3, KMS)',
  s3_access_logs: 'S3 server access logs',
  s3_inventory: 'S3 Inventory reports',
  study_catalog: 'Study catalog (the ingest pipeline’s patient → study → object map)',
};

export function sourcesOf(tables: readonly LakeTable[]): string[] {
  return [...new Set(tables)].map((t) => SOURCE_LABEL[t]);
}

/** A run's recorded coverage in the report's terms (sources by name, gaps as recorded). */
export function coverageOf(coverage: LogCoverage | null | undefined): Coverage | null {
  if (!coverage) return null;
  const sources: Coverage['sources'] = {};
  for (const [name, source] of Object.entries(coverage.sources)) {
    if (source) sources[name] = { daysWithLogs: source.daysWithLogs, daysWithout: source.daysWithout, gaps: source.gaps };
  }
  return { from: coverage.from, to: coverage.to, sources };
}

/**
 * CloudTrail's digest validation over the window, made now (the report says when it was made), or
 * why it was not: the report reads no CloudTrail logs, it has no window, or the digests could not be read.
 */
export async function integrityFor(ctx: Ctx, tables: readonly LakeTable[], window: { from: string; to: string } | null): Promise<IntegritySummary> {
  if (!tables.includes('cloudtrail_logs')) return { unavailable: 'this report reads no CloudTrail logs' };
  if (!window) return { unavailable: 'the report has no date window to validate' };
  try {
    const report = await validateTrailIntegrity(ctx.services.integrity, { from: window.from, to: window.to });
    if (report.digests.checked === 0) return { unavailable: `no CloudTrail digest file was found for ${window.from} to ${window.to}, so no log file could be validated` };
    return { ok: report.ok, regions: report.regions, digests: report.digests, logFiles: report.logFiles, problems: report.problems };
  } catch (error) {
    return { unavailable: `the CloudTrail digests could not be read (${error instanceof Error ? error.message : 'unknown error'})` };
  }
}

/** What every report over the logs leaves unproven, whatever the query. */
export const GENERAL_LIMITS = [
  'That the logs are complete beyond what the coverage and log-integrity sections above state: days or hours without delivered log files are gaps, not proof that nothing happened.',
  'Anything that happened after the run: the report shows the result as it was recorded when the query ran.',
  'Access outside AWS: copies of images printed, exported or held in other systems leave no trace in these logs.',
];
