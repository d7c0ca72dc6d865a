import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { withCachedWindow } from '@/lib/boot/cached-engine';
import { createDuckDbEngine } from '@/lib/engine/duckdb/adapter';
import { DEFAULT_LAYOUT } from '@/lib/lake/layout';

// Every form's default dates come from the engine's data window: it is remembered for minutes,
// not recomputed (S3 listings on Athena, a walk of the lake here) on every page view.
describe('the data window', () => {
  it('is remembered for its time to live, then read again', async () => {
    const lake = inject('testLake');
    let clock = 0;
    const engine = await createDuckDbEngine({ lake: { dir: lake.compacted, layout: DEFAULT_LAYOUT }, tempDir: path.join(lake.compacted, '..', 'tmp-window') });
    try {
      const cached = withCachedWindow(engine, 60_000, () => clock);
      const first = cached.dataWindow();
      expect(cached.dataWindow()).toBe(first);
      clock = 59_999;
      expect(cached.dataWindow()).toBe(first);
      clock = 60_000;
      const second = cached.dataWindow();
      expect(second).not.toBe(first);
      expect(await second).toEqual(await first);
      expect(await first).toMatchObject({ to: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
      expect(await cached.ready()).toBe(true);
    } finally {
      await engine.close();
    }
  });
});
