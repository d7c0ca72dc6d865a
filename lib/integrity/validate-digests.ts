// CloudTrail log file integrity for a window of UTC days and the Regions a report covers: every
// digest's signature and chain link, every listed log file's SHA-256, the hours with no digest
// (however many in a row) and the log files no digest lists. The same code runs on every adapter.
import { addDays, isCalendarDate, nextDay } from '@/lib/days';
import { ValidationError } from '@/lib/errors';
import { parseCloudTrailDigestKey } from '@/lib/lake/layout';
import { KeyRing } from './key-ring';
import { ACCOUNT_ID, REGION_NAME } from './keys';
import type { IntegritySources, TrailObjectStore, TrailOutput } from './port';
import { compareProblems, type IntegrityReport } from './report';
import { validateOutput, type IntegrityWindow, type Tally } from './validate-output';

export type { IntegrityProblem, IntegrityReport, ProblemKind } from './report';

export type IntegrityOptions = {
  /** First UTC day, 'YYYY-MM-DD', inclusive. */
  from: string;
  /** Last UTC day, inclusive. */
  to: string;
  /** Default: every Region with a digest delivered in the window. */
  regions?: string[];
  /** Default: every account under the CloudTrail prefix. */
  accounts?: string[];
};

function integrityWindow(from: string, to: string): IntegrityWindow {
  if (!isCalendarDate(from)) throw new ValidationError('From: enter a date as YYYY-MM-DD.', { from: 'Enter a date as YYYY-MM-DD.' });
  if (!isCalendarDate(to)) throw new ValidationError('To: enter a date as YYYY-MM-DD.', { to: 'Enter a date as YYYY-MM-DD.' });
  if (to < from) throw new ValidationError('To: must be on or after From.', { to: 'Must be on or after From.' });
  return { from, to, startMs: Date.parse(`${from}T00:00:00Z`), endMs: Date.parse(`${nextDay(to)}T00:00:00Z`) };
}

async function hasDigestIn(store: TrailObjectStore, output: TrailOutput, w: IntegrityWindow): Promise<boolean> {
  for await (const key of store.digestsFrom(output, w.from)) {
    const day = parseCloudTrailDigestKey(key)?.day;
    if (day) return day <= w.to.replaceAll('-', '/');
  }
  return false;
}

async function regionsWithDigests(store: TrailObjectStore, outputs: TrailOutput[], w: IntegrityWindow): Promise<string[]> {
  const found = new Set<string>();
  for (const output of outputs) {
    if (!found.has(output.region) && (await hasDigestIn(store, output, w))) found.add(output.region);
  }
  return [...found];
}

const byOutput = (a: TrailOutput, b: TrailOutput) =>
  a.region.localeCompare(b.region) || a.account.localeCompare(b.account) || (a.organizationId ?? '').localeCompare(b.organizationId ?? '');

export async function validateTrailIntegrity(sources: IntegritySources, options: IntegrityOptions): Promise<IntegrityReport> {
  const window = integrityWindow(options.from, options.to);
  const { store } = sources;
  const badRegion = options.regions?.find((r) => !REGION_NAME.test(r));
  if (badRegion !== undefined) throw new ValidationError('Region: expected a Region name such as us-east-1.', { regions: 'Expected a Region name such as us-east-1.' });
  if (options.accounts?.some((a) => !ACCOUNT_ID.test(a))) throw new ValidationError('Account: expected a 12-digit AWS account id.', { accounts: 'Expected a 12-digit AWS account id.' });
  const accounts = options.accounts?.length ? new Set(options.accounts) : null;
  const outputs = (await store.trailOutputs()).filter((o) => !accounts || accounts.has(o.account));
  const regions = [...new Set(options.regions?.length ? options.regions : await regionsWithDigests(store, outputs, window))].sort();
  const keys = new KeyRing(sources.keys, new Date(`${addDays(window.from, -1)}T00:00:00Z`), new Date(`${addDays(window.to, 2)}T00:00:00Z`));
  const tally: Tally = { digests: { checked: 0, valid: 0 }, logFiles: { checked: 0, valid: 0 }, problems: [] };
  for (const output of outputs.filter((o) => regions.includes(o.region)).sort(byOutput)) {
    await validateOutput({ store, keys, window, tally }, output);
  }
  const problems = tally.problems.sort(compareProblems);
  return {
    from: window.from,
    to: window.to,
    regions,
    digests: tally.digests,
    logFiles: tally.logFiles,
    problems,
    ok: problems.length === 0,
  };
}
