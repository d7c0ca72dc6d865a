import 'server-only';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Actor } from '@/lib/actor';
import { ImageSetError } from '@/lib/archive/port';
import { authorize } from '@/lib/auth/authorize';
import { makeCtx, type Ctx, type Services } from '@/lib/context';
import { utcDay } from '@/lib/days';
import { deletionItems, studyDispositions, type DeletionItemRow, type DeletionRequestRow } from '@/lib/db/schema/retention';
import { withTransaction } from '@/lib/db/tx';
import { enqueueJob } from '@/lib/jobs/enqueue';
import { PermanentJobFailure, type JobHandler, type JobRun } from '@/lib/jobs/types';
import { appendJournal } from '@/lib/journal/append';
import { ObjectNotFoundError, ObjectStoreError } from '@/lib/storage/object-store';
import { liveLocks, objectVersionsOf } from './archive-snapshot';
import { assessStudies, custosState, holdReasons } from './assess';
import { CERTIFICATE_JOB } from './job-kinds';
import { manifestSha256, storedManifest, type Manifest, type ManifestObject, type ManifestStudy } from './manifest';
import { decisionsOf, lockRequest, setState } from './request-records';
import type { RuleSet } from './rule-set';
import { ruleSetVersion } from './rule-sets';
import { checkStart, transition } from './state';
import { purgeStoredResults } from './stored-results';
import { readCatalogStudies } from './study-facts';

// The executor of an approved deletion request, a durable job acting as the system:
//   1. start (approved → executing) or resume (executing, after a crash or a retry);
//   2. before the first delete, re-check everything at execution time — retention and holds (by
//      the rule-set versions the request recorded), the live archive's Object Lock and legal holds,
//      that every manifest item is still exactly there — and halt, deleting nothing, on any change;
//   3. delete exactly the manifest, item by item: `deleting` is committed before each delete is
//      sent and `deleted` after it returns, so a crash in between is settled by looking, and an item
//      already done is never sent again; objects that appeared since the freeze are never touched;
//   4. verify that nothing of the manifest remains, record each disposed study, purge Custos's own
//      stored results naming them, complete, and queue the signed certificate.

const EXECUTOR: Actor = { type: 'system', job: 'retention-executor' };
const BATCH = 1000;
const VERIFY_POLLS = [0, 500, 2_000, 5_000, 10_000];

export type ExecutionSummary = {
  items: Record<DeletionItemRow['state'], number>;
  verified: boolean | null;
  verifiedAt: string | null;
  /** Versions found under a study's prefix that the manifest did not list: reported, never deleted. */
  appeared: { studyInstanceUid: string; key: string; versionId: string; deleteMarker: boolean; size: number }[];
  resultsPurged: number;
  halted: string[] | null;
};

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

function stopIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new Error(`execution interrupted (${String(signal.reason)}); it resumes where it stopped`);
}

// mutation-path: the executor authorizes as the system actor with its own permission list, and
// journals every step (start, halt, each study disposed, completion) in the transaction that makes it.
export function deletionJob(services: Services): JobHandler {
  return (run) => executeDeletion(services, run);
}

async function executeDeletion(services: Services, run: JobRun): Promise<Record<string, unknown>> {
  const ctx = makeCtx(services, EXECUTOR, run.job.id);
  await authorize(ctx, 'retention.execute');
  const { requestId } = run.job.payload as { requestId: string };
  try {
    return await execute(ctx, requestId, run);
  } catch (error) {
    // The last attempt's unexpected failure leaves the request `failed` with its items as they are, never `executing` for ever.
    const stopping = run.signal.aborted;
    if (!stopping && !(error instanceof PermanentJobFailure) && run.attempt >= run.job.maxAttempts) {
      const items = await itemsOf(ctx, requestId);
      await fail(ctx, requestId, `Execution stopped: ${error instanceof Error ? error.message : 'unknown error'}`, items, run, true);
    }
    throw error;
  }
}

