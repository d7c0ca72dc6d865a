// Where a local lake keeps the AWS control-plane answers that are not logs: the archive bucket's
// lifecycle configuration (GetBucketLifecycleConfiguration) and the trails' configuration and
// status (DescribeTrails, GetTrailStatus, GetEventSelectors), each file exactly the JSON the API
// answers (the JSON 1.1 wire shape for CloudTrail: times as epoch seconds). The demo generator
// writes them; a site that copies its logs into a lake may record its own the same way.
import { METADATA_DIR } from './generate/out-dir';

export const AWS_API_DIR = `${METADATA_DIR}/aws`;

/** GetBucketLifecycleConfiguration of one bucket. */
export function lifecycleConfigurationFile(bucket: string): string {
  return `${AWS_API_DIR}/s3/${bucket}/get-bucket-lifecycle-configuration.json`;
}

/** DescribeTrails (includeShadowTrails false): every trail whose logs the lake holds. */
export const DESCRIBE_TRAILS_FILE = `${AWS_API_DIR}/cloudtrail/describe-trails.json`;

/** The folder of one trail's answers, by its ARN's account and name. */
function trailDir(trailArn: string): string {
  const m = /^arn:aws[a-z-]*:cloudtrail:[a-z0-9-]+:(\d{12}):trail\/([A-Za-z0-9._-]{3,128})$/.exec(trailArn);
  if (!m) throw new RangeError(`not a trail ARN: ${trailArn}`);
  return `${AWS_API_DIR}/cloudtrail/${m[1]}/${m[2]}`;
}

export function trailStatusFile(trailArn: string): string {
  return `${trailDir(trailArn)}/get-trail-status.json`;
}

export function eventSelectorsFile(trailArn: string): string {
  return `${trailDir(trailArn)}/get-event-selectors.json`;
}
