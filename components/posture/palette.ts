// Colours that stay apart for the common colour-vision deficiencies (Okabe & Ito's palette), in
// the order series use them; anything flagged is also marked by more than colour (a pattern, a
// label, a dashed outline).
export const SERIES_COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'] as const;

/** Flagged hours and spikes. */
export const FLAG_COLOUR = '#D55E00';
/** Baselines and thresholds drawn over counts. */
export const REFERENCE_COLOUR = '#000000';

export function colourAt(i: number): string {
  return SERIES_COLOURS[i % SERIES_COLOURS.length]!;
}
