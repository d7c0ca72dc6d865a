import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderPatientAccessReport } from '@/lib/evidence/render';
import { marker, patientAccessDto, RESULT_SHA, STUDIES } from './fixtures';
import { flat, fontsOf, infoOf, pagesOf, removeTmpDir } from './pdf-text';

let pdf: Buffer;
let pages: string[];
let all: string;

beforeAll(async () => {
  pdf = await renderPatientAccessReport(patientAccessDto(300));
  pages = pagesOf(pdf);
  all = flat(pages.join('\n'));
});
afterAll(removeTmpDir);

describe('the patient access report', () => {
  it('has a footer with the evidence id and "Page N of M" on every page', () => {
    pages.forEach((page, i) => {
      expect(page.trimEnd().split('\n').at(-1)).toMatch(new RegExp(`^\\s*Page ${i + 1} of ${pages.length}\\s+Evidence EV-2026-000118\\s*$`));
    });
  });

  it('opens with a cover naming the patient as the privacy officer may see them, and for whom the report is', () => {
    const cover = flat(pages[0]!);
    expect(cover).toContain('PATIENT ACCESS REPORT Patient access report');
    expect(cover).toContain('Who accessed this patient’s images from 2026-02-01 to 2026-03-01');
    expect(cover).toContain('The privacy officer, to hand to the patient');
    expect(cover).toContain('Patient reference P-7Q2M9X');
    expect(cover).toContain('Patient identifier (partial) …4821');
    expect(cover).toContain('Evidence id EV-2026-000118');
  });

  it('states the scope, including what the report does not show', () => {
    expect(all).toContain('cloudtrail: no logs on • 2026-02-10 to 2026-02-11 (2 days) • 2026-02-25 (1 day)');
    expect(all).toContain('leaves 2026-02-14 10:00 to 11:00 UTC (1 hour) unproven.');
    expect(all).toContain('What this report does not show or prove • Reads through a viewer’s service role show the role, not the person');
  });

  it('lists the studies and a summary by person', () => {
    for (const study of STUDIES) {
      expect(all).toContain(study.accessionNumber);
      expect(all.replaceAll(' ', '')).toContain(study.studyInstanceUid);
    }
    expect(all).toMatch(/Studies 2 studies/);
    expect(all).toContain('People who accessed them 2');
    const summary = flat(pages.find((p) => p.includes('Summary by person'))!);
    expect(summary).toContain('m.alvarez@stvincent.example.org');
    expect(summary).toMatch(/RadiologyReader 150 1 2026-02-03 08:00:00 2026-02-04 03:00:00/);
    expect(summary).toMatch(/PacsViewerService — 150 1 2026-02-03 08:30:00/);
  });

  it('lists every access in order, the header repeated on each page, and the runs it comes from', () => {
    const seen = [...all.matchAll(/REQ\d{6}/g)].map((m) => m[0]);
    expect(seen).toEqual(Array.from({ length: 300 }, (_, i) => marker(i)));
    const continued = pages.filter((p) => p.includes('Accesses (continued)'));
    expect(continued.length).toBeGreaterThan(2);
    for (const page of continued) expect(flat(page)).toMatch(/Event time \(UTC\) Person Principal Action/);
    expect(all).toContain('300 accesses in all.');
    expect(all).toContain(`Access result SHA-256 ${RESULT_SHA}`);
    expect(all).toContain('Studies run 0195f3a2-8d52-7e3f-8c2b-4d5e6f7a8b9d');
  });

  it('embeds DejaVu and carries its metadata', () => {
    expect(fontsOf(pdf).every((f) => f.embedded && f.name.includes('DejaVu'))).toBe(true);
    const info = infoOf(pdf);
    expect(info.Subject).toBe('Patient access report for P-7Q2M9X from 2026-02-01 to 2026-03-01 (evidence EV-2026-000118)');
    expect(info.Author).toBe('Custos');
    expect(info.CreationDate).toBe('2026-03-02T14:05:09Z');
  });

  it('is deterministic', async () => {
    expect((await renderPatientAccessReport(patientAccessDto(300))).equals(pdf)).toBe(true);
  });

  it('shows no partial identifier when the viewer may not see one, and says when there is nothing to list', async () => {
    const text = flat(pagesOf(await renderPatientAccessReport(patientAccessDto(0, { patient: { reference: 'P-7Q2M9X', partial: null }, studies: [], people: [] }))).join('\n'));
    expect(text).toContain('Patient reference P-7Q2M9X');
    expect(text).not.toContain('Patient identifier (partial)');
    expect(text).not.toContain('4821');
    expect(text).toContain('The catalog holds no studies for this patient.');
    expect(text).toContain('No access was recorded in the window.');
  });

  it('says when the listed accesses and the summary disagree', async () => {
    const text = flat(pagesOf(await renderPatientAccessReport({ ...patientAccessDto(10), accesses: patientAccessDto(9).accesses })).join('\n'));
    expect(text).toContain('This table lists 9 accesses; the summary by person counts 10.');
  });
});
