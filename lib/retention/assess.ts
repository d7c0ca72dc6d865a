import 'server-only';
import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Ctx } from '@/lib/context';
import type { Db } from '@/lib/db/port';
import { deletionRequestStudies, legalHolds, studyDispositions, type LegalHoldRow, type StudyDispositionRow } from '@/lib/db/schema/retention';
import { explainRetention, type Explanation } from './evaluate';
import type { RuleSet } from './rule-set';
import { inForceRuleSets, ruleSetFor } from './rule-sets';
import { objectLocks, readInventory, type CatalogStudy, type InventoryVersion } from './study-facts';

// One study's whole retention picture on a day: the catalog's facts, the latest inventory's
// Object Lock state, Custos's own legal holds and disposals, the rule set that governs it, and the
// explanation the rule engine gives. Candidates, requests, the executor and `retention explain`
// all judge a study through this one function.

export type Assessment = {
  study: CatalogStudy;
  ruleSet: RuleSet;
  explanation: Explanation;
  inventory: InventoryVersion[];
  hold: LegalHoldRow | null;
  disposition: StudyDispositionRow | null;
  /** The open deletion request that holds the study, if any. */
  openRequest: string | null;
};

export type CustosState = {
  holds: Map<string, LegalHoldRow>;
  dispositions: Map<string, StudyDispositionRow>;
  openRequests: Map<string, string>;
};

export async function custosState(db: Db, uids: readonly string[]): Promise<CustosState> {
  const state: CustosState = { holds: new Map(), dispositions: new Map(), openRequests: new Map() };
  for (let i = 0; i < uids.length; i += 500) {
    const part = uids.slice(i, i + 500);
    if (!part.length) continue;
    for (const h of await db.select().from(legalHolds).where(and(inArray(legalHolds.studyInstanceUid, part), isNull(legalHolds.liftedAt)))) state.holds.set(h.studyInstanceUid, h);
    for (const d of await db.select().from(studyDispositions).where(inArray(studyDispositions.studyInstanceUid, part))) state.dispositions.set(d.studyInstanceUid, d);
    const open = await db
      .select()
      .from(deletionRequestStudies)
      .where(and(inArray(deletionRequestStudies.studyInstanceUid, part), eq(deletionRequestStudies.open, true)));
    for (const o of open) state.openRequests.set(o.studyInstanceUid, o.requestId);
  }
  return state;
}

export function holdReasons(uid: string, state: CustosState): string[] {
  const out: string[] = [];
  const hold = state.holds.get(uid);
  if (hold) out.push(`legal hold placed in Custos on ${hold.placedAt.toISOString().slice(0, 10)}`);
  const disposed = state.dispositions.get(uid);
  if (disposed) out.push(`already disposed on ${disposed.disposedAt.toISOString().slice(0, 10)}`);
  return out;
}

export type AssessOptions = {
  showBirthDate: boolean;
  /** The rule set to judge a study by (a request's recorded version); default: the one in force for its facility. */
  ruleSetOf?: (study: CatalogStudy) => RuleSet;
  /** Inventory versions already read, by S3 key prefix. */
  inventory?: Map<string, InventoryVersion[]>;
};

export async function assessStudies(ctx: Ctx, studies: readonly CatalogStudy[], asOf: string, options: AssessOptions): Promise<Assessment[]> {
  if (!studies.length) return [];
  const sets = options.ruleSetOf ? [] : await inForceRuleSets(ctx.db);
  const prefixes = studies.flatMap((s) => (s.s3KeyPrefix ? [s.s3KeyPrefix] : []));
  const inventory = options.inventory ?? (await readInventory(ctx.services.engine, prefixes));
  const state = await custosState(
    ctx.db,
    studies.map((s) => s.studyInstanceUid),
  );
  return studies.map((study) => {
    const ruleSet = options.ruleSetOf ? options.ruleSetOf(study) : ruleSetFor(sets, study.facility);
    const versions = (study.s3KeyPrefix && inventory.get(study.s3KeyPrefix)) || [];
    const explanation = explainRetention(
      {
        studyInstanceUid: study.studyInstanceUid,
        modality: study.modality,
        studyDate: study.studyDate,
        birthDate: study.birthDate,
        retentionClass: study.retentionClass,
        legalHold: study.legalHold,
        objectLocks: objectLocks(versions),
        otherHolds: holdReasons(study.studyInstanceUid, state),
      },
      ruleSet,
      asOf,
      { showBirthDate: options.showBirthDate },
    );
    return {
      study,
      ruleSet,
      explanation,
      inventory: versions,
      hold: state.holds.get(study.studyInstanceUid) ?? null,
      disposition: state.dispositions.get(study.studyInstanceUid) ?? null,
      openRequest: state.openRequests.get(study.studyInstanceUid) ?? null,
    };
  });
}
