import { describe, expect, it } from 'vitest';
import { csvRecords, type CsvRecord } from '@/lib/engine/athena/csv-records';

async function* chunksOf(...parts: (string | Uint8Array)[]): AsyncGenerator<string | Uint8Array> {
  for (const part of parts) yield part;
}

async function collect(source: AsyncIterable<string | Uint8Array>): Promise<CsvRecord[]> {
  const out: CsvRecord[] = [];
  for await (const records of csvRecords(source)) out.push(...records);
  return out;
}

// As Athena writes it: header, quoted values, NULL as an unquoted empty field, "" as empty text.
const RESULT = [
  '"eventtime","useridentity_arn","errorcode","note","count"',
  '"2025-03-04 15:22:09.000 UTC","arn:aws:sts::111122223333:assumed-role/Radiologist/jdoe",,"",3',
  '"2025-03-04 15:23:10.000 UTC","he said ""hi"", then left",AccessDenied,"line one',
  'line two, still one value","12"',
  '"2025-03-04 15:24:00.000 UTC","שלום 😀 e\u0301",,,',
  '',
].join('\n');

const EXPECTED: CsvRecord[] = [
  ['eventtime', 'useridentity_arn', 'errorcode', 'note', 'count'],
  ['2025-03-04 15:22:09.000 UTC', 'arn:aws:sts::111122223333:assumed-role/Radiologist/jdoe', null, '', '3'],
  ['2025-03-04 15:23:10.000 UTC', 'he said "hi", then left', 'AccessDenied', 'line one\nline two, still one value', '12'],
  ['2025-03-04 15:24:00.000 UTC', 'שלום 😀 e\u0301', null, null, null],
];

describe('csvRecords', () => {
  it('reads quoting, doubled quotes, embedded newlines, NULL and empty strings', async () => {
    expect(await collect(chunksOf(RESULT))).toEqual(EXPECTED);
  });

  it('gives the same records whatever the chunk boundaries, even inside a UTF-8 character', async () => {
    const bytes = new TextEncoder().encode(RESULT);
    for (let cut = 1; cut < bytes.length; cut++) {
      const records = await collect(chunksOf(bytes.slice(0, cut), bytes.slice(cut)));
      expect(records, `cut at byte ${cut}`).toEqual(EXPECTED);
    }
    const oneByteAtATime = Array.from(bytes, (b) => Uint8Array.of(b));
    expect(await collect(chunksOf(...oneByteAtATime))).toEqual(EXPECTED);
  });

  it('accepts CRLF line ends and a last line without a newline', async () => {
    expect(await collect(chunksOf('"a","b"\r\n"1",\r\n,"2"'))).toEqual([
      ['a', 'b'],
      ['1', null],
      [null, '2'],
    ]);
  });

  it('reads an empty line as one NULL field, but no record after the final newline', async () => {
    expect(await collect(chunksOf('"x"\n\n"y"\n'))).toEqual([['x'], [null], ['y']]);
    expect(await collect(chunksOf(''))).toEqual([]);
  });

  it('pulls the source lazily, so memory is bounded by the chunks in flight', async () => {
    let pulled = 0;
    const total = 10_000;
    async function* source() {
      yield '"n"\n';
      for (let i = 0; i < total; i++) {
        pulled++;
        yield `"${i}"\n`;
      }
    }
    const iterator = csvRecords(source())[Symbol.asyncIterator]();
    let seen = 0;
    while (seen < 11) {
      const next = await iterator.next();
      if (next.done) break;
      seen += next.value.length;
    }
    expect(pulled).toBeLessThanOrEqual(11);
    await iterator.return?.(undefined);
    expect(pulled).toBeLessThan(total);
  });

  it('refuses a file that ends inside a quoted value or has text after a closing quote', async () => {
    await expect(collect(chunksOf('"a","unterminated\n'))).rejects.toThrow(/ends inside a quoted value/);
    await expect(collect(chunksOf('"a"x,"b"\n'))).rejects.toThrow(/after a closing quote/);
  });

  it('refuses bytes that are not UTF-8', async () => {
    await expect(collect(chunksOf(Uint8Array.of(0x22, 0xff, 0x22, 0x0a)))).rejects.toThrow();
  });
});
