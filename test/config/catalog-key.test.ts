import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEnv } from '@/lib/config/env';
import { catalogKey, DEMO_CATALOG_KEY } from '@/lib/phi';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-catalog-key-'));
const demoLake = path.join(root, 'demo');
const realLake = path.join(root, 'real');
fs.mkdirSync(path.join(demoLake, '_custos'), { recursive: true });
fs.writeFileSync(path.join(demoLake, '_custos', 'generation.json'), '{}');
fs.mkdirSync(realLake);
const env = (vars: Record<string, string>) => parseEnv({ CUSTOS_DATA_DIR: root, ...vars });

describe('the catalog key', () => {
  it('falls back to the published demo key only over the generated demo lake', () => {
    expect(catalogKey(env({ CUSTOS_LAKE_DIR: demoLake }))).toBe(DEMO_CATALOG_KEY);
  });

  it('is required over a real lake, on either engine', () => {
    expect(() => catalogKey(env({ CUSTOS_LAKE_DIR: realLake }))).toThrow('CUSTOS_CATALOG_HMAC_KEY is required: the lake is not the generated demo lake');
    expect(() => catalogKey(env({ CUSTOS_ENGINE: 'athena' }))).toThrow('CUSTOS_CATALOG_HMAC_KEY is required');
  });

  it('is the configured one whenever given', () => {
    expect(catalogKey(env({ CUSTOS_LAKE_DIR: realLake, CUSTOS_CATALOG_HMAC_KEY: 'site-key' }))).toBe('site-key');
    expect(catalogKey(env({ CUSTOS_LAKE_DIR: demoLake, CUSTOS_CATALOG_HMAC_KEY: 'site-key' }))).toBe('site-key');
  });
});
