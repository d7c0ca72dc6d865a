// S3 storage list prices shipped with the product, each with where and when it was read, and the
// estimated monthly storage charge of a byte count per storage class. A price no source confirmed
// is null: the estimate then names the class as unpriced instead of guessing.
import { z } from 'zod';
import { isCalendarDate } from '@/lib/days';
import { parseInput } from '@/lib/errors';

/** Lifecycle order: an object only ever moves rightwards. */
export const STORAGE_CLASS_ORDER = [
  'STANDARD',
  'INTELLIGENT_TIERING',
  'STANDARD_IA',
  'ONEZONE_IA',
  'GLACIER_IR',
  'GLACIER',
  'DEEP_ARCHIVE',
] as const;
export type StorageClass = (typeof STORAGE_CLASS_ORDER)[number];

export const STORAGE_CLASS_LABELS: Record<StorageClass, string> = {
  STANDARD: 'S3 Standard',
  INTELLIGENT_TIERING: 'S3 Intelligent-Tiering',
  STANDARD_IA: 'S3 Standard-IA',
  ONEZONE_IA: 'S3 One Zone-IA',
  GLACIER_IR: 'S3 Glacier Instant Retrieval',
  GLACIER: 'S3 Glacier Flexible Retrieval',
  DEEP_ARCHIVE: 'S3 Glacier Deep Archive',
};

export function isStorageClass(value: string): value is StorageClass {
  return (STORAGE_CLASS_ORDER as readonly string[]).includes(value);
}

/** Bytes in the GB of S3's GB-month (2^30, as the storage-tier query divides). */
export const BYTES_PER_GB = 1_073_741_824;

export type PriceSource = { where: string; what: string; date: string };

export type RegionPrices = {
  region: string;
  /** USD per GB-month, first volume tier; null where no source could confirm a price. */
  storage: Record<StorageClass, number | null>;
  /** When the prices were taken, as precisely as the source dates them (YYYY-MM or YYYY-MM-DD); null when it does not. */
  takenOn: string | null;
  sources: PriceSource[];
  note: string;
};

export type PriceTable = Record<string, RegionPrices>;

/** The day the shipped figures were looked up. */
export const PRICES_LOOKED_UP_ON = '2026-12-03';

export const PRICE_TABLE: PriceTable = {
  'us-east-1': {
    region: 'us-east-1',
    storage: {
      STANDARD: 0.023,
      INTELLIGENT_TIERING: 0.023,
      STANDARD_IA: 0.0125,
      ONEZONE_IA: 0.01,
      GLACIER_IR: 0.004,
      GLACIER: 0.0036,
      DEEP_ARCHIVE: 0.00099,
    },
    takenOn: '2026-05',
    sources: [
      {
        where: 'https://www.usage.ai/blogs/aws/storage-cost/glacier-deep-archive-pricing/',
        what: '"Complete S3 Storage Class Pricing Table (US East, May 2026)", citing aws.amazon.com/s3/pricing: storage, retrieval, minimum duration and minimum object size of every class',
        date: 'May 2026 (page updated 2026-06-05)',
      },
      {
        where: 'AWS Price List API, AmazonS3, US East (N. Virginia), as recorded in a public repository',
        what: 'Standard $0.023 (first 50 TB), $0.022 (next 450 TB), $0.021 (over 500 TB); Standard-IA $0.0125; One Zone-IA $0.01; Glacier Instant Retrieval $0.004; Intelligent-Tiering Frequent Access $0.023 and monitoring $0.0025 per 1,000 objects',
        date: 'retrieved 2025-10-28',
      },
      {
        where: 'https://aws.amazon.com/s3/pricing/',
        what: 'the published page; its storage price cells are filled in by script and could not be read from a stored copy',
        date: `looked up ${PRICES_LOOKED_UP_ON}`,
      },
    ],
    note:
      'US East (N. Virginia) list prices, first 50 TB tier; S3 Standard is $0.022 for the next 450 TB and $0.021 over 500 TB ' +
      '(not applied, so large Standard footprints are slightly overestimated). Intelligent-Tiering is priced at its Frequent Access tier ' +
      '(an upper bound: the inventory does not say which tier holds an object); its monitoring charge is not included.',
  },
  'us-west-2': {
    region: 'us-west-2',
    storage: {
      STANDARD: 0.023,
      INTELLIGENT_TIERING: null,
      STANDARD_IA: null,
      ONEZONE_IA: null,
      GLACIER_IR: null,
      GLACIER: null,
      DEEP_ARCHIVE: null,
    },
    takenOn: null,
    sources: [
      {
        where: 'AWS Price List API, AmazonS3, US West (Oregon), usage type USW2-TimedStorage-ByteHrs, as recorded in a public benchmark script that reads it',
        what: 'S3 Standard $0.023 per GB-Mo for the first tier ($0.021 over 500 TB)',
        date: `not dated by the source; looked up ${PRICES_LOOKED_UP_ON}`,
      },
    ],
    note:
      'US West (Oregon): only the S3 Standard price was confirmed. The other classes could not be confirmed by the lookup ' +
      '(billing records seen for Standard-IA and Deep Archive there suggest the us-east-1 figures, but quote no price); ' +
      'they are left unpriced: set them with a price override.',
  },
  'eu-west-1': {
    region: 'eu-west-1',
    storage: {
      STANDARD: 0.023,
      INTELLIGENT_TIERING: null,
      STANDARD_IA: null,
      ONEZONE_IA: null,
      GLACIER_IR: null,
      GLACIER: null,
      DEEP_ARCHIVE: null,
    },
    takenOn: '2025-10',
    sources: [
      {
        where: 'https://aws.amazon.com/s3/pricing/, as transcribed (with screenshots of the page) by two public cost analyses',
        what: 'Europe (Ireland) S3 Standard $0.023 per GB, first 50 TB',
        date: '"pricing as of October 2025"',
      },
    ],
    note:
      'Europe (Ireland): only the S3 Standard price was confirmed, and a third transcription (dated 2025-10-07) gives $0.025 instead: check it. ' +
      'The other classes could not be confirmed by the lookup; they are left unpriced: set them with a price override.',
  },
};

