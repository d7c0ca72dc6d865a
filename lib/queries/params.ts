// Turns what a person typed into validated, typed values bound to a saved query. Every message
// names the field by its label; nothing here ever builds SQL text.
import type { PseudonymKind } from '@/lib/keys/port';
import { patientIdHash, maskIdentifier } from '@/lib/phi';
import type { AccessIndexSpan, BindValue } from '@/lib/engine/port';
import { ValidationError } from '@/lib/errors';
import type { ParamDeclaration, SavedQuery } from './definition';
import type { ScanScope } from '@/lib/lake/tables';
import { addDays, daysBetween, isCalendarDate, nextDay } from '@/lib/days';
import { splitWindow, type IndexSplit } from './index-split';

export type BoundValue = string | number | boolean;

export type PreparedParams = {
  /** As anyone who may see the run is shown it: a patient identifier only as an opaque reference. */
  display: Record<string, string>;
  /** For people who may read PHI: the partial values of patient-identifying parameters (last characters). */
  phiDisplay: Record<string, string>;
  /** Values as bound (MRNs hashed): what a re-run reuses. */
  bound: Record<string, BoundValue>;
  /** The parameters that identify a patient: kept sealed, never in clear in the ledger or the journal. */
  phiNames: string[];
  /** In the statement's placeholder order. */
  binds: BindValue[];
  scope: ScanScope | null;
  /** For a query that reads the access index: which days of the window come from it and which from the raw logs. */
  split: IndexSplit | null;
};

export type ParamDefaults = {
  rangeStart: string;
  rangeEnd: string;
  timeZone: string;
  businessStart: number;
  businessEnd: number;
};

export type PrepareOptions = {
  catalogKey: string;
  maxDays: number;
  defaults: ParamDefaults;
  /** Where the values come from: a person's form, or an earlier run's ledger row (MRNs already hashed). */
  source: 'form' | 'ledger';
  /** The opaque reference shown for a patient-identifying value (a keyed pseudonym of the MRN hash, the UID …). */
  pseudonym: (kind: PseudonymKind, value: string) => string;
  /** What the access index holds (engine.accessIndex.span()); absent or null: every day is read raw. */
  accessIndex?: AccessIndexSpan | null;
};

/** Parameters that identify a patient: MRNs, studies, and strings a query marks as PHI. */
export function isPhiParam(p: ParamDeclaration): boolean {
  return p.type === 'mrn' || p.type === 'study' || (p.type === 'string' && p.phi);
}

// Forms of a date parameter a query can bind: the date, the day's start and the next day's start
// as timestamps, partition values (YYYY/MM/DD), an inventory dt bound, and the day's start and the
// next day's start as ISO 8601 text without a zone, which compare exactly with CloudTrail's
// eventTime text (…Z at any precision sorts after the bare form of the same instant).
const DATE_SUFFIXES = ['', '_ts', '_next_ts', '_partition', '_next_partition', '_dt_end', '_iso', '_next_iso', '_day'] as const;

// Forms only a window's ends have, bound from how the window divides between the access index and
// the raw logs (index-split.ts). Start of the window: where the raw part starts, as ISO text, and
// five minutes earlier (as text, timestamp and partition day) for records that pair up across its
// edge. End: five minutes after the next day's start, and the last day read from the index.
const RANGE_FROM_SUFFIXES = ['_raw_iso', '_raw_slack_iso', '_raw_slack_ts', '_raw_slack_partition'] as const;
const RANGE_TO_SUFFIXES = ['_next_slack_iso', '_next_slack_ts', '_indexed'] as const;
const SLACK = '23:55:00';
/** Bounds of an empty raw part: no partition, no record sorts after them. */
const NEVER = '9999-12-31';

export function derivedNames(p: ParamDeclaration, range?: { from: string; to: string } | null): string[] {
  if (p.type !== 'date') return [p.name];
  const names = DATE_SUFFIXES.map((s) => p.name + s);
  if (range?.from === p.name) names.push(...RANGE_FROM_SUFFIXES.map((s) => p.name + s));
  if (range?.to === p.name) names.push(...RANGE_TO_SUFFIXES.map((s) => p.name + s));
  return names;
}

