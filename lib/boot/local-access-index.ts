import 'server-only';
import { createDuckDbEngine } from '@/lib/engine/duckdb/adapter';
import type { AccessIndexRefresh } from '@/lib/engine/port';
import type { LakeLocation } from '@/lib/lake/tables';
import { accessIndexBuild } from '@/lib/queries/access-index-build';

/** Brings a local lake's access index up to date (the command line's `lake compact`, the benchmark). */
export async function refreshLocalAccessIndex(lake: LakeLocation, options: { lagDays?: number } = {}): Promise<AccessIndexRefresh> {
  const engine = await createDuckDbEngine({ lake, indexLagDays: options.lagDays });
  try {
    return await engine.accessIndex.refresh(accessIndexBuild);
  } finally {
    await engine.close();
  }
}
