import 'server-only';
import type { QueryEngine } from '@/lib/engine/port';
import type { ScanScope } from '@/lib/lake/tables';

/**
 * The engine with its data window (every form's default dates) and liveness remembered for a few
 * minutes: on Athena each answer costs S3 listings, on DuckDB a walk of the lake's folders.
 */
export function withCachedWindow(engine: QueryEngine, ttlMs = 5 * 60_000, now: () => number = Date.now): QueryEngine {
  let window: { at: number; value: Promise<ScanScope | null> } | null = null;
  let ready: { at: number; value: Promise<boolean> } | null = null;
  return {
    ...engine,
    dataWindow() {
      if (!window || now() - window.at >= ttlMs) {
        const value = engine.dataWindow();
        window = { at: now(), value };
        value.catch(() => (window = null));
      }
      return window.value;
    },
    ready() {
      if (!ready || now() - ready.at >= ttlMs / 5) {
        const value = engine.ready();
        ready = { at: now(), value };
        value.catch(() => (ready = null));
      }
      return ready.value;
    },
  };
}