async function execute(ctx: Ctx, requestId: string, run: JobRun): Promise<Record<string, unknown>> {
  const started = await start(ctx, requestId, run.attempt);
  if ('skipped' in started) return { skipped: started.skipped };
  const { request, manifest } = started;

  const items = await itemsOf(ctx, request.id);
  const untouched = items.every((i) => i.state === 'pending');
  if (untouched) {
    const reasons = await precheck(ctx, request, manifest);
    if (reasons.halt.length) {
      await halt(ctx, request.id, reasons.halt);
      return { halted: reasons.halt.length };
    }
  } else {
    const blocked = await holdsDuringExecution(ctx, items);
    if (blocked.length) return fail(ctx, request.id, `Stopped: ${blocked.join('; ')}`, items, run, true);
  }

  await deleteItems(ctx, request.id, manifest, run);
  const after = await itemsOf(ctx, request.id);
  const failed = after.filter((i) => i.state === 'failed');
  if (failed.length) {
    const error = `${failed.length} item(s) could not be deleted: ${[...new Set(failed.map((i) => i.error ?? 'unknown error'))].slice(0, 3).join('; ')}`;
    return fail(ctx, request.id, error, after, run, false);
  }
  const verification = await verify(ctx, manifest, run.signal);
  if (!verification.ok) throw new Error(`verification incomplete: ${verification.pending} image set(s) still being deleted; the job tries again`);
  return complete(ctx, request.id, manifest, verification.appeared);
}

type Started = { request: DeletionRequestRow; manifest: Manifest } | { skipped: string };

async function start(ctx: Ctx, requestId: string, attempt: number): Promise<Started> {
  return withTransaction(ctx, async (tx, txCtx) => {
    const request = await lockRequest(tx, requestId);
    if (request.state !== 'approved' && request.state !== 'executing') return { skipped: request.state };
    const manifest = storedManifest(request.manifest);
    const decisions = await decisionsOf(tx, [request.id]);
    const check = checkStart(request, decisions);
    const problems: string[] = [];
    if (!check.ok) problems.push(check.message);
    if (manifestSha256(manifest) !== request.manifestSha256) problems.push('the stored manifest no longer hashes to the SHA-256 it was filed and approved with');
    const stale = decisions.filter((d) => d.decision === 'approve' && d.manifestSha256 !== request.manifestSha256);
    if (stale.length) problems.push(`${stale.length} approval(s) were given for another manifest (SHA-256 ${stale[0]!.manifestSha256})`);
    if (problems.length) {
      await setState(tx, txCtx, request.id, transition('halt', request.state), { stateReason: `Halted before deleting anything: ${problems.join('; ')}.`, finishedAt: txCtx.now() });
      await appendJournal(tx, txCtx, { action: 'retention_request.halt', subject: request.id, details: { reasons: problems } });
      return { skipped: 'halted' };
    }
    const resumed = request.state === 'executing';
    if (!resumed) await setState(tx, txCtx, request.id, transition('start', request.state), { executionStartedAt: txCtx.now() });
    await appendJournal(tx, txCtx, { action: 'retention_request.execute', subject: request.id, details: { attempt, resumed } });
    return { request: { ...request, state: 'executing' }, manifest };
  });
}

async function itemsOf(ctx: Ctx, requestId: string): Promise<DeletionItemRow[]> {
  return ctx.db.select().from(deletionItems).where(eq(deletionItems.requestId, requestId)).orderBy(asc(deletionItems.seq));
}

const versionKey = (key: string, versionId: string) => `${key}\u0000${versionId}`;

