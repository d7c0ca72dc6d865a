import 'server-only';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { integritySources } from '@/lib/boot/integrity-sources';
import { env, resetEnvCache } from '@/lib/config/env';
import { isCalendarDate } from '@/lib/days';
import { REGION_NAME } from '@/lib/integrity/keys';
import type { IntegrityReport } from '@/lib/integrity/report';
import { validateTrailIntegrity } from '@/lib/integrity/validate-digests';
import { UsageError, out } from '../io';

const USAGE = 'integrity validate --from YYYY-MM-DD --to YYYY-MM-DD [--region R …] [--lake DIR] [--json]';
const SHOWN_PROBLEMS = 50;

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        region: { type: 'string', multiple: true },
        lake: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!(error instanceof TypeError) || !code?.startsWith('ERR_PARSE_ARGS')) throw error;
    const named = /'([^']+)'/.exec(error.message)?.[1] ?? '';
    const what =
      code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
        ? `unknown option ${named}`
        : code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL'
          ? `unexpected argument ${named}`
          : error.message.includes('does not take')
            ? `${named.split(' ')[0]} takes no value`
            : `${named.split(' ')[0]} needs a value`;
    throw new UsageError(`${what}; usage: ${USAGE}`);
  }
}

function date(name: 'from' | 'to', value: string | undefined): string {
  if (value === undefined) throw new UsageError(`--${name} is required: a UTC day YYYY-MM-DD`);
  if (!isCalendarDate(value)) throw new UsageError(`--${name} must be a UTC day YYYY-MM-DD`);
  return value;
}

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

export async function integrityValidate(argv: string[]): Promise<number> {
  const values = parse(argv);
  const from = date('from', values.from);
  const to = date('to', values.to);
  if (to < from) throw new UsageError('--to must be on or after --from');
  const regions = values.region ?? [];
  const bad = regions.find((r) => !REGION_NAME.test(r));
  if (bad !== undefined) throw new UsageError(`--region must be a Region name such as us-east-1 (got "${bad}")`);
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
