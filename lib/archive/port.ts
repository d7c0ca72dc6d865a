// The image-set port: AWS HealthImaging's image sets (datastore, image set, version), as the
// deletion executor needs them: read one, find a study's, delete one. Adapters: HealthImaging, and
// a local directory with the same semantics.

export type ImageSetRef = { datastoreId: string; imageSetId: string };

/** HealthImaging's ImageSetState. */
export type ImageSetState = 'ACTIVE' | 'LOCKED' | 'DELETED';

export type ImageSetInfo = ImageSetRef & {
  /** The latest version (digits, from "1"). */
  versionId: string;
  state: ImageSetState;
  /** HealthImaging's ImageSetWorkflowStatus (CREATED, UPDATED, DELETING, …) as given. */
  workflowStatus: string;
  createdAt: Date | null;
  updatedAt: Date | null;
};

export type ImageSetSummary = ImageSetRef & { versionId: string; studyInstanceUid: string | null; isPrimary: boolean | null };

/** What DeleteImageSet answered: HealthImaging deletes asynchronously (LOCKED / DELETING at first). */
export type ImageSetDeletion = ImageSetRef & { state: ImageSetState; workflowStatus: string };

export type ImageSetStore = {
  /** The adapter's name; never branched on outside the composition root. */
  readonly kind: 'local' | 'healthimaging';
  /** The image set's latest version; ImageSetNotFoundError when it does not exist (or no longer does). */
  get(ref: ImageSetRef): Promise<ImageSetInfo>;
  /** Every image set of the datastore holding the study (SearchImageSets on DICOMStudyInstanceUID). */
  findByStudy(datastoreId: string, studyInstanceUid: string): Promise<ImageSetSummary[]>;
  /** Deletes the image set; one that is already gone answers ImageSetNotFoundError. */
  delete(ref: ImageSetRef): Promise<ImageSetDeletion>;
};

export type ImageSetErrorCode = 'not-found' | 'conflict' | 'denied' | 'throttled' | 'invalid' | 'failed';

const BRAND = Symbol.for('custos.ImageSetError');

export class ImageSetError extends Error {
  // A brand keeps `instanceof` true when a bundler loads this module twice.
  readonly [BRAND] = true;

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  constructor(
    message: string,
    readonly code: ImageSetErrorCode,
    readonly ref: Partial<ImageSetRef> = {},
    /** The service's own error name (ConflictException, ThrottlingException …). */
    readonly serviceCode: string | null = null,
  ) {
    super(message);
    this.name = 'ImageSetError';
  }
}

export function imageSetNotFound(ref: ImageSetRef, serviceCode: string | null = null): ImageSetError {
  return new ImageSetError(`image set ${ref.imageSetId} of datastore ${ref.datastoreId} does not exist`, 'not-found', ref, serviceCode);
}

const ID = /^[0-9a-z]{32}$/;

/** HealthImaging's id format (32 lower-case letters and digits). */
export function isImageSetId(value: string): boolean {
  return ID.test(value);
}
