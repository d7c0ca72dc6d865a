import 'server-only';
import type { DeleteOptions, ListQuery, ObjectRef, ObjectStore, PutObjectInput, Retention } from './object-store';

/**
 * One object store made of several, chosen by bucket: the embedded default keeps the demo archive
 * bucket beside the demo lake it belongs to, and every other bucket under the data directory.
 */
export class RoutedObjectStore implements ObjectStore {
  readonly kind: ObjectStore['kind'];

  constructor(
    private readonly routes: Record<string, ObjectStore>,
    private readonly fallback: ObjectStore,
  ) {
    this.kind = fallback.kind;
  }

  private at(bucket: string): ObjectStore {
    return this.routes[bucket] ?? this.fallback;
  }

  put(input: PutObjectInput) {
    return this.at(input.bucket).put(input);
  }
  head(ref: ObjectRef) {
    return this.at(ref.bucket).head(ref);
  }
  get(ref: ObjectRef) {
    return this.at(ref.bucket).get(ref);
  }
  stream(ref: ObjectRef) {
    return this.at(ref.bucket).stream(ref);
  }
  delete(ref: ObjectRef, options?: DeleteOptions) {
    return this.at(ref.bucket).delete(ref, options);
  }
  deleteMany(bucket: string, objects: { key: string; versionId?: string }[], options?: DeleteOptions) {
    return this.at(bucket).deleteMany(bucket, objects, options);
  }
  listObjects(query: ListQuery) {
    return this.at(query.bucket).listObjects(query);
  }
  listVersions(query: ListQuery) {
    return this.at(query.bucket).listVersions(query);
  }
  putRetention(ref: ObjectRef, retention: Retention | null, options?: DeleteOptions) {
    return this.at(ref.bucket).putRetention(ref, retention, options);
  }
  getRetention(ref: ObjectRef) {
    return this.at(ref.bucket).getRetention(ref);
  }
  putLegalHold(ref: ObjectRef, on: boolean) {
    return this.at(ref.bucket).putLegalHold(ref, on);
  }
  getLegalHold(ref: ObjectRef) {
    return this.at(ref.bucket).getLegalHold(ref);
  }
}
