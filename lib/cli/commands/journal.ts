import 'server-only';
import { parseArgs } from 'node:util';
import { withCli } from '../context';
import { err, out } from '../io';
import { checkJournal } from '@/lib/admin/check-journal';

export async function journalVerify(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } }, strict: true });
  return withCli({}, async (ctx) => {
    const result = await checkJournal(ctx);
    if (values.json) out(JSON.stringify(result, null, 2));
    if (result.ok) {
      if (!values.json) out(`Journal intact: ${result.entries} entries verified; head hash ${result.lastHash}`);
      return 0;
    }
    const b = result.firstBreak!;
    err(`Journal broken at entry ${b.seq}${b.action ? ` (${b.action}, ${b.at})` : ''}: ${b.message}`);
    return 1;
  });
}
