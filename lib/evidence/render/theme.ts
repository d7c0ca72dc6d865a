// Page geometry, type sizes and colours shared by every report. US Letter: the archive, its
// privacy officers and their auditors are in the United States, where Letter is the paper in use.

export const PAGE_SIZE = 'LETTER';
export const PORTRAIT = { width: 612, height: 792 } as const;

/** Points (1/72 inch); the header band and the footer sit inside the top and bottom margins. */
export const MARGIN = { top: 66, bottom: 58, left: 48, right: 48 } as const;

export const BAND = { y: 26, rule: 44 } as const;
export const FOOTER = { rule: 44, text: 38 } as const; // up from the bottom edge: the rule, the top of the text

export const SIZE = { title: 22, h1: 15, h2: 11.5, body: 9.5, small: 8, table: 7, band: 7.5 } as const;

export const COLOR = {
  text: '#111827',
  muted: '#4b5563',
  accent: '#0f4c5c',
  rule: '#9ca3af',
  headerFill: '#e3e8ee',
  zebra: '#f3f5f8',
  warn: '#8a1c1c',
} as const;

export const LINE_GAP = 1.25; // line height as a multiple of the font size
