import type { QueryRunRow } from '@/lib/db/schema';
import type { KeyRing } from '@/lib/keys/port';
import type { BoundValue, PreparedParams } from './params';

// A run's patient-identifying parameters are sealed with the installation key in the ledger row:
// the values bound (to re-run it) and their partial display (for people who may read PHI).

type SealedPhi = { binds: Record<string, BoundValue>; display: Record<string, string>; engineError?: string };

const context = (runId: string) => `query_runs.phi:${runId}`;

/** The ledger columns for a prepared run: opaque parameters, binds without PHI, PHI sealed. */
export function ledgerColumns(keys: KeyRing, runId: string, prepared: PreparedParams, phiDisplay = prepared.phiDisplay) {
  const binds: Record<string, BoundValue> = {};
  const phiBinds: Record<string, BoundValue> = {};
  for (const [name, value] of Object.entries(prepared.bound)) (prepared.phiNames.includes(name) ? phiBinds : binds)[name] = value;
  const phi = prepared.phiNames.length
    ? keys.seal(Buffer.from(JSON.stringify({ binds: phiBinds, display: phiDisplay } satisfies SealedPhi)), context(runId)).toString('base64')
    : null;
  return { parameters: prepared.display, binds, phi };
}

function openPhi(keys: KeyRing, row: Pick<QueryRunRow, 'id' | 'phi'>): SealedPhi {
  if (!row.phi) return { binds: {}, display: {} };
  return JSON.parse(keys.open(Buffer.from(row.phi, 'base64'), context(row.id)).toString('utf8')) as SealedPhi;
}

/** Every value a run bound (PHI opened), as parameters for a re-run from the ledger. */
export function ledgerParams(keys: KeyRing, row: Pick<QueryRunRow, 'id' | 'phi' | 'binds'>): Record<string, string> {
  return Object.fromEntries(Object.entries({ ...row.binds, ...openPhi(keys, row).binds }).map(([k, v]) => [k, String(v)]));
}

/** The run's sealed column with the engine's own error text added (it may echo data values). */
export function sealEngineError(keys: KeyRing, row: Pick<QueryRunRow, 'id' | 'phi'>, text: string): string {
  return keys.seal(Buffer.from(JSON.stringify({ ...openPhi(keys, row), engineError: text } satisfies SealedPhi)), context(row.id)).toString('base64');
}

/** The engine's own error text of a failed run, for someone who may read PHI. */
export function engineErrorOf(keys: KeyRing, row: Pick<QueryRunRow, 'id' | 'phi'>): string | null {
  return openPhi(keys, row).engineError ?? null;
}

/** The partial values of a run's patient-identifying parameters, for someone who may read PHI. */
export function phiDisplayOf(keys: KeyRing, row: Pick<QueryRunRow, 'id' | 'phi'>): Record<string, string> {
  return openPhi(keys, row).display;
}