function rangeBind(suffix: string, day: string, split: IndexSplit | null): BindValue | null {
  const raw = split ? split.raw : null;
  const rawStart = raw?.from ?? null;
  switch (suffix) {
    case '_raw_iso':
      return { type: 'varchar', value: `${raw ? rawStart : nextDay(split?.indexed?.to ?? day)}T00:00:00` };
    case '_raw_slack_iso':
      return { type: 'varchar', value: rawStart ? `${addDays(rawStart, -1)}T${SLACK}` : `${NEVER}T00:00:00` };
    case '_raw_slack_ts':
      return { type: 'timestamp', value: rawStart ? `${addDays(rawStart, -1)}T${SLACK}Z` : `${NEVER}T00:00:00Z` };
    case '_raw_slack_partition':
      return { type: 'varchar', value: (rawStart ? addDays(rawStart, -1) : NEVER).replaceAll('-', '/') };
    case '_next_slack_iso':
      return { type: 'varchar', value: `${nextDay(day)}T00:05:00` };
    case '_next_slack_ts':
      return { type: 'timestamp', value: `${nextDay(day)}T00:05:00Z` };
    case '_indexed':
      // before any day of the window when nothing of it is indexed: BETWEEN then selects nothing
      return { type: 'varchar', value: split?.indexed?.to ?? '0000-00-00' };
  }
  return null;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return /^[A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)*$/.test(zone);
  } catch {
    return false;
  }
}

export function resolveDefault(p: ParamDeclaration, defaults: ParamDefaults): BoundValue | undefined {
  if (p.default === undefined) return undefined;
  switch (p.default) {
    case '$range_start':
      return defaults.rangeStart;
    case '$range_end':
      return defaults.rangeEnd;
    case '$time_zone':
      return defaults.timeZone;
    case '$business_start':
      return defaults.businessStart;
    case '$business_end':
      return defaults.businessEnd;
    default:
      return p.default;
  }
}

const MRN = /^[A-Za-z0-9][A-Za-z0-9-]{2,31}$/;
const HASH = /^[0-9a-f]{64}$/;
const STUDY = /^(?:[0-9]+(?:\.[0-9]+){1,31}|[A-Za-z0-9][A-Za-z0-9-]{0,31})$/;
const PRINCIPAL = /^[A-Za-z0-9+=,.@:/_-]{2,512}$/;

/** Whether a value is a medical record number as this portal accepts one (as typed: no trimming). */
export function isMrn(value: string): boolean {
  return MRN.test(value);
}

type Checked = { value: BoundValue; display: string; phiDisplay?: string } | { error: string };