/** Everything that must still hold at execution time; any change halts the request before a single delete. */
async function precheck(ctx: Ctx, request: DeletionRequestRow, manifest: Manifest): Promise<{ halt: string[] }> {
  const reasons: string[] = [];
  const uids = manifest.studies.map((s) => s.studyInstanceUid);
  const catalog = await readCatalogStudies(ctx.services.engine, uids);
  const sets = new Map<string, RuleSet>();
  for (const s of manifest.studies) {
    const key = `${s.retention.ruleSetId}@${s.retention.ruleSetVersion}`;
    if (sets.has(key)) continue;
    const set = await ruleSetVersion(ctx.db, s.retention.ruleSetId, s.retention.ruleSetVersion);
    if (!set) reasons.push(`rule set ${key}, which the request was judged under, is gone`);
    else sets.set(key, set);
  }
  if (reasons.length) return { halt: reasons };
  const byUid = new Map(manifest.studies.map((s) => [s.studyInstanceUid, s]));
  for (const uid of uids) if (!catalog.some((c) => c.studyInstanceUid === uid)) reasons.push(`${uid}: no longer in the study catalog`);
  const today = utcDay(ctx.now());
  const assessed = await assessStudies(ctx, catalog, today, {
    showBirthDate: false,
    ruleSetOf: (c) => {
      const r = byUid.get(c.studyInstanceUid)!.retention;
      return sets.get(`${r.ruleSetId}@${r.ruleSetVersion}`)!;
    },
  });
  for (const a of assessed) {
    if (!a.explanation.deletable) reasons.push(`${a.study.studyInstanceUid}: ${a.explanation.reasons.join('; ')}`);
    if (a.openRequest !== request.id) reasons.push(`${a.study.studyInstanceUid}: no longer held by this request`);
    const frozen = byUid.get(a.study.studyInstanceUid)!;
    if (a.study.s3KeyPrefix !== frozen.s3KeyPrefix) reasons.push(`${a.study.studyInstanceUid}: the catalog now names another S3 prefix`);
  }
  for (const study of manifest.studies) reasons.push(...(await archiveChanges(ctx, study)));
  return { halt: reasons };
}

/** How the live archive differs from the frozen manifest in a way that forbids deleting it. */
async function archiveChanges(ctx: Ctx, study: ManifestStudy): Promise<string[]> {
  const out: string[] = [];
  const live = study.s3KeyPrefix ? await objectVersionsOf(ctx.services.objects, ctx.services.env.CUSTOS_ARCHIVE_BUCKET, study.s3KeyPrefix) : [];
  const byVersion = new Map(live.map((o) => [versionKey(o.key, o.versionId), o]));
  const frozen: ManifestObject[] = [];
  for (const o of study.objects) {
    const now = byVersion.get(versionKey(o.key, o.versionId));
    if (!now) out.push(`${study.studyInstanceUid}: ${o.key} version ${o.versionId} is no longer in the archive`);
    else if (now.etag !== o.etag || now.size !== o.size || now.deleteMarker !== o.deleteMarker) out.push(`${study.studyInstanceUid}: ${o.key} version ${o.versionId} changed since the manifest was frozen`);
    else frozen.push(now);
  }
  for (const reason of liveLocks(frozen, ctx.now())) out.push(`${study.studyInstanceUid}: ${reason}`);
  for (const i of study.imageSets) {
    try {
      const now = await ctx.services.imageSets.get({ datastoreId: i.datastoreId, imageSetId: i.imageSetId });
      if (now.versionId !== i.versionId) out.push(`${study.studyInstanceUid}: image set ${i.imageSetId} is at version ${now.versionId}, not the ${i.versionId} approved`);
    } catch (error) {
      if (error instanceof ImageSetError && error.code === 'not-found') out.push(`${study.studyInstanceUid}: image set ${i.imageSetId} no longer exists`);
      else throw error;
    }
  }
  return out;
}

/** On a resumed execution: a legal hold placed since it started stops the rest. */
async function holdsDuringExecution(ctx: Ctx, items: DeletionItemRow[]): Promise<string[]> {
  const remaining = [...new Set(items.filter((i) => i.state !== 'deleted' && i.state !== 'gone').map((i) => i.studyInstanceUid))];
  const state = await custosState(ctx.db, remaining);
  state.dispositions.clear();
  return remaining.flatMap((uid) => holdReasons(uid, state).map((r) => `${uid}: ${r}`));
}

