import { describe, expect, it } from 'vitest';
import { csvCell, csvLine } from '@/lib/queries/csv';

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
