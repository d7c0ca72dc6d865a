import 'server-only';
import path from 'node:path';
import { DomainError } from '@/lib/errors';
import { listQueries } from '@/lib/queries/registry';
import { runSavedQuery } from '@/lib/queries/run-saved-query';
import { jsonBody } from '@/lib/queries/export-run';
import { csvLine } from '@/lib/queries/csv';
import { withCli } from '../context';
import type { Parsed } from '../args';
import { UsageError, out, table, write } from '../io';
import type { QUERY_LIST, QUERY_RUN } from '../specs';

export async function queryList({ values }: Parsed<typeof QUERY_LIST>): Promise<number> {
  const queries = listQueries().map((q) => ({
    id: q.id,
    title: q.title,
    roles: q.roles,
    parameters: q.params.map((p) => ({ name: p.name, type: p.type, label: p.label, required: p.required, ...(p.help ? { help: p.help } : {}) })),
  }));
  if (values.json) out(JSON.stringify(queries, null, 2));
  else out(table(['id', 'title', 'parameters'], queries.map((q) => [q.id, q.title, q.parameters.map((p) => p.name).join(', ')])));
  return 0;
}

export async function queryRun({ values, positionals }: Parsed<typeof QUERY_RUN>): Promise<number> {
  const queryId = positionals[0]!;
  const params: Record<string, string> = {};
  let fromStdin: string | null = null;
  for (const pair of values.param) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--param must be name=value (got "${pair}")`);
    const name = pair.slice(0, at);
    if (pair.slice(at + 1) === '-') {
      if (fromStdin) throw new UsageError(`only one parameter can be read from standard input (${fromStdin} and ${name} ask for it)`);
      fromStdin = name;
    } else params[name] = pair.slice(at + 1);
  }
  // `--param patient=-` reads the value from standard input: unlike an argument, it shows in no process list
  if (fromStdin) params[fromStdin] = await readStdinLine();
  return withCli({ lakeDir: values.lake ? path.resolve(values.lake) : undefined }, async (ctx, services) => {
    const run = await runSavedQuery(ctx, { queryId, params }, { wait: true });
    if (run.status !== 'succeeded') throw new DomainError('precondition', run.error ?? `The query ${run.status}.`);
    const columns = await services.results.columns(run.id);
    const rows = services.results.rows(run.id);
    if (values.format === 'json') {
      for await (const chunk of jsonBody(run, columns, rows)) await write(chunk);
    } else if (values.format === 'csv') {
      await write(csvLine(columns.map((c) => c.name)));
      for await (const row of rows) await write(csvLine(row));
    } else {
      const text: string[][] = [];
      for await (const row of rows) text.push(row.map((v) => (v === null ? '' : Array.isArray(v) ? v.join(', ') : String(v))));
      out(table(columns.map((c) => c.name), text));
      out(`\n${run.rowCount} rows · ${run.durationMs} ms · ${run.bytesScanned ?? 0} bytes scanned · run ${run.id}`);
    }
    return 0;
  });
}

async function readStdinLine(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.split('\n')[0]!.trim();
}
