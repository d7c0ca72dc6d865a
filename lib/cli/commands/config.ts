import 'server-only';
import { checkConnections } from '@/lib/admin/check-connections';
import { withCli } from '../context';
import type { Parsed } from '../args';
import { out, table } from '../io';
import type { CONFIG_CHECK } from '../specs';

export async function configCheck({ values }: Parsed<typeof CONFIG_CHECK>): Promise<number> {
  return withCli({}, async (ctx) => {
    const report = await checkConnections(ctx);
    if (values.json) out(JSON.stringify(report, null, 2));
    else out(table(['', 'item', 'detail'], report.checks.map((c) => [c.ok ? (c.warning ? 'WARN' : 'ok') : 'FAIL', c.item, c.message])));
    return report.ok ? 0 : 1;
  });
}
