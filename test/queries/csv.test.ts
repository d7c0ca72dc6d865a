import { describe, expect, it } from 'vitest';
import type { Cell, EngineColumn } from '@/lib/engine/port';
import { csvCell, csvLine } from '@/lib/queries/csv';
import { csvFromRowLines, csvOfPlainRowLines, csvOfRowLines } from '@/lib/queries/csv-lines';
import { rowLine } from '@/lib/storage/result-lines';
import { accessRow, mixedRows } from '../storage/support/result-rows';

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

describe('CSV straight from stored row lines', () => {
  const linesOf = (rows: Cell[][]) => Buffer.from(rows.map((r) => rowLine(r) + '\n').join(''), 'utf8');
  const expected = (rows: Cell[][]) => rows.map((r) => csvLine(r)).join('');

  it('writes every row as csvLine writes its parsed cells, escapes and objects included (read the slow way)', () => {
    const rows: Cell[][] = [...mixedRows(3000, 11), ...Array.from({ length: 500 }, (_, i) => accessRow(i))];
    for (let at = 0; at < rows.length; at += 250) {
      const block = rows.slice(at, at + 250);
      expect([...csvOfRowLines(linesOf(block))].join('')).toBe(expected(block));
    }
    const odd: Cell[][] = [[{ a: 1 } as unknown as Cell], [['x', null] as unknown as Cell], [1e21, -1.5e-7, -0, 5e-324, true, false, null]];
    for (const row of odd) expect([...csvOfRowLines(linesOf([row]))].join('')).toBe(expected([row]));
    expect([...csvOfRowLines(Buffer.from('["a"]\n\n["b"]\n'))]).toEqual(['a\r\nb\r\n']);
    expect([...csvOfRowLines(Buffer.from('["a\\""]\n["b"]'))]).toEqual(['"a"""\r\nb\r\n']); // an escape; a last line without its newline
    // a block the fast path cannot read comes back in strings of about 64 KiB; one it reads, in one string
    const many = Array.from({ length: 2000 }, (_, i) => accessRow(i));
    const escaped = [...csvOfRowLines(Buffer.from(linesOf(many).toString().replace('"GetObject"', '"Get\\\\Object"')))];
    expect(escaped.length).toBeGreaterThan(5);
    expect(escaped.slice(0, -1).every((c) => c.length > 64 * 1024 && c.length < 66 * 1024)).toBe(true);
    expect([...csvOfRowLines(linesOf(many))]).toEqual([expected(many)]);
  });

  it('cuts plain rows out by position: strings with commas, brackets, formulas, numbers, empty arrays and unicode', () => {
    const rows: Cell[][] = [
      ['a,b', '[x]', '=SUM(A1)', '-', '-5', '-2+3', '@x', '+y', '', 'é😀', '\u2028'],
      [1.5, -5, 0, true, null, [], ['k', 'v,w'], ['=x']],
      [],
      ['ab', 'ü'],
    ];
    const text = linesOf(rows).toString('utf8');
    expect(csvOfPlainRowLines(text)).toBe(expected(rows));
    // access rows take the fast path
    expect(csvOfPlainRowLines(linesOf([accessRow(1), accessRow(2)]).toString('utf8'))).toBe(expected([accessRow(1), accessRow(2)]));
    // an escape, an object or an array of more than strings does not
    for (const row of [['say "hi"'], ['tab\there'], [{ a: 1 }], [['x', null]]] as unknown as Cell[][]) expect(csvOfPlainRowLines(linesOf([row]).toString('utf8'))).toBeNull();
    expect(csvOfPlainRowLines('["a"]')).toBeNull(); // a line without its newline
  });

  it('streams the header, then a chunk of lines per block', async () => {
    const columns: EngineColumn[] = ['name', 'n'].map((name) => ({ name, type: 'varchar' }));
    const blocks = async function* () {
      yield linesOf([['a', 1]]);
      yield Buffer.alloc(0);
      yield linesOf([['b,c', null]]);
    };
    const chunks: string[] = [];
    for await (const chunk of csvFromRowLines(columns, blocks())) chunks.push(chunk);
    expect(chunks).toEqual(['name,n\r\n', 'a,1\r\n', '"b,c",\r\n']);
  });
});
