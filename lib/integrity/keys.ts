// CloudTrail object keys (aws-formats.md §1.1, §7.1): the folders of an output, the times keys
// carry, and the key a digest missing from a chain would have had.
import type { LakeLayout } from '@/lib/lake/tables';
import type { TrailOutput } from './port';

export const ACCOUNT_ID = /^\d{12}$/;
export const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
export const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** `[prefix]AWSLogs/[org/]account`, the folder holding an account's CloudTrail and CloudTrail-Digest folders. */
export function ownerRoot(layout: LakeLayout, owner: Pick<TrailOutput, 'organizationId' | 'account'>): string {
  return `${layout.cloudtrailPrefix}AWSLogs/${owner.organizationId ? `${owner.organizationId}/` : ''}${owner.account}`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** 'YYYYMMDDTHHmmZ' (log file) or 'YYYYMMDDTHHmmssZ' (digest) → epoch ms. */
export function compactTimeMs(text: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})?Z$/.exec(text);
  if (!m) return Number.NaN;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
}

const DIGEST_TAIL = /\d{4}\/\d{2}\/\d{2}\/([^/]*_)\d{8}T\d{6}Z(\.json\.gz)$/;

/** `key` with its day folder and end time moved to `endMs`: a sibling digest of the same chain. */
export function digestKeyEndingAt(key: string, endMs: number): string {
  const d = new Date(Math.floor(endMs / 1000) * 1000);
  const folder = `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;
  const stamp = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
  return key.replace(DIGEST_TAIL, (_, name: string, ext: string) => `${folder}/${name}${stamp}${ext}`);
}

/** 'YYYY-MM-DD' → the 'YYYY/MM/DD' folder. */
export function dayFolderOf(day: string): string {
  return day.replaceAll('-', '/');
}
