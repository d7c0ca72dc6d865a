import { describe, expect, it } from 'vitest';
import type { Cell, EngineColumn } from '@/lib/engine/port';
import { csvBody, csvCell, csvLine } from '@/lib/queries/csv';

describe('CSV cells', () => {
  it('quotes what needs quoting and doubles quotes', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(['cloudtrail', 'kms'])).toBe('cloudtrail; kms');
    expect(csvLine(['a', 1, true, null])).toBe('a,1,true,\r\n');
  });

  it('keeps formula-like text from being executed by a spreadsheet', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
    expect(csvCell('+cmd')).toBe("'+cmd");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('-5')).toBe('-5');
    expect(csvCell('-')).toBe('-');
    expect(csvCell(-5)).toBe('-5');
  });
});

describe('CSV cells, as the first (regular-expression) version wrote them', () => {
  // the rules as first written: three regular expressions per cell
  const first = (value: Cell): string => {
    if (value === null) return '';
    let text = Array.isArray(value) ? value.join('; ') : String(value);
    if (/^[=+@\t\r]/.test(text) || (/^-/.test(text) && text.length > 1 && !/^-\d+(\.\d+)?$/.test(text))) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };

  it('writes every cell the same', () => {
    const starts = ['', '=', '+', '@', '\t', '\r', '-', '--', '-1', '-1.5', '-1.', '-.5', "'", '"', ' ', 'a', 'é', '😀'];
    const middles = ['', 'x', ',', '"', '\n', '\r\n', 'a"b"c', ';', '1e5', '\u2028'];
    const cells: Cell[] = [null, true, false, 0, -0, -5, -1.5, 1e21, -1e-7, Number.NaN, [], ['a'], ['=x', 'y,z'], ['-', '"']];
    for (const s of starts) for (const m of middles) cells.push(s + m, s + m + s);
    for (const cell of cells) expect(csvCell(cell), JSON.stringify(cell)).toBe(first(cell));
    expect(csvLine(cells)).toBe(cells.map(first).join(',') + '\r\n');
    expect(csvLine([])).toBe('\r\n');
  });
});

describe('CSV body', () => {
  async function* batches(rows: Cell[][], size: number) {
    for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
  }
  async function text(body: AsyncIterable<string>) {
    const chunks: string[] = [];
    for await (const chunk of body) chunks.push(chunk);
    return chunks;
  }

  it('writes the header, then every row of every batch in order, in chunks of at least 64 KiB but the last', async () => {
    const rows: Cell[][] = Array.from({ length: 5000 }, (_, i) => [`row ${i}`, i, i % 7 ? 'x,y' : null]);
    const columns: EngineColumn[] = ['name', 'n', 'note'].map((name) => ({ name, type: 'varchar' }));
    for (const size of [1, 333, 5000]) {
      const chunks = await text(csvBody(columns, batches(rows, size)));
      expect(chunks.join('')).toBe('name,n,note\r\n' + rows.map((r) => csvLine(r)).join(''));
      expect(chunks.slice(1, -1).every((c) => c.length > 64 * 1024)).toBe(true);
    }
    expect(await text(csvBody(columns, batches([], 10)))).toEqual(['name,n,note\r\n']);
  });
});