export type ArchiveNote = {
  /** Objects deleted, overwritten or transitioned earlier are charged for the rest of this many days. */
  minimumDays: number | null;
  /** Smaller objects are charged as this size. */
  minimumBillableBytes: number | null;
  /** Per-object index and metadata charged on top of the data. */
  overhead: string | null;
  retrieval: { option: string; usdPerGb: number | null; time: string }[];
};

const KB = 1024;

/** Retrieval prices and minimums: us-east-1 figures, from the first us-east-1 source (May 2026). */
export const ARCHIVE_NOTES: Record<StorageClass, ArchiveNote> = {
  STANDARD: { minimumDays: null, minimumBillableBytes: null, overhead: null, retrieval: [{ option: 'GET', usdPerGb: 0, time: 'milliseconds' }] },
  INTELLIGENT_TIERING: {
    minimumDays: null,
    minimumBillableBytes: null,
    overhead: 'Monitoring and automation, $0.0025 per 1,000 objects over 128 KB; smaller objects stay in Frequent Access.',
    retrieval: [{ option: 'GET', usdPerGb: 0, time: 'milliseconds (archive access tiers, if enabled, need a restore)' }],
  },
  STANDARD_IA: { minimumDays: 30, minimumBillableBytes: 128 * KB, overhead: null, retrieval: [{ option: 'GET', usdPerGb: 0.01, time: 'milliseconds' }] },
  ONEZONE_IA: { minimumDays: 30, minimumBillableBytes: 128 * KB, overhead: null, retrieval: [{ option: 'GET', usdPerGb: 0.01, time: 'milliseconds' }] },
  GLACIER_IR: { minimumDays: 90, minimumBillableBytes: 128 * KB, overhead: null, retrieval: [{ option: 'GET', usdPerGb: 0.03, time: 'milliseconds' }] },
  GLACIER: {
    minimumDays: 90,
    minimumBillableBytes: null,
    overhead: '40 KB per object: 8 KB at the S3 Standard rate and 32 KB at this class rate.',
    retrieval: [
      { option: 'Expedited', usdPerGb: 0.03, time: '1–5 minutes' },
      { option: 'Standard', usdPerGb: 0.01, time: '3–5 hours' },
      { option: 'Bulk', usdPerGb: 0, time: '5–12 hours' },
    ],
  },
  DEEP_ARCHIVE: {
    minimumDays: 180,
    minimumBillableBytes: null,
    overhead: '40 KB per object: 8 KB at the S3 Standard rate and 32 KB at this class rate.',
    retrieval: [
      { option: 'Standard', usdPerGb: 0.02, time: 'within 12 hours' },
      { option: 'Bulk', usdPerGb: 0.0025, time: 'within 48 hours' },
    ],
  },
};

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const price = z.number().positive().max(10);

export const priceOverrideSchema = z
  .object({
    region: z.string().regex(REGION, 'must be an AWS Region code such as us-east-1'),
    prices: z
      .object({
        STANDARD: price.optional(),
        INTELLIGENT_TIERING: price.optional(),
        STANDARD_IA: price.optional(),
        ONEZONE_IA: price.optional(),
        GLACIER_IR: price.optional(),
        GLACIER: price.optional(),
        DEEP_ARCHIVE: price.optional(),
      })
      .strict()
      .refine((p) => Object.values(p).some((v) => v !== undefined), 'must set at least one storage class'),
    takenOn: z.string().refine(isCalendarDate, 'must be a date (YYYY-MM-DD)').optional(),
    source: z.string().min(1).max(500).optional(),
  })
  .strict();
