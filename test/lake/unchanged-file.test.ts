import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LruMap } from '@/lib/lru-map';
import { readUnlessUnchanged, type ParsedFiles } from '@/lib/lake/unchanged-file';

describe('a parsed file kept while it is unchanged', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-unchanged-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is read once until the file is replaced, rewritten or removed', async () => {
    const file = path.join(dir, 'manifest.json');
    const cache: ParsedFiles<string> = new Map();
    let reads = 0;
    const read = () => readUnlessUnchanged(cache, file, async () => (reads++, fs.readFileSync(file, 'utf8')), () => 'none');
    expect(await read()).toBe('none');
    fs.writeFileSync(file, 'one');
    expect([await read(), await read(), reads]).toEqual(['one', 'one', 1]);
    // replaced by a rename, as manifests are written: a new inode even with the same size and time
    const stat = fs.statSync(file);
    fs.writeFileSync(`${file}.tmp`, 'two');
    fs.utimesSync(`${file}.tmp`, stat.atime, stat.mtime);
    fs.renameSync(`${file}.tmp`, file);
    expect([await read(), reads]).toEqual(['two', 2]);
    fs.writeFileSync(file, 'three!');
    expect([await read(), reads]).toEqual(['three!', 3]);
    fs.rmSync(file);
    expect(await read()).toBe('none');
  });

  it('is read once by callers that arrive while it is being read', async () => {
    const file = path.join(dir, 'manifest.json');
    fs.writeFileSync(file, 'shared');
    const cache: ParsedFiles<string> = new Map();
    let reads = 0;
    const slowRead = async () => {
      reads++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return fs.readFileSync(file, 'utf8');
    };
    const values = await Promise.all([1, 2, 3].map(() => readUnlessUnchanged(cache, file, slowRead, () => 'none')));
    expect([values, reads]).toEqual([['shared', 'shared', 'shared'], 1]);
  });

  it('fails as the read fails, and keeps nothing from a failed read', async () => {
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, '{');
    const cache: ParsedFiles<unknown> = new Map();
    const read = () => readUnlessUnchanged(cache, file, async () => JSON.parse(fs.readFileSync(file, 'utf8')) as unknown, () => null);
    await expect(Promise.all([read(), read()])).rejects.toThrow(SyntaxError);
    expect(cache.size).toBe(0);
    fs.writeFileSync(file, '{"mended":true}');
    expect(await read()).toEqual({ mended: true });
  });
});

describe('LruMap', () => {
  it('drops the entry least recently read or written beyond its limit', () => {
    const map = new LruMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    expect(map.get('a')).toBe(1); // b is now the least recent
    map.set('c', 3);
    expect(map.keys()).toEqual(['a', 'c']);
    expect(map.get('b')).toBeUndefined();
    map.set('a', 10); // rewriting refreshes too
    map.set('d', 4);
    expect(map.keys()).toEqual(['a', 'd']);
    map.delete('a');
    expect([map.size, map.get('a')]).toEqual([1, undefined]);
  });
});
