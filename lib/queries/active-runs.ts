import 'server-only';
import type { EngineProgress } from '@/lib/engine/port';

// Runs executing in this process: their cancel switch and latest progress, for the run page.
type Active = { controller: AbortController; progress: EngineProgress | null; startedAt: number };

const KEY = Symbol.for('custos.active-runs');
const holder = globalThis as { [KEY]?: Map<string, Active> };
const active = (holder[KEY] ??= new Map<string, Active>());

// A process asked to stop cancels what it is running, so runs end recorded as cancelled and
// engine threads do not keep it alive.
function abortAll(): void {
  for (const entry of active.values()) entry.controller.abort();
}
const HANDLERS = Symbol.for('custos.active-runs.signals');
const flags = globalThis as { [HANDLERS]?: boolean };
if (!flags[HANDLERS]) {
  flags[HANDLERS] = true;
  process.on('SIGTERM', abortAll);
  process.on('SIGINT', abortAll);
}

export function registerRun(runId: string): Active {
  const entry: Active = { controller: new AbortController(), progress: null, startedAt: Date.now() };
  active.set(runId, entry);
  return entry;
}

export function finishRun(runId: string): void {
  active.delete(runId);
}

export function runProgress(runId: string): EngineProgress | null {
  return active.get(runId)?.progress ?? null;
}

export function isActive(runId: string): boolean {
  return active.has(runId);
}

/** Signals cancellation; false when the run is not executing in this process. */
export function cancelActiveRun(runId: string): boolean {
  const entry = active.get(runId);
  if (!entry) return false;
  entry.controller.abort();
  return true;
}
