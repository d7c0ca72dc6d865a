// The local image-set store's files on disk, shared by the store (local-image-set-store.ts) and the
// demo lake generator: `<root>/<datastoreId>/image-sets/<imageSetId>.json` per image set, and
// `<root>/<datastoreId>/studies/<study UID>.json` listing the image sets a study was imported into.
import fs from 'node:fs';
import path from 'node:path';
import type { ImageSetState } from '@/lib/archive/port';
import { encodeSegment } from './local-object-layout';

export type ImageSetRecord = {
  datastoreId: string;
  imageSetId: string;
  versionId: string;
  state: ImageSetState;
  workflowStatus: string;
  createdAt: string;
  updatedAt: string;
  studyInstanceUid: string;
  isPrimary: boolean;
};

export function imageSetFile(root: string, datastoreId: string, imageSetId: string): string {
  return path.join(root, encodeSegment(datastoreId), 'image-sets', `${encodeSegment(imageSetId)}.json`);
}

export function studyIndexFile(root: string, datastoreId: string, studyInstanceUid: string): string {
  return path.join(root, encodeSegment(datastoreId), 'studies', `${encodeSegment(studyInstanceUid)}.json`);
}

/** Writes image sets into an empty store, before anything reads it (the generator). */
export function seedImageSets(root: string, records: ImageSetRecord[]): void {
  const byStudy = new Map<string, string[]>();
  for (const record of records) {
    const file = imageSetFile(root, record.datastoreId, record.imageSetId);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, JSON.stringify(record), { mode: 0o600, flag: 'wx' });
    const index = studyIndexFile(root, record.datastoreId, record.studyInstanceUid);
    byStudy.set(index, [...(byStudy.get(index) ?? []), record.imageSetId]);
  }
  for (const [file, ids] of byStudy) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, JSON.stringify(ids.sort()), { mode: 0o600, flag: 'wx' });
  }
}
