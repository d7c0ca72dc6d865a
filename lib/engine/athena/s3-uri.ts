export type S3Location = { bucket: string; key: string };

/** `s3://bucket/some/key` → { bucket, key }; null when the text is not an S3 URI. */
export function parseS3Uri(uri: string): S3Location | null {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(uri);
  if (!m) return null;
  return { bucket: m[1]!, key: m[2] ?? '' };
}
