import { afterAll, describe, expect, it } from 'vitest';
import { createReportDocument, describeGap, describeHours, drawCoverPage, drawScopeSection, drawTable, formatCell, formatNumber, heading, integrityStatement, keyValueBlock } from '@/lib/evidence/render';
import { measureRender } from '@/lib/evidence/render/measure';
import { textWidth, wrap, type Style } from '@/lib/evidence/render/text';
import { chooseWidths } from '@/lib/evidence/render/widths';
import { header, scope } from './fixtures';
import { flat, pagesOf, removeTmpDir } from './pdf-text';

afterAll(removeTmpDir);

describe('cells', () => {
  it('group numbers (integers beyond 2^53 arrive as text and keep every digit), humanise bytes, print times in UTC', () => {
    expect(formatCell(1234567, 'number')).toBe('1,234,567');
    expect(formatCell(0.125, 'number')).toBe('0.125');
    expect(formatCell('9007199254740993', 'number')).toBe('9,007,199,254,740,993');
    expect(formatCell(1_572_864, 'bytes')).toBe('1.5 MB');
    expect(formatCell(512, 'bytes')).toBe('512 bytes');
    expect(formatCell('2026-02-14T10:05:31Z', 'time')).toBe('2026-02-14 10:05:31');
    expect(formatCell('2026-02-14', 'date')).toBe('2026-02-14');
    expect(formatCell(['cloudtrail', 'kms'], 'text')).toBe('cloudtrail, kms');
    expect(formatCell(true, 'text')).toBe('true');
    for (const empty of [null, '', []]) expect(formatCell(empty, 'text')).toBe('—');
    expect(formatNumber(-12345.5)).toBe('-12,345.5');
  });
});

describe('column widths', () => {
  it('fill the width when everything fits, growing the flexible columns only', () => {
    const widths = chooseWidths([{ min: 40, max: 60, rigid: true }, { min: 30, max: 100 }, { min: 20, max: 40 }], 500);
    expect(widths[0]).toBe(60);
    expect(widths.reduce((a, b) => a + b)).toBeCloseTo(500);
    expect(widths[1]! / widths[2]!).toBeCloseTo(100 / 40);
  });

  it('share the room above the minimums in proportion to what each column would like', () => {
    const widths = chooseWidths([{ min: 50, max: 50, rigid: true }, { min: 40, max: 240 }, { min: 30, max: 80 }], 250);
    expect(widths[0]).toBe(50);
    expect(widths[1]! - 40).toBeCloseTo(((250 - 120) * 200) / 250);
    expect(widths.reduce((a, b) => a + b)).toBeCloseTo(250);
  });

  it('keep rigid columns whole and shrink the others when even the minimums do not fit', () => {
    const widths = chooseWidths([{ min: 70, max: 70, rigid: true }, { min: 80, max: 200 }, { min: 80, max: 90 }], 150);
    expect(widths).toEqual([70, 40, 40]);
  });
});

describe('text', () => {
  const r = createReportDocument(header('posture-summary'), { subject: 'test' });
  const style: Style = { font: 'sans', size: 8 };

  it('wraps at spaces and at the separators of ARNs and keys, never wider than asked', () => {
    const arn = 'arn:aws:sts::111122223333:assumed-role/RadiologyReader/m.alvarez@stvincent.example.org';
    const { lines, truncated } = wrap(r.pdf, style, arn, 90);
    expect(truncated).toBe(false);
    expect(lines.join('')).toBe(arn);
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(textWidth(r.pdf, style, line)).toBeLessThanOrEqual(90);
    expect(wrap(r.pdf, style, 'one two three', 500).lines).toEqual(['one two three']);
    expect(wrap(r.pdf, style, 'tab\there\r\nand\rthere', 500).lines).toEqual(['tab here', 'and', 'there']);
  });

  it('breaks a token wider than the line, and cuts what exceeds the line limit with an ellipsis', () => {
    const token = 'f'.repeat(200);
    const { lines, truncated } = wrap(r.pdf, style, token, 60, 2);
    expect(truncated).toBe(true);
    expect(lines).toHaveLength(2);
    expect(lines[1]!.endsWith('…')).toBe(true);
    for (const line of lines) expect(textWidth(r.pdf, style, line)).toBeLessThanOrEqual(60);
  });
});

