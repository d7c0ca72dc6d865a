import 'server-only';
import path from 'node:path';
import { explainStudyRetention } from '@/lib/retention/explain-study-retention';
import { withCli } from '../context';
import type { Parsed } from '../args';
import { out } from '../io';
import type { RETENTION_EXPLAIN } from '../specs';

/** `retention explain`: the same explanation as the study's page, with the CLI actor's rights. */
export async function retentionExplain({ values }: Parsed<typeof RETENTION_EXPLAIN>): Promise<number> {
  return withCli({ lakeDir: values.lake ? path.resolve(values.lake) : undefined }, async (ctx) => {
    const e = await explainStudyRetention(ctx, { study: values.study, asOf: values['as-of'] });
    if (values.json) {
      out(JSON.stringify(e.json, null, 2));
      return 0;
    }
    const lines = [
      `Study ${e.study.studyInstanceUid}${e.study.accessionNumber ? ` (accession ${e.study.accessionNumber})` : ''}: ${e.study.modality}, ${e.study.studyDate}${e.study.facility ? `, ${e.study.facility}` : ''}`,
      `Rule set ${e.ruleSet.name} (${e.ruleSet.id} version ${e.ruleSet.version}, ${e.ruleSet.jurisdiction})`,
      '',
      ...e.steps.map((s) => `  ${s}`),
      '',
      `Retain until ${e.json.retainUntil ?? 'cannot be computed'} (first day it may be deleted)`,
      e.json.deletable ? `Deletable on ${e.asOf}.` : `Not deletable on ${e.asOf}:`,
      ...e.json.reasons.map((r) => `  - ${r}`),
    ];
    out(lines.join('\n'));
    return 0;
  });
}