async function halt(ctx: Ctx, requestId: string, reasons: string[]): Promise<void> {
  await withTransaction(ctx, async (tx, txCtx) => {
    const request = await lockRequest(tx, requestId);
    const summary: ExecutionSummary = { items: countItems(await itemsOf({ ...ctx, db: tx }, requestId)), verified: null, verifiedAt: null, appeared: [], resultsPurged: 0, halted: reasons };
    await setState(tx, txCtx, requestId, transition('halt', request.state), {
      stateReason: `Halted at execution, nothing deleted: ${reasons.join('; ')}.`,
      finishedAt: txCtx.now(),
      execution: summary as unknown as Record<string, unknown>,
    });
    await appendJournal(tx, txCtx, {
      action: 'retention_request.halt',
      subject: requestId,
      // the journal names studies by pseudonym, never by UID
      details: { reasons: reasons.map((r) => r.replace(/\b\d+(\.\d+){3,}\b/g, (uid) => ctx.services.keys.pseudonym('study', uid))) },
    });
  });
}

async function fail(ctx: Ctx, requestId: string, error: string, items: DeletionItemRow[], run: JobRun, final: boolean): Promise<never> {
  const last = final || run.attempt >= run.job.maxAttempts;
  if (!last) throw new Error(error);
  await withTransaction(ctx, async (tx, txCtx) => {
    const request = await lockRequest(tx, requestId);
    if (request.state !== 'executing') return;
    const counts = countItems(items);
    await setState(tx, txCtx, requestId, transition('fail', request.state), {
      stateReason: `${error}. ${counts.deleted + counts.gone} of ${items.length} items are gone; the rest are as listed. The requester may resume the execution.`,
      execution: { ...(request.execution ?? {}), items: counts } as Record<string, unknown>,
    });
    await appendJournal(tx, txCtx, { action: 'retention_request.fail', subject: requestId, details: { error: error.replace(/\b\d+(\.\d+){3,}\b/g, (uid) => ctx.services.keys.pseudonym('study', uid)), remaining: items.length - counts.deleted - counts.gone } });
  });
  throw new PermanentJobFailure(error);
}

function countItems(items: readonly DeletionItemRow[]): ExecutionSummary['items'] {
  const counts = { pending: 0, deleting: 0, deleted: 0, gone: 0, failed: 0 };
  for (const i of items) counts[i.state]++;
  return counts;
}

/** Records items' progress, committed before the next step is taken. */
async function mark(ctx: Ctx, requestId: string, seqs: readonly number[], state: DeletionItemRow['state'], extra: { error?: string | null; attempt?: boolean } = {}): Promise<void> {
  if (!seqs.length) return;
  await withTransaction(ctx, async (tx, txCtx) => {
    await tx
      .update(deletionItems)
      .set({ state, error: extra.error ?? null, updatedAt: txCtx.now(), ...(extra.attempt ? { attempts: sql`${deletionItems.attempts} + 1` } : {}) })
      .where(and(eq(deletionItems.requestId, requestId), inArray(deletionItems.seq, [...seqs])));
  });
}

/** Whether an object version is still in the archive (a delete marker counts as present until removed by its id). */
async function versionPresent(ctx: Ctx, bucket: string, key: string, versionId: string): Promise<boolean> {
  try {
    await ctx.services.objects.head({ bucket, key, versionId });
    return true;
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return error.deleteMarker;
    throw error;
  }
}

async function imageSetPresent(ctx: Ctx, datastoreId: string, imageSetId: string): Promise<boolean> {
  try {
    const info = await ctx.services.imageSets.get({ datastoreId, imageSetId });
    return !(info.state === 'LOCKED' && info.workflowStatus === 'DELETING');
  } catch (error) {
    if (error instanceof ImageSetError && error.code === 'not-found') return false;
    throw error;
  }
}

