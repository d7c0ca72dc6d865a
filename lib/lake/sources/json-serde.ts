// Athena's JSON SerDe (org.apache.hive.hcatalog.data.JsonSerDe) applied in Node: keys match
// column and struct field names case-insensitively, unknown keys are dropped, missing keys and
// JSON null become NULL, and STRING columns keep objects/arrays as their JSON text.
import type { HiveField, HiveType } from '../schema';

type Normalize = (value: unknown) => unknown;

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function toInteger(value: unknown): number | string | null {
  if (typeof value === 'number') return Number.isInteger(value) ? value : null;
  if (typeof value === 'string' && /^[+-]?\d+$/.test(value.trim())) {
    const n = BigInt(value.trim());
    if (n > 9223372036854775807n || n < -9223372036854775808n) return null;
    return Number.isSafeInteger(Number(n)) ? Number(n) : n.toString();
  }
  return null;
}

function toDouble(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}

function toBoolean(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return null;
}

/** Builds a normalizer for one Hive type; struct normalizers return objects keyed by the DDL's lowercase names. */
export function jsonSerdeNormalizer(type: HiveType): Normalize {
  switch (type.kind) {
    case 'primitive':
      switch (type.name) {
        case 'string':
        case 'timestamp':
        case 'date':
          return toText;
        case 'bigint':
        case 'int':
          return toInteger;
        case 'double':
          return toDouble;
        case 'boolean':
          return toBoolean;
      }
      break;
    case 'array': {
      const element = jsonSerdeNormalizer(type.element);
      return (value) => (Array.isArray(value) ? value.map((v) => (v === null ? null : element(v))) : null);
    }
    case 'map': {
      const mapValue = jsonSerdeNormalizer(type.value);
      return (value) => {
        if (!isObject(value)) return null;
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(value)) out[key] = mapValue(value[key]);
        return out;
      };
    }
    case 'struct':
      return structNormalizer(type.fields);
  }
  throw new Error(`no JSON normalizer for ${JSON.stringify(type)}`);
}

/**
 * Resolves an object's keys to the fields' positions: `found[i]` gets the value of the key naming
 * field i, case-insensitively (the last such key wins); other keys are dropped. Keys seen are
 * resolved once and remembered, since the same few spellings repeat across millions of records.
 */
export function fieldResolver(fields: HiveField[]): (value: Record<string, unknown>, found: unknown[]) => void {
  const index = new Map(fields.map((f, i) => [f.name.toLowerCase(), i]));
  const resolved: Record<string, number> = Object.create(null) as Record<string, number>;
  let resolvedCount = 0;
  const width = fields.length;
  return (value, found) => {
    for (let i = 0; i < width; i++) found[i] = undefined;
    for (const key in value) {
      let i = resolved[key];
      if (i === undefined) {
        i = index.get(key.toLowerCase()) ?? -1;
        if (resolvedCount++ < 10_000) resolved[key] = i;
      }
      if (i >= 0) found[i] = value[key];
    }
  };
}

/**
 * Struct (and top-level record) normalizer. Fields that are absent, JSON null or not convertible
 * are left out of the result: an absent field is NULL, which keeps staged rows small.
 */
export function structNormalizer(fields: HiveField[]): (value: unknown) => Record<string, unknown> | null {
  const resolve = fieldResolver(fields);
  const normalizers = fields.map((f) => jsonSerdeNormalizer(f.type));
  const names = fields.map((f) => f.name);
  const width = fields.length;
  const found: unknown[] = new Array<unknown>(width);
  return (value) => {
    if (!isObject(value)) return null;
    resolve(value, found);
    const out: Record<string, unknown> = {};
    for (let i = 0; i < width; i++) {
      const raw = found[i];
      if (raw === undefined || raw === null) continue;
      const normalized = normalizers[i]!(raw);
      if (normalized !== null) out[names[i]!] = normalized;
    }
    return out;
  };
}
