import 'server-only';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import {
  ImageSetError,
  imageSetNotFound,
  type ImageSetDeletion,
  type ImageSetInfo,
  type ImageSetRef,
  type ImageSetStore,
  type ImageSetSummary,
} from '@/lib/archive/port';
import { imageSetFile, studyIndexFile, type ImageSetRecord } from './local-image-set-layout';

// A local directory with HealthImaging's semantics for what the portal does with image sets: a
// deleted image set is gone for GetImageSet and SearchImageSets, and DeleteImageSet answers LOCKED /
// DELETING as the service does while it works; deleting one that is gone is ResourceNotFound.

function isCode(error: unknown, ...codes: string[]): boolean {
  return typeof error === 'object' && error !== null && codes.includes((error as { code?: string }).code ?? '');
}

function checkRef(ref: ImageSetRef): void {
  for (const [field, value] of [['datastoreId', ref.datastoreId], ['imageSetId', ref.imageSetId]] as const) {
    if (!/^[0-9a-z]{32}$/.test(value)) throw new ImageSetError(`${field} must be 32 lower-case letters and digits`, 'invalid', ref, 'ValidationException');
  }
}

export class LocalImageSetStore implements ImageSetStore {
  readonly kind = 'local' as const;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly root: string) {}

  private async read(ref: ImageSetRef): Promise<ImageSetRecord | null> {
    checkRef(ref);
    try {
      const record = JSON.parse(await fs.promises.readFile(imageSetFile(this.root, ref.datastoreId, ref.imageSetId), 'utf8')) as ImageSetRecord;
      return record.state === 'DELETED' ? null : record;
    } catch (error) {
      if (isCode(error, 'ENOENT', 'ENOTDIR')) return null;
      throw error;
    }
  }

  async get(ref: ImageSetRef): Promise<ImageSetInfo> {
    const record = await this.read(ref);
    if (!record) throw imageSetNotFound(ref, 'ResourceNotFoundException');
    return {
      datastoreId: record.datastoreId,
      imageSetId: record.imageSetId,
      versionId: record.versionId,
      state: record.state,
      workflowStatus: record.workflowStatus,
      createdAt: new Date(record.createdAt),
      updatedAt: new Date(record.updatedAt),
    };
  }

  async findByStudy(datastoreId: string, studyInstanceUid: string): Promise<ImageSetSummary[]> {
    let ids: string[];
    try {
      ids = JSON.parse(await fs.promises.readFile(studyIndexFile(this.root, datastoreId, studyInstanceUid), 'utf8')) as string[];
    } catch (error) {
      if (isCode(error, 'ENOENT', 'ENOTDIR')) return [];
      throw error;
    }
    const out: ImageSetSummary[] = [];
    for (const imageSetId of ids) {
      const record = await this.read({ datastoreId, imageSetId });
      if (record) out.push({ datastoreId, imageSetId, versionId: record.versionId, studyInstanceUid: record.studyInstanceUid, isPrimary: record.isPrimary });
    }
    return out;
  }

  delete(ref: ImageSetRef): Promise<ImageSetDeletion> {
    const run = this.queue.then(async () => {
      const record = await this.read(ref);
      if (!record) throw imageSetNotFound(ref, 'ResourceNotFoundException');
      const file = imageSetFile(this.root, ref.datastoreId, ref.imageSetId);
      const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      const deleted: ImageSetRecord = { ...record, state: 'DELETED', workflowStatus: 'DELETED', updatedAt: new Date().toISOString() };
      await fs.promises.writeFile(temp, JSON.stringify(deleted), { mode: 0o600 });
      await fs.promises.rename(temp, file);
      return { datastoreId: ref.datastoreId, imageSetId: ref.imageSetId, state: 'LOCKED' as const, workflowStatus: 'DELETING' };
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}
