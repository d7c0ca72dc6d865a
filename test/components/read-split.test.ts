import { describe, expect, it } from 'vitest';
import { readSplitText } from '@/components/query/run-provenance';

describe('where a run read its days from, in words', () => {
  it('names both parts of a mixed run', () => {
    expect(readSplitText({ indexed: { from: '2026-01-01', to: '2026-10-29' }, raw: { from: '2026-10-30', to: '2026-10-31' }, indexThrough: '2026-10-29' })).toBe(
      'access index for 2026-01-01 to 2026-10-29; raw logs for 2026-10-30 to 2026-10-31',
    );
  });

  it('says why a run read every day raw', () => {
    expect(readSplitText({ indexed: null, raw: { from: '2026-10-31', to: '2026-10-31' }, indexThrough: '2026-10-29' })).toBe(
      'raw logs for 2026-10-31 (the index did not cover this window)',
    );
    expect(readSplitText({ indexed: null, raw: { from: '2026-10-01', to: '2026-10-31' }, indexThrough: null })).toBe('raw logs for 2026-10-01 to 2026-10-31 (no access index yet)');
  });

  it('a run answered from the index alone', () => {
    expect(readSplitText({ indexed: { from: '2026-10-01', to: '2026-10-01' }, raw: null, indexThrough: '2026-10-29' })).toBe('access index for 2026-10-01');
  });
});
