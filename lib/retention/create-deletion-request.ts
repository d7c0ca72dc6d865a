import 'server-only';
import { z } from 'zod';
import { actorId, actorLabel } from '@/lib/actor';
import { authorize } from '@/lib/auth/authorize';
import type { Ctx } from '@/lib/context';
import { utcDay } from '@/lib/days';
import { deletionItems, deletionRequests, deletionRequestStudies } from '@/lib/db/schema/retention';
import { withTransaction } from '@/lib/db/tx';
import { DomainError, ValidationError, parseInput } from '@/lib/errors';
import { appendJournal } from '@/lib/journal/append';
import { imageSetsOf, liveLocks, objectVersionsOf } from './archive-snapshot';
import { assessStudies } from './assess';
import { buildManifest, manifestSha256, type Manifest, type ManifestStudy } from './manifest';
import { storedResultsNaming } from './stored-results';
import { readCatalogStudies } from './study-facts';

// Files an end-of-retention deletion request for a cohort of candidates, freezing its manifest:
// every object version (from the archive itself, with its Object Lock state) and image set of each
// study, each study's retention explanation, and the copies the request does not delete. Every
// study must be past retention and free of every hold today, and in no other open request.

const UID = /^[0-9]+(\.[0-9]+)*$/;

export const CreateDeletionRequestInput = z.object({
  studies: z
    .array(z.string().trim().max(64).regex(UID, 'Study Instance UIDs are digits separated by dots.'), { error: 'Pick the studies to delete.' })
    .min(1, 'Pick at least one study.')
    .max(500, 'At most 500 studies in one request.'),
  reason: z.string().trim().min(10, 'Say why, in at least 10 characters (the retention review it comes from).').max(2000, 'At most 2000 characters.'),
});

export type CreatedRequestDto = { id: string; manifestSha256: string; totals: Manifest['totals'] };

export async function createDeletionRequest(ctx: Ctx, raw: unknown): Promise<CreatedRequestDto> {
  await authorize(ctx, 'retention.request');
  const input = parseInput(CreateDeletionRequestInput, raw, { studies: 'Studies', reason: 'Reason' });
  const uids = [...new Set(input.studies)];
  const asOf = utcDay(ctx.now());
  const catalog = await readCatalogStudies(ctx.services.engine, uids);
  const unknown = uids.filter((u) => !catalog.some((c) => c.studyInstanceUid === u));
  if (unknown.length) throw new ValidationError(`Studies: not in the study catalog: ${unknown.join(', ')}.`, { studies: 'Some studies are not in the catalog.' });

  const assessed = await assessStudies(ctx, catalog, asOf, { showBirthDate: false });
  const refused = assessed.filter((a) => !a.explanation.deletable).map((a) => `${a.study.studyInstanceUid}: ${a.explanation.reasons.join('; ')}`);
  if (refused.length) throw new ValidationError(`Studies not deletable on ${asOf}: ${refused.join(' | ')}.`, { studies: 'Some studies are not deletable today.' });
  const taken = assessed.filter((a) => a.openRequest);
  if (taken.length) throw new DomainError('conflict', `Already in an open deletion request: ${taken.map((a) => `${a.study.studyInstanceUid} (request ${a.openRequest})`).join(', ')}.`);

  const bucket = ctx.services.env.CUSTOS_ARCHIVE_BUCKET;
  const now = ctx.now();
  const studies: ManifestStudy[] = [];
  const locked: string[] = [];
  for (const a of assessed) {
    const s = a.study;
    const objects = s.s3KeyPrefix ? await objectVersionsOf(ctx.services.objects, bucket, s.s3KeyPrefix, a.inventory) : [];
    const held = liveLocks(objects, now);
    if (held.length) locked.push(`${s.studyInstanceUid}: ${held.join('; ')}`);
    const e = a.explanation;
    studies.push({
      studyInstanceUid: s.studyInstanceUid,
      accessionNumber: s.accessionNumber,
      modality: s.modality,
      studyDate: s.studyDate,
      facility: s.facility,
      s3KeyPrefix: s.s3KeyPrefix,
      retention: {
        ruleSetId: a.ruleSet.id,
        ruleSetVersion: a.ruleSet.version,
        jurisdiction: a.ruleSet.jurisdiction,
        rule: e.rule,
        retentionClass: e.retentionClass,
        retainedThrough: e.retainedThrough,
        retainUntil: e.retainUntil,
        rules: e.rules,
        steps: e.steps,
      },
      objects,
      imageSets: await imageSetsOf(ctx.services.imageSets, s),
    });
  }
  if (locked.length) throw new ValidationError(`The archive itself still protects: ${locked.join(' | ')}.`, { studies: 'Some studies are still protected in the archive.' });

  const manifest = buildManifest({
    asOf,
    frozenAt: now.toISOString(),
    studies,
    elsewhere: {
      replicas: studies
        .map((s) => ({ studyInstanceUid: s.studyInstanceUid, versions: s.objects.filter((o) => o.replicationStatus === 'COMPLETED').length }))
        .filter((r) => r.versions > 0),
      backups: ctx.services.env.CUSTOS_ARCHIVE_BACKUP ?? null,
      storedResults: await storedResultsNaming(ctx, studies),
    },
  });
  const sha = manifestSha256(manifest);

  return withTransaction(ctx, async (tx, txCtx) => {
    const [row] = await tx
      .insert(deletionRequests)
      .values({
        state: 'pending',
        reason: input.reason,
        requestedBy: actorId(ctx.actor),
        requestedByLabel: actorLabel(ctx.actor),
        requestedAt: txCtx.now(),
        asOf,
        manifest: manifest as unknown as Record<string, unknown>,
        manifestSha256: sha,
        studies: manifest.totals.studies,
        objectVersions: manifest.totals.objectVersions,
        bytes: manifest.totals.bytes,
        imageSets: manifest.totals.imageSets,
        updatedAt: txCtx.now(),
      })
      .returning({ id: deletionRequests.id });
    const id = row!.id;
    // The partial unique index keeps a study in one open request, whatever races this one.
    const claimed = await tx
      .insert(deletionRequestStudies)
      .values(manifest.studies.map((s) => ({ requestId: id, studyInstanceUid: s.studyInstanceUid, open: true })))
      .onConflictDoNothing()
      .returning({ uid: deletionRequestStudies.studyInstanceUid });
    if (claimed.length !== manifest.studies.length) throw new DomainError('conflict', 'Another deletion request took some of these studies just now. Reload the candidates.');
    let seq = 0;
    const items = manifest.studies.flatMap((s) => [
      ...s.objects.map((o) => ({ requestId: id, seq: ++seq, studyInstanceUid: s.studyInstanceUid, kind: 'object-version' as const, container: o.bucket, name: o.key, versionId: o.versionId })),
      ...s.imageSets.map((i) => ({ requestId: id, seq: ++seq, studyInstanceUid: s.studyInstanceUid, kind: 'image-set' as const, container: i.datastoreId, name: i.imageSetId, versionId: i.versionId })),
    ]);
    for (let i = 0; i < items.length; i += 500) await tx.insert(deletionItems).values(items.slice(i, i + 500));
    await appendJournal(tx, txCtx, {
      action: 'retention_request.create',
      subject: id,
      details: {
        ...manifest.totals,
        manifestSha256: sha,
        asOf,
        ruleSets: [...new Set(manifest.studies.map((s) => `${s.retention.ruleSetId}@${s.retention.ruleSetVersion}`))].sort(),
      },
    });
    return { id, manifestSha256: sha, totals: manifest.totals };
  });
}