describe('scope wording', () => {
  it('counts the days of a gap and the hours of a problem', () => {
    expect(describeGap({ from: '2026-02-28', to: '2026-03-02' })).toBe('2026-02-28 to 2026-03-02 (3 days)');
    expect(describeGap({ from: '2026-02-25', to: '2026-02-25' })).toBe('2026-02-25 (1 day)');
    expect(describeHours('2026-02-14T22:00:00Z', '2026-02-15T01:00:00Z')).toBe('2026-02-14 22:00 to 2026-02-15 01:00 UTC (3 hours)');
  });

  it('states the integrity result plainly: valid, each problem, or not checked and why', () => {
    expect(integrityStatement(null).statement).toMatch(/^Not checked: /);
    expect(integrityStatement({ unavailable: 'CloudTrail log file validation is off for this trail' }).statement).toBe('Not checked: CloudTrail log file validation is off for this trail.');
    const bad = integrityStatement(scope().integrity);
    expect(bad.statement).toContain('do NOT all validate');
    expect(bad.problems).toHaveLength(2);
    expect(bad.problems[1]).toMatch(/^A digest file is missing — AWSLogs\/.* — leaves 2026-02-20 02:00 to 05:00 UTC \(3 hours\) unproven\.$/);
  });
});

describe('the building blocks, for reports built elsewhere', () => {
  it('make a report of another kind: cover, scope, key-values and a table over a plain iterable, numbered pages', async () => {
    const r = createReportDocument(header('disposition', { title: 'Proof of disposition', evidenceId: 'EV-2026-000200' }), { subject: 'Disposition of 2 studies' });
    drawCoverPage(r, { answers: 'That these studies were destroyed.', audience: 'Records management.' });
    await drawScopeSection(r, scope({ coverage: null, integrity: null, sources: [] }));
    heading(r, 'Request');
    keyValueBlock(r, [{ label: 'Approved by', value: 'Approver One; Approver Two' }]);
    const rows = Array.from({ length: 120 }, (_, i) => [`s3://archive/studies/${i}.dcm`, 4096 * (i + 1), '2026-03-01T10:00:00Z']);
    const drawn = await drawTable(r, [{ label: 'Object', kind: 'id' }, { label: 'Size', kind: 'bytes' }, { label: 'Deleted at', kind: 'time' }], rows, { heading: 'Objects', title: 'Objects destroyed' });
    expect(drawn).toEqual({ rows: 120, truncatedValues: 0 });
    const pages = pagesOf(await r.finish());
    expect(pages.length).toBeGreaterThan(3);
    expect(flat(pages[0]!)).toContain('PROOF-OF-DISPOSITION CERTIFICATE Proof of disposition');
    pages.forEach((page, i) => expect(flat(page)).toContain(`Page ${i + 1} of ${pages.length} Evidence EV-2026-000200`));
    expect(flat(pages.join('\n'))).toContain('Objects destroyed (continued) Object Size Deleted at (UTC)');
    expect(flat(pages.join('\n'))).toContain('No log sources: this report reads no logs.');
  });
});

describe('measureRender', () => {
  it('reports time, memory and size (the benchmark calls it with 10,000 rows)', async () => {
    const m = await measureRender(200);
    expect(m.bytes).toBeGreaterThan(10_000);
    expect(m.ms).toBeGreaterThan(0);
    expect(m.cpuMs).toBeGreaterThan(0);
    expect(m.rssDeltaBytes).toBeGreaterThanOrEqual(0);
  });
});
