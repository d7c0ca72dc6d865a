import 'server-only';
import { actorId } from '@/lib/actor';
import { authorize } from '@/lib/auth/authorize';
import { can } from '@/lib/auth/policy';
import type { Ctx } from '@/lib/context';
import type { Cell, EngineColumn } from '@/lib/engine/port';
import { describeColumns, type ResultColumn } from './columns';
import type { SavedQuery } from './definition';
import { sealPatientLink } from './patient-link';
import { findQuery } from './registry';

export type ResultRowLinks = {
  /** Column index in the row → the patient view of the patient that cell names (privacy officers only). */
  patients: Record<number, string>;
  /** The saved query this row drills into, filled in from the row; null when a value it needs is empty. */
  drilldown: string | null;
};

export type ResultViewDto = {
  /** In the order the table shows them (the columns that answer the question first). */
  columns: ResultColumn[];
  links: ResultRowLinks[];
  /** The text of each row's drill-down link, when the query has one. */
  drilldownLabel: string | null;
};

export type DescribeResultsInput = {
  queryId: string;
  /** The run's parameters as recorded (non-patient values in clear), for a drill-down to carry on. */
  parameters: Record<string, string>;
  columns: EngineColumn[];
  rows: Cell[][];
};

function drilldownHref(query: SavedQuery, columns: EngineColumn[], row: Cell[], parameters: Record<string, string>): string | null {
  const d = query.drilldown!;
  const search = new URLSearchParams();
  for (const [param, column] of Object.entries(d.columns)) {
    const value = row[columns.findIndex((c) => c.name === column)];
    if (value === null || value === undefined || value === '' || Array.isArray(value)) return null;
    search.set(param, String(value));
  }
  for (const param of d.params) if (parameters[param] !== undefined) search.set(param, parameters[param]);
  return `/audit/${d.query}?${search.toString()}`;
}

/**
 * A page of a run's result as the table shows it: labelled columns in reading order, and each row's
 * links — to the patient a cell names (sealed for the viewer, only if they may read PHI) and to the
 * query the row drills into.
 */
export async function describeResults(ctx: Ctx, input: DescribeResultsInput): Promise<ResultViewDto> {
  await authorize(ctx, 'query.use');
  const query = findQuery(input.queryId);
  const columns = describeColumns(query?.columns, input.columns);
  const patientColumns = can(ctx.actor, 'patient.read_phi') ? columns.filter((c) => c.kind === 'patient').map((c) => c.index) : [];
  const sealed = new Map<string, string>();
  const now = ctx.now();
  const link = (hash: string) => {
    let token = sealed.get(hash);
    if (!token) sealed.set(hash, (token = sealPatientLink(ctx.services.keys, actorId(ctx.actor), hash, now)));
    return `/patients?ref=${token}`;
  };
  const links = input.rows.map((row): ResultRowLinks => {
    const patients: Record<number, string> = {};
    for (const i of patientColumns) {
      const value = row[i];
      if (typeof value === 'string' && /^[0-9a-f]{64}$/.test(value)) patients[i] = link(value);
    }
    return { patients, drilldown: query?.drilldown ? drilldownHref(query, input.columns, row, input.parameters) : null };
  });
  return { columns, links, drilldownLabel: query?.drilldown?.label ?? null };
}
