// The log coverage of a run's window as a complex extension (on Bundle.meta): the same facts as
// the JSON export's `coverage`, named alike. Gaps keep their half-open form as two instants.
import type { CoverageSource, LogCoverage } from '@/lib/engine/port';
import { EXTENSION } from './codes';
import type { Extension } from './types';

const SOURCES: CoverageSource[] = ['cloudtrail', 's3_access_logs', 's3_inventory'];

export function logCoverageExtension(coverage: LogCoverage): Extension {
  const parts: Extension[] = [
    { url: 'from', valueDate: coverage.from },
    { url: 'to', valueDate: coverage.to },
  ];
  for (const name of SOURCES) {
    const source = coverage.sources[name];
    if (!source) continue;
    const fields: Extension[] = [
      { url: 'name', valueCode: name },
      { url: 'daysWithLogs', valueUnsignedInt: source.daysWithLogs },
      { url: 'daysWithout', valueUnsignedInt: source.daysWithout },
    ];
    if (source.firstDay) fields.push({ url: 'firstDay', valueDate: source.firstDay });
    if (source.lastDay) fields.push({ url: 'lastDay', valueDate: source.lastDay });
    for (const gap of source.gaps) {
      fields.push({ url: 'gap', extension: [{ url: 'from', valueInstant: gap.from }, { url: 'to', valueInstant: gap.to }] });
    }
    parts.push({ url: 'source', extension: fields });
  }
  return { url: EXTENSION.logCoverage, extension: parts };
}
