// The AWS control plane the posture dashboards read besides logs: the trails' configuration and
// status, and the archive bucket's lifecycle rules. Adapters: the answers recorded in a local lake
// (lib/posture/local-lake.ts), or the AWS SDK (lib/posture/aws.ts). Every answer says which calls
// produced it, so a snapshot of it has provenance like a query run.

/** One API call behind an answer; from a lake, the recorded answer that stands for it. */
export type ApiCall = {
  service: 'cloudtrail' | 's3';
  operation: string;
  /** The Region called (null: the adapter's default, or a recorded answer). */
  region: string | null;
  request: Record<string, unknown>;
  /** The lake file read instead of calling AWS. */
  recordedIn?: string;
  /** The call failed: AWS's error name and message (no data values). */
  error?: string;
};

/**
 * JSON as the API answers it, with every timestamp as ISO 8601 UTC text (the SDK's Date objects
 * and the wire's epoch seconds alike), so a snapshot hashes the same whichever adapter read it.
 */
export type ApiJson = { [key: string]: unknown };

/** One trail: its DescribeTrails entry, GetTrailStatus and GetEventSelectors (null when that call failed). */
export type TrailRecord = { trail: ApiJson; status: ApiJson | null; selectors: ApiJson | null };

export type ApiAnswer<T> = {
  calls: ApiCall[];
  /** null when there is no answer: nothing recorded in the lake, or the call failed (see calls). */
  answer: T | null;
  /** Why there is no answer, in plain words. */
  unavailable?: string;
};

export interface ControlPlane {
  readonly source: 'lake' | 'aws';
  /** Every trail the portal can see, with its status and event selectors. */
  trails(): Promise<ApiAnswer<TrailRecord[]>>;
  /** The bucket's lifecycle configuration (GetBucketLifecycleConfiguration); answer null with no `unavailable` when the bucket has none. */
  lifecycle(bucket: string): Promise<ApiAnswer<ApiJson>>;
}