function check(p: ParamDeclaration, raw: unknown, options: PrepareOptions): Checked {
  const text = typeof raw === 'string' ? raw.trim() : raw;
  switch (p.type) {
    case 'mrn': {
      if (typeof text !== 'string') return { error: 'enter a medical record number' };
      if (options.source === 'ledger') {
        return HASH.test(text) ? { value: text, display: options.pseudonym('patient', text), phiDisplay: '(hashed)' } : { error: 'is not a patient hash' };
      }
      if (!MRN.test(text)) return { error: 'must be 3–32 letters, digits or dashes, starting with a letter or digit' };
      const hash = patientIdHash(text, options.catalogKey);
      return { value: hash, display: options.pseudonym('patient', hash), phiDisplay: maskIdentifier(text) };
    }
    case 'date':
      if (typeof text !== 'string' || !isCalendarDate(text)) return { error: 'enter a date as YYYY-MM-DD' };
      return { value: text, display: text };
    case 'study':
      if (typeof text !== 'string' || !STUDY.test(text)) {
        return { error: 'enter a Study Instance UID (digits and dots) or an accession number' };
      }
      return { value: text, display: options.pseudonym('study', text), phiDisplay: maskIdentifier(text) };
    case 'principal':
      if (typeof text !== 'string' || !PRINCIPAL.test(text)) {
        return { error: 'enter an IAM ARN, role session name or user name (letters, digits and + = , . @ : / _ -)' };
      }
      return { value: text, display: text };
    case 'string': {
      if (typeof text !== 'string') return { error: 'enter a value' };
      if (text.length < p.minLength || text.length > p.maxLength) {
        return { error: `must be ${p.minLength}–${p.maxLength} characters` };
      }
      if (p.pattern && !new RegExp(`^(?:${p.pattern})$`).test(text)) {
        return { error: p.patternHelp ?? 'has an unexpected format' };
      }
      return p.phi ? { value: text, display: options.pseudonym('value', text), phiDisplay: maskIdentifier(text) } : { value: text, display: text };
    }
    case 'integer':
    case 'hour': {
      const n = typeof text === 'number' ? text : typeof text === 'string' && /^-?\d{1,15}$/.test(text) ? Number(text) : NaN;
      const min = p.type === 'hour' ? 0 : p.min;
      const max = p.type === 'hour' ? 24 : p.max;
      if (!Number.isSafeInteger(n)) return { error: 'enter a whole number' };
      if (min !== undefined && n < min) return { error: `must be at least ${min}` };
      if (max !== undefined && n > max) return { error: `must be at most ${max}` };
      return { value: n, display: String(n) };
    }
    case 'timezone':
      if (typeof text !== 'string' || !isTimeZone(text)) return { error: 'enter an IANA time zone such as America/New_York' };
      return { value: text, display: text };
    case 'enum':
      if (typeof text !== 'string' || !p.options.includes(text)) return { error: `choose one of: ${p.options.join(', ')}` };
      return { value: text, display: text };
  }
}

function isTextParam(p: ParamDeclaration): boolean {
  return p.type === 'principal' || p.type === 'string' || p.type === 'enum';
}

function bindFor(name: string, query: SavedQuery, bound: Record<string, BoundValue>, split: IndexSplit | null): BindValue {
  for (const p of query.params) {
    const suffix = name.startsWith(p.name) ? name.slice(p.name.length) : null;
    if (suffix === null || !derivedNames(p, query.range).includes(name)) continue;
    const v = bound[p.name];
    // An optional text parameter left empty binds '' (engines take no untyped NULL), which the SQL tests for.
    if (v === undefined && !p.required && isTextParam(p)) return { type: 'varchar', value: '' };
    if (v === undefined) throw new ValidationError(`${p.label}: is required`, { [p.name]: 'is required' });
    if (p.type === 'date') {
      const d = String(v);
      switch (suffix) {
        case '':
          return { type: 'date', value: d };
        case '_ts':
          return { type: 'timestamp', value: `${d}T00:00:00Z` };
        case '_next_ts':
          return { type: 'timestamp', value: `${nextDay(d)}T00:00:00Z` };
        case '_partition':
          return { type: 'varchar', value: d.replaceAll('-', '/') };
        case '_next_partition':
          return { type: 'varchar', value: nextDay(d).replaceAll('-', '/') };
        case '_dt_end':
          return { type: 'varchar', value: `${d}-23-59` };
        case '_iso':
          return { type: 'varchar', value: `${d}T00:00:00` };
        case '_next_iso':
          return { type: 'varchar', value: `${nextDay(d)}T00:00:00` };
        case '_day':
          return { type: 'varchar', value: d };
      }
      const ranged = rangeBind(suffix, d, split);
      if (ranged) return ranged;
    }
    if (typeof v === 'number') return { type: 'bigint', value: v };
    if (typeof v === 'boolean') return { type: 'boolean', value: v };
    return { type: 'varchar', value: v };
  }
  throw new Error(`no parameter binds :${name}`);
}

