// Control-plane answers as plain JSON with ISO 8601 times, whichever adapter read them: the SDK
// hands out Date objects, CloudTrail's JSON 1.1 wire (and so a recorded answer) epoch seconds.
import type { ApiJson } from './port';

/** GetTrailStatus members that are timestamps (the *Attempt* ones are already text). */
export const TRAIL_STATUS_TIMES = [
  'LatestDeliveryTime',
  'LatestNotificationTime',
  'StartLoggingTime',
  'StopLoggingTime',
  'LatestCloudWatchLogsDeliveryTime',
  'LatestDigestDeliveryTime',
] as const;

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');

/** A deep copy without SDK metadata, Dates as ISO text, and the named members' epoch seconds as ISO text. */
export function toApiJson(value: unknown, epochFields: readonly string[] = []): ApiJson {
  const convert = (v: unknown, key: string | null): unknown => {
    if (v instanceof Date) return iso(v.getTime());
    if (typeof v === 'number' && key !== null && epochFields.includes(key)) return iso(Math.round(v * 1000));
    if (Array.isArray(v)) return v.map((x) => convert(x, null));
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) if (k !== '$metadata' && x !== undefined) out[k] = convert(x, k);
      return out;
    }
    return v;
  };
  const out = convert(value, null);
  if (!out || typeof out !== 'object' || Array.isArray(out)) throw new TypeError('an API answer is a JSON object');
  return out as ApiJson;
}