async function deleteItems(ctx: Ctx, requestId: string, manifest: Manifest, run: JobRun): Promise<void> {
  const all = await itemsOf(ctx, requestId);
  const total = all.length;
  let done = all.filter((i) => i.state === 'deleted' || i.state === 'gone').length;
  run.progress({ done, total });
  for (const study of manifest.studies) {
    const mine = all.filter((i) => i.studyInstanceUid === study.studyInstanceUid && i.state !== 'deleted' && i.state !== 'gone');
    if (!mine.length) continue;
    stopIfAborted(run.signal);

    // A `deleting` item is one whose delete may have been sent before a crash: look before sending again.
    const settled: number[] = [];
    for (const item of mine.filter((i) => i.state === 'deleting')) {
      const present =
        item.kind === 'object-version'
          ? await versionPresent(ctx, item.container, item.name, item.versionId)
          : await imageSetPresent(ctx, item.container, item.name);
      if (!present) settled.push(item.seq);
    }
    await mark(ctx, requestId, settled, 'deleted');
    done += settled.length;
    const todo = mine.filter((i) => !settled.includes(i.seq));

    const objects = todo.filter((i) => i.kind === 'object-version');
    for (let at = 0; at < objects.length; at += BATCH) {
      stopIfAborted(run.signal);
      const batch = objects.slice(at, at + BATCH);
      await mark(ctx, requestId, batch.map((i) => i.seq), 'deleting', { attempt: true });
      const bucket = batch[0]!.container;
      const result = await ctx.services.objects.deleteMany(bucket, batch.map((i) => ({ key: i.name, versionId: i.versionId })));
      const bySeq = new Map(batch.map((i) => [versionKey(i.name, i.versionId), i.seq]));
      const deleted = result.deleted.flatMap((d) => (d.versionId ? [bySeq.get(versionKey(d.key, d.versionId))!] : []));
      await mark(ctx, requestId, deleted.filter((s) => s !== undefined), 'deleted');
      for (const f of result.failed) {
        const seq = bySeq.get(versionKey(f.key, f.versionId ?? ''));
        if (seq !== undefined) await mark(ctx, requestId, [seq], 'failed', { error: failureText(f.error) });
      }
      done += deleted.length;
      run.progress({ done, total });
    }

    for (const item of todo.filter((i) => i.kind === 'image-set')) {
      stopIfAborted(run.signal);
      await mark(ctx, requestId, [item.seq], 'deleting', { attempt: true });
      try {
        await ctx.services.imageSets.delete({ datastoreId: item.container, imageSetId: item.name });
        await mark(ctx, requestId, [item.seq], 'deleted');
      } catch (error) {
        if (!(error instanceof ImageSetError)) throw error;
        if (error.code === 'not-found') await mark(ctx, requestId, [item.seq], item.state === 'pending' ? 'gone' : 'deleted');
        else await mark(ctx, requestId, [item.seq], 'failed', { error: `${error.serviceCode ?? error.code}: ${error.message}` });
      }
      done++;
      run.progress({ done, total });
    }

    await journalStudyIfDone(ctx, requestId, study);
  }
}

function failureText(error: ObjectStoreError): string {
  return `${error.storeCode ?? error.code}: ${error.message}`;
}

async function journalStudyIfDone(ctx: Ctx, requestId: string, study: ManifestStudy): Promise<void> {
  await withTransaction(ctx, async (tx, txCtx) => {
    const rows = await tx
      .select()
      .from(deletionItems)
      .where(and(eq(deletionItems.requestId, requestId), eq(deletionItems.studyInstanceUid, study.studyInstanceUid)));
    if (rows.some((r) => r.state !== 'deleted' && r.state !== 'gone')) return;
    await appendJournal(tx, txCtx, {
      action: 'retention_request.study_disposed',
      subject: requestId,
      details: { study: ctx.services.keys.pseudonym('study', study.studyInstanceUid), objectVersions: study.objects.length, imageSets: study.imageSets.length },
    });
  });
}

