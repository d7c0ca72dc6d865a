import 'server-only';
import fs from 'node:fs';
import path from 'node:path';
import { integritySources } from '@/lib/boot/integrity-sources';
import { env, resetEnvCache } from '@/lib/config/env';
import type { IntegrityReport } from '@/lib/integrity/report';
import { validateTrailIntegrity } from '@/lib/integrity/validate-digests';
import type { Parsed } from '../args';
import { UsageError, out } from '../io';
import type { INTEGRITY_VALIDATE } from '../specs';

const SHOWN_PROBLEMS = 50;

function summary(report: IntegrityReport): string {
  const lines = [
    `CloudTrail integrity ${report.from} to ${report.to} (${report.regions.join(', ') || 'no Region with digests'})`,
    `Digest files: ${report.digests.valid}/${report.digests.checked} valid`,
    `Log files: ${report.logFiles.valid}/${report.logFiles.checked} valid`,
  ];
  if (report.ok) return [...lines, report.digests.checked === 0 ? 'No digest file in this window: nothing was validated.' : 'Intact: no problems found.'].join('\n');
  lines.push(`${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}:`);
  for (const p of report.problems.slice(0, SHOWN_PROBLEMS)) lines.push(`  ${p.kind.padEnd(14)} ${p.from} to ${p.to}  ${p.file}`);
  if (report.problems.length > SHOWN_PROBLEMS) lines.push(`  … and ${report.problems.length - SHOWN_PROBLEMS} more (--json lists all)`);
  return lines.join('\n');
}

export async function integrityValidate({ values }: Parsed<typeof INTEGRITY_VALIDATE>): Promise<number> {
  const { from, to, region: regions } = values;
  if (to < from) throw new UsageError('--to must be on or after --from');
  const lakeDir = values.lake === undefined ? undefined : path.resolve(values.lake);
  if (lakeDir !== undefined && !fs.existsSync(lakeDir)) throw new UsageError(`--lake: the directory ${lakeDir} does not exist`);

  resetEnvCache();
  const sources = await integritySources(env(), { lakeDir });
  try {
    const report = await validateTrailIntegrity(sources, { from, to, regions });
    out(values.json ? JSON.stringify(report, null, 2) : summary(report));
    return report.ok ? 0 : 1;
  } finally {
    sources.close();
  }
}
