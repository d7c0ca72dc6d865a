// The metadata header every saved query carries (a YAML block in the file's leading comment).
import { z } from 'zod';
import { ROLES } from '@/lib/db/schema/users';
import { LAKE_TABLES } from '@/lib/lake/tables';

const Name = z.string().regex(/^[a-z][a-z0-9_]*$/, 'lowercase letters, digits and underscores');

const Base = z.object({
  name: Name,
  label: z.string().min(1),
  help: z.string().optional(),
  required: z.boolean().default(true),
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
});

// Strict, like the header: in a YAML flow mapping an unquoted comma starts a new key, which would
// otherwise cut a help text short without a word.
export const ParamDeclaration = z.discriminatedUnion('type', [
  Base.extend({ type: z.literal('mrn') }).strict(),
  Base.extend({ type: z.literal('date') }).strict(),
  Base.extend({
    type: z.literal('string'),
    pattern: z.string().optional(),
    patternHelp: z.string().optional(),
    minLength: z.number().int().min(0).default(1),
    // Athena passes each value as one ≤1024-character literal, quotes included.
    maxLength: z.number().int().positive().max(1000).default(256),
    phi: z.boolean().default(false),
  }).strict(),
  Base.extend({ type: z.literal('study'), phi: z.literal(true).default(true) }).strict(),
  Base.extend({ type: z.literal('principal') }).strict(),
  Base.extend({
    type: z.literal('integer'),
    min: z.number().int().optional(),
    max: z.number().int().optional(),
  }).strict(),
  Base.extend({ type: z.literal('hour') }).strict(),
  Base.extend({ type: z.literal('timezone') }).strict(),
  Base.extend({ type: z.literal('enum'), options: z.array(z.string().min(1)).min(1) }).strict(),
]);
export type ParamDeclaration = z.infer<typeof ParamDeclaration>;

/** How a result column's values are shown (they are stored and exported as the engine returned them). */
export const COLUMN_KINDS = ['text', 'number', 'bytes', 'duration', 'usd', 'time', 'date', 'boolean', 'id', 'arn', 'patient'] as const;
export type ColumnKind = (typeof COLUMN_KINDS)[number];

export const ColumnDeclaration = z
  .object({
    /** The column's name in the result: a stable interface (CSV and JSON exports, scripts). */
    name: z.string().min(1),
    /** Short, Title case header ("Time (UTC)"); required of built-in queries, humanised from the name otherwise. */
    label: z.string().min(1).max(40).optional(),
    description: z.string().min(1),
    /**
     * number (grouped digits), bytes, duration (milliseconds), usd, time (ISO 8601 UTC), date, boolean;
     * id and arn are shortened with the full value on hover; patient is a patient_id_hash, which
     * links people who may read PHI to that patient's view. Default: from the engine's type.
     */
    kind: z.enum(COLUMN_KINDS).optional(),
    /** Shown first, in this order (1 first); the others follow in SELECT order. */
    priority: z.number().int().min(1).max(99).optional(),
    /** Another column shown in this one's place when this one is empty (e.g. the principal when no person is named). */
    fallback: Name.optional(),
  })
  .strict();
export type ColumnDeclaration = z.infer<typeof ColumnDeclaration>;

/** A column as the registry hands it out: always labelled. */
export type ColumnMeta = Omit<ColumnDeclaration, 'label'> & { label: string };

/**
 * A link from each result row to another saved query's form, filled in from the row (e.g. a
 * summary row to the requests it counts). Only parameters that identify no patient can be filled,
 * since they travel in the link.
 */
export const Drilldown = z
  .object({
    query: z.string().regex(/^[a-z][a-z0-9-]*$/),
    /** The link's text in each row. */
    label: z.string().min(1).max(40),
    /** Parameter of the target query ← column of this row. */
    columns: z.record(Name, Name),
    /** Parameters of the target query given this run's value of the parameter of the same name. */
    params: z.array(Name).default([]),
  })
  .strict();
export type Drilldown = z.infer<typeof Drilldown>;

export const QueryHeader = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/),
    title: z.string().min(1),
    description: z.string().min(1),
    roles: z.array(z.enum(ROLES)).min(1),
    tables: z.array(z.enum(LAKE_TABLES)).min(1),
    range: z
      .object({ from: Name, to: Name, maxDays: z.number().int().positive().optional() })
      .optional(),
    params: z.array(ParamDeclaration).default([]),
    columns: z.array(ColumnDeclaration).min(1),
    drilldown: Drilldown.optional(),
    /** Shown with every result: what the answer does not prove. */
    limits: z.string().optional(),
  })
  .strict();
export type QueryHeader = z.infer<typeof QueryHeader>;

export type SavedQuery = Omit<QueryHeader, 'columns'> & {
  columns: ColumnMeta[];
  /** SQL body as written, with :named parameters. */
  body: string;
  /** SQL sent to engines, with positional ? placeholders. */
  sql: string;
  /** Name bound to each ? in order. */
  bindOrder: string[];
  sqlSha256: string;
  file: string;
  /** The statement reads the access index (through the image-accesses fragment) for the days it holds. */
  readsAccessIndex: boolean;
  /** It reads the raw log tables only to complete the index (so they are opened only for the days the index lacks). */
  logsOnlyBesideIndex: boolean;
};