type Verification = { ok: true; appeared: ExecutionSummary['appeared'] } | { ok: false; pending: number };

/** Nothing of the manifest remains; what appeared since the freeze is reported. HealthImaging deletes asynchronously: it is polled a while. */
async function verify(ctx: Ctx, manifest: Manifest, signal: AbortSignal): Promise<Verification> {
  const appeared: ExecutionSummary['appeared'] = [];
  for (const study of manifest.studies) {
    if (!study.s3KeyPrefix) continue;
    const frozen = new Set(study.objects.map((o) => versionKey(o.key, o.versionId)));
    const live = await objectVersionsOf(ctx.services.objects, ctx.services.env.CUSTOS_ARCHIVE_BUCKET, study.s3KeyPrefix);
    const left = live.filter((o) => frozen.has(versionKey(o.key, o.versionId)));
    if (left.length) throw new Error(`verification failed: ${left.length} version(s) of the manifest are still in the archive`);
    for (const o of live) appeared.push({ studyInstanceUid: study.studyInstanceUid, key: o.key, versionId: o.versionId, deleteMarker: o.deleteMarker, size: o.size });
  }
  let pending = manifest.studies.flatMap((s) => s.imageSets);
  for (const wait of VERIFY_POLLS) {
    if (wait) await sleep(wait, signal);
    const still = [];
    for (const i of pending) if (await imageSetPresent(ctx, i.datastoreId, i.imageSetId).then((p) => p, () => true)) still.push(i);
    pending = still;
    if (!pending.length) return { ok: true, appeared };
    stopIfAborted(signal);
  }
  return { ok: false, pending: pending.length };
}

async function complete(ctx: Ctx, requestId: string, manifest: Manifest, appeared: ExecutionSummary['appeared']): Promise<Record<string, unknown>> {
  const catalog = await readCatalogStudies(
    ctx.services.engine,
    manifest.studies.map((s) => s.studyInstanceUid),
  );
  return withTransaction(ctx, async (tx, txCtx) => {
    const request = await lockRequest(tx, requestId);
    if (request.state !== 'executing') return { skipped: request.state };
    const items = await itemsOf({ ...ctx, db: tx }, requestId);
    const now = txCtx.now();
    for (const s of manifest.studies) {
      const row = catalog.find((c) => c.studyInstanceUid === s.studyInstanceUid);
      await tx
        .insert(studyDispositions)
        .values({
          studyInstanceUid: s.studyInstanceUid,
          accessionNumber: s.accessionNumber,
          patientIdHash: row?.patientIdHash ?? null,
          datastoreId: s.imageSets[0]?.datastoreId ?? row?.datastoreId ?? null,
          imageSetIds: s.imageSets.map((i) => i.imageSetId),
          s3KeyPrefix: s.s3KeyPrefix,
          requestId,
          disposedAt: now,
        })
        .onConflictDoNothing();
    }
    const resultsPurged = await purgeStoredResults(tx, txCtx, manifest.elsewhere.storedResults.map((r) => r.runId));
    const counts = countItems(items);
    const summary: ExecutionSummary = { items: counts, verified: true, verifiedAt: now.toISOString(), appeared, resultsPurged, halted: null };
    await setState(tx, txCtx, requestId, transition('complete', request.state), { finishedAt: now, stateReason: null, execution: summary as unknown as Record<string, unknown> });
    await appendJournal(tx, txCtx, {
      action: 'retention_request.complete',
      subject: requestId,
      details: { deleted: counts.deleted, alreadyGone: counts.gone, verified: true, reportedNotDeleted: appeared.length, resultsPurged },
    });
    await enqueueJob(tx, txCtx, { kind: CERTIFICATE_JOB, subject: requestId, payload: { requestId }, maxAttempts: 5 });
    return { deleted: counts.deleted, alreadyGone: counts.gone, reportedNotDeleted: appeared.length };
  });
}
