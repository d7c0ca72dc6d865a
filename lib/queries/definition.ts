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

export const ParamDeclaration = z.discriminatedUnion('type', [
  Base.extend({ type: z.literal('mrn') }),
  Base.extend({ type: z.literal('date') }),
  Base.extend({
    type: z.literal('string'),
    pattern: z.string().optional(),
    patternHelp: z.string().optional(),
    minLength: z.number().int().min(0).default(1),
    // Athena passes each value as one ≤1024-character literal, quotes included.
    maxLength: z.number().int().positive().max(1000).default(256),
    phi: z.boolean().default(false),
  }),
  Base.extend({ type: z.literal('study'), phi: z.literal(true).default(true) }),
  Base.extend({ type: z.literal('principal') }),
  Base.extend({
    type: z.literal('integer'),
    min: z.number().int().optional(),
    max: z.number().int().optional(),
  }),
  Base.extend({ type: z.literal('hour') }),
  Base.extend({ type: z.literal('timezone') }),
  Base.extend({ type: z.literal('enum'), options: z.array(z.string().min(1)).min(1) }),
]);
export type ParamDeclaration = z.infer<typeof ParamDeclaration>;

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
    columns: z.array(z.object({ name: z.string().min(1), description: z.string().min(1) })).min(1),
    /** Shown with every result: what the answer does not prove. */
    limits: z.string().optional(),
  })
  .strict();
export type QueryHeader = z.infer<typeof QueryHeader>;

export type SavedQuery = QueryHeader & {
  /** SQL body as written, with :named parameters. */
  body: string;
  /** SQL sent to engines, with positional ? placeholders. */
  sql: string;
  /** Name bound to each ? in order. */
  bindOrder: string[];
  sqlSha256: string;
  file: string;
};