export type PriceOverride = z.output<typeof priceOverrideSchema>;

/** Validates an override such as `{ "region": "eu-west-1", "prices": { "STANDARD_IA": 0.0128 } }`. */
export function parsePriceOverride(raw: unknown): PriceOverride {
  return parseInput(priceOverrideSchema, raw, { region: 'Region', prices: 'Prices', takenOn: 'Date taken', source: 'Source' });
}

/** The table with the override's prices in place of the shipped ones for its Region. */
export function withPriceOverride(table: PriceTable, override: PriceOverride): PriceTable {
  const base = table[override.region];
  const storage = { ...(base?.storage ?? Object.fromEntries(STORAGE_CLASS_ORDER.map((c) => [c, null]))) } as Record<StorageClass, number | null>;
  for (const c of STORAGE_CLASS_ORDER) {
    const v = override.prices[c];
    if (v !== undefined) storage[c] = v;
  }
  const set = STORAGE_CLASS_ORDER.filter((c) => override.prices[c] !== undefined);
  return {
    ...table,
    [override.region]: {
      region: override.region,
      storage,
      takenOn: override.takenOn ?? null,
      sources: [
        ...(base?.sources ?? []),
        { where: 'configuration', what: `${override.source ?? 'price override'}: ${set.join(', ')}`, date: override.takenOn ?? 'not dated' },
      ],
      note: `${set.join(', ')} set by configuration.${base ? ` ${base.note}` : ''}`,
    },
  };
}

export type ClassCost = { storageClass: string; bytes: number; gbMonths: number; usdPerGbMonth: number | null; usd: number | null };

export type CostEstimate = {
  region: string;
  /** Sum over the priced classes (and their per-object overhead when object counts were given). */
  totalUsd: number;
  byClass: ClassCost[];
  /** Classes with bytes but no price: not in the total. */
  unpriced: string[];
  overheadUsd: number;
  basis: { takenOn: string | null; sources: PriceSource[]; note: string };
};

const OVERHEAD_STANDARD_BYTES = 8 * KB;
const OVERHEAD_ARCHIVE_BYTES = 32 * KB;

function classRank(c: string): number {
  const i = (STORAGE_CLASS_ORDER as readonly string[]).indexOf(c);
  return i < 0 ? STORAGE_CLASS_ORDER.length : i;
}

/**
 * The monthly storage charge of `bytesByClass` held for a whole month, at `region`'s prices.
 * Storage only: requests, retrievals, transitions and minimum-duration charges are not included.
 */
export function monthlyCost(
  bytesByClass: Record<string, number>,
  region: string,
  prices: PriceTable = PRICE_TABLE,
  objectsByClass: Record<string, number> = {},
): CostEstimate {
  const table = prices[region];
  const rate = (c: string): number | null => (table && isStorageClass(c) ? table.storage[c] : null);
  const byClass: ClassCost[] = Object.entries(bytesByClass)
    .filter(([, bytes]) => bytes > 0)
    .sort(([a], [b]) => classRank(a) - classRank(b) || a.localeCompare(b))
    .map(([storageClass, bytes]) => {
      const gbMonths = bytes / BYTES_PER_GB;
      const usdPerGbMonth = rate(storageClass);
      return { storageClass, bytes, gbMonths, usdPerGbMonth, usd: usdPerGbMonth === null ? null : gbMonths * usdPerGbMonth };
    });
  let overheadUsd = 0;
  for (const c of ['GLACIER', 'DEEP_ARCHIVE'] as const) {
    const objects = objectsByClass[c] ?? 0;
    const archive = rate(c);
    const standard = rate('STANDARD');
    if (objects > 0 && archive !== null && standard !== null) {
      overheadUsd += (objects * (OVERHEAD_STANDARD_BYTES * standard + OVERHEAD_ARCHIVE_BYTES * archive)) / BYTES_PER_GB;
    }
  }
  const totalUsd = byClass.reduce((sum, c) => sum + (c.usd ?? 0), 0) + overheadUsd;
  return {
    region,
    totalUsd,
    byClass,
    unpriced: byClass.filter((c) => c.usd === null).map((c) => c.storageClass),
    overheadUsd,
    basis: table
      ? { takenOn: table.takenOn, sources: table.sources, note: table.note }
      : { takenOn: null, sources: [], note: `No prices are shipped for ${region}; set them with a price override.` },
  };
}