const WINDOW_ENDS = [
  { name: 'from', type: 'date', label: 'From', required: true },
  { name: 'to', type: 'date', label: 'To', required: true },
] as ParamDeclaration[];

/** Binds for a statement whose only parameters are a window's ends, `:from` and `:to`, every day read raw. */
export function windowBinds(names: string[], window: ScanScope): BindValue[] {
  const statement = { params: WINDOW_ENDS, range: { from: 'from', to: 'to' } } as SavedQuery;
  return names.map((name) => bindFor(name, statement, { from: window.from, to: window.to }, { indexed: null, raw: window, indexThrough: null }));
}

/** Validates input against the query's declarations; throws ValidationError naming every bad field. */
export function prepareParams(query: SavedQuery, input: Record<string, unknown>, options: PrepareOptions): PreparedParams {
  const fieldErrors: Record<string, string> = {};
  const bound: Record<string, BoundValue> = {};
  const display: Record<string, string> = {};
  const phiDisplay: Record<string, string> = {};
  const declared = new Set(query.params.map((p) => p.name));
  for (const key of Object.keys(input)) {
    if (!declared.has(key)) fieldErrors[key] = `is not a parameter of ${query.title}`;
  }
  for (const p of query.params) {
    let raw = input[p.name];
    if (raw === undefined || raw === '' || raw === null) raw = resolveDefault(p, options.defaults);
    if (raw === undefined || raw === '') {
      if (p.required) fieldErrors[p.name] = 'is required';
      continue;
    }
    const result = check(p, raw, options);
    if ('error' in result) fieldErrors[p.name] = result.error;
    else {
      bound[p.name] = result.value;
      display[p.name] = result.display;
      if (result.phiDisplay !== undefined) phiDisplay[p.name] = result.phiDisplay;
    }
  }
  let scope: ScanScope | null = null;
  if (query.range && !fieldErrors[query.range.from] && !fieldErrors[query.range.to]) {
    const from = bound[query.range.from];
    const to = bound[query.range.to];
    if (typeof from === 'string' && typeof to === 'string') {
      const maxDays = Math.min(query.range.maxDays ?? options.maxDays, options.maxDays);
      if (from > to) fieldErrors[query.range.to] = `must be on or after ${labelOf(query, query.range.from)} (${from})`;
      else if (daysBetween(from, to).length > maxDays) {
        fieldErrors[query.range.to] = `the range spans ${daysBetween(from, to).length} days; the most allowed is ${maxDays}`;
      } else scope = { from, to };
    }
  }
  const bad = Object.keys(fieldErrors);
  if (bad.length > 0) {
    const message = bad.map((k) => `${labelOf(query, k)}: ${fieldErrors[k]}`).join('; ');
    throw new ValidationError(message, fieldErrors);
  }
  // Without a window (a form's preflight) every day counts as raw.
  const split = scope ? (query.readsAccessIndex ? splitWindow(scope, options.accessIndex ?? null) : { indexed: null, raw: scope, indexThrough: null }) : null;
  const binds = query.bindOrder.map((name) => bindFor(name, query, bound, split));
  const phiNames = query.params.filter((p) => isPhiParam(p) && p.name in bound).map((p) => p.name);
  return { display, phiDisplay, bound, phiNames, binds, scope, split: query.readsAccessIndex ? split : null };
}

function labelOf(query: SavedQuery, name: string): string {
  return query.params.find((p) => p.name === name)?.label ?? name;
}

/** Only the date range of a run (for the preflight estimate, before the other fields are filled). */
export function prepareScope(query: SavedQuery, input: Record<string, unknown>, options: PrepareOptions): ScanScope | null {
  if (!query.range) return null;
  const names = [query.range.from, query.range.to];
  const reduced: SavedQuery = { ...query, params: query.params.filter((p) => names.includes(p.name)), bindOrder: [] };
  const subset = Object.fromEntries(Object.entries(input).filter(([k]) => names.includes(k)));
  return prepareParams(reduced, subset, options).scope;
}
