import 'server-only';
import {
  DeleteImageSetCommand,
  GetImageSetCommand,
  SearchImageSetsCommand,
  type MedicalImagingClient,
} from '@aws-sdk/client-medical-imaging';
import {
  ImageSetError,
  imageSetNotFound,
  type ImageSetDeletion,
  type ImageSetErrorCode,
  type ImageSetInfo,
  type ImageSetRef,
  type ImageSetState,
  type ImageSetStore,
  type ImageSetSummary,
} from '@/lib/archive/port';

// AWS HealthImaging (aws-formats.md §3): GetImageSet, SearchImageSets on the study's UID, and
// DeleteImageSet, retried on throttling and server errors with bounded back-off. The client is
// built with maxAttempts 1 so these retries are the only ones.

export type HealthImagingRetry = { attempts: number; baseMs: number; maxMs: number };

export const DEFAULT_HEALTHIMAGING_RETRY: HealthImagingRetry = { attempts: 5, baseMs: 200, maxMs: 5_000 };

const CODES: Record<string, ImageSetErrorCode> = {
  ResourceNotFoundException: 'not-found',
  ConflictException: 'conflict',
  AccessDeniedException: 'denied',
  ThrottlingException: 'throttled',
  ServiceQuotaExceededException: 'throttled',
  ValidationException: 'invalid',
};

type AwsError = { name?: unknown; message?: unknown; $metadata?: { httpStatusCode?: number } };

function nameOf(error: unknown): string {
  const name = (error as AwsError | null)?.name;
  return typeof name === 'string' && name !== '' ? name : 'Error';
}

function statusOf(error: unknown): number | undefined {
  return (error as AwsError | null)?.$metadata?.httpStatusCode;
}

function retryable(error: unknown): boolean {
  const name = nameOf(error);
  const status = statusOf(error);
  return name === 'ThrottlingException' || name === 'InternalServerException' || status === 429 || (status !== undefined && status >= 500 && status !== 501);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function mapError(error: unknown, operation: string, ref: Partial<ImageSetRef>, attempts: number): ImageSetError {
  if (error instanceof ImageSetError) return error;
  const name = nameOf(error);
  const message = typeof (error as AwsError | null)?.message === 'string' ? String((error as AwsError).message) : String(error);
  const code = CODES[name] ?? (statusOf(error) === 429 ? 'throttled' : 'failed');
  if (code === 'not-found' && ref.datastoreId && ref.imageSetId) return imageSetNotFound({ datastoreId: ref.datastoreId, imageSetId: ref.imageSetId }, name);
  const what = ref.imageSetId ? `image set ${ref.imageSetId}` : `datastore ${ref.datastoreId ?? '?'}`;
  const text =
    code === 'throttled'
      ? `HealthImaging kept throttling ${operation} on ${what} (${name}) after ${attempts} attempts; try again later`
      : `HealthImaging ${operation} on ${what} failed: ${name}: ${message}`;
  return new ImageSetError(text, code, ref, name);
}

function state(value: string | undefined): ImageSetState {
  return value === 'LOCKED' || value === 'DELETED' ? value : 'ACTIVE';
}

export class HealthImagingImageSetStore implements ImageSetStore {
  readonly kind = 'healthimaging' as const;
  private readonly retry: HealthImagingRetry;

  constructor(
    private readonly client: MedicalImagingClient,
    options: { retry?: HealthImagingRetry } = {},
  ) {
    this.retry = options.retry ?? DEFAULT_HEALTHIMAGING_RETRY;
  }

  private async call<T>(operation: string, ref: Partial<ImageSetRef>, send: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await send();
      } catch (error) {
        if (!retryable(error) || attempt >= this.retry.attempts) throw mapError(error, operation, ref, attempt);
        const ceiling = Math.min(this.retry.maxMs, this.retry.baseMs * 2 ** (attempt - 1));
        await sleep(ceiling / 2 + Math.random() * (ceiling / 2));
      }
    }
  }

  async get(ref: ImageSetRef): Promise<ImageSetInfo> {
    const out = await this.call('GetImageSet', ref, () => this.client.send(new GetImageSetCommand({ datastoreId: ref.datastoreId, imageSetId: ref.imageSetId })));
    // A deletion that has completed may still answer with the record for a while: it is gone.
    if (out.imageSetState === 'DELETED') throw imageSetNotFound(ref, 'DELETED');
    return {
      datastoreId: out.datastoreId ?? ref.datastoreId,
      imageSetId: out.imageSetId ?? ref.imageSetId,
      versionId: out.versionId ?? '',
      state: state(out.imageSetState),
      workflowStatus: out.imageSetWorkflowStatus ?? '',
      createdAt: out.createdAt ?? null,
      updatedAt: out.updatedAt ?? null,
    };
  }

  async findByStudy(datastoreId: string, studyInstanceUid: string): Promise<ImageSetSummary[]> {
    const out: ImageSetSummary[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.call('SearchImageSets', { datastoreId }, () =>
        this.client.send(
          new SearchImageSetsCommand({
            datastoreId,
            maxResults: 50,
            nextToken,
            searchCriteria: { filters: [{ operator: 'EQUAL', values: [{ DICOMStudyInstanceUID: studyInstanceUid }] }] },
          }),
        ),
      );
      for (const s of page.imageSetsMetadataSummaries ?? []) {
        if (!s.imageSetId) continue;
        out.push({
          datastoreId,
          imageSetId: s.imageSetId,
          versionId: s.version === undefined ? '' : String(s.version),
          studyInstanceUid: s.DICOMTags?.DICOMStudyInstanceUID ?? null,
          isPrimary: s.isPrimary ?? null,
        });
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return out.sort((a, b) => (a.imageSetId < b.imageSetId ? -1 : a.imageSetId > b.imageSetId ? 1 : 0));
  }

  async delete(ref: ImageSetRef): Promise<ImageSetDeletion> {
    const out = await this.call('DeleteImageSet', ref, () => this.client.send(new DeleteImageSetCommand({ datastoreId: ref.datastoreId, imageSetId: ref.imageSetId })));
    return { datastoreId: ref.datastoreId, imageSetId: ref.imageSetId, state: state(out.imageSetState), workflowStatus: out.imageSetWorkflowStatus ?? '' };
  }
}
