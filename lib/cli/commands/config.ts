import 'server-only';
import { parseArgs } from 'node:util';
import { checkConnections } from '@/lib/admin/check-connections';
import { withCli } from '../context';
import { out, table } from '../io';

export async function configCheck(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } }, strict: true });
  return withCli({}, async (ctx) => {
    const report = await checkConnections(ctx);
    if (values.json) out(JSON.stringify(report, null, 2));
    else out(table(['', 'item', 'detail'], report.checks.map((c) => [c.ok ? (c.warning ? 'WARN' : 'ok') : 'FAIL', c.item, c.message])));
    return report.ok ? 0 : 1;
  });
}
