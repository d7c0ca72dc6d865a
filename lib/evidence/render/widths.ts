// Column widths the way browsers lay out automatic tables: every column gets at least its
// narrowest unbreakable content, the room left is shared in proportion to how much more each
// column would like, and when even the minimums do not fit the flexible ones shrink.

/** min: the widest unbreakable piece; max: the widest value on one line; rigid: never narrower than max (numbers, times). */
export type WidthNeed = { min: number; max: number; rigid?: boolean };

export function chooseWidths(needs: WidthNeed[], available: number): number[] {
  if (needs.length === 0) return [];
  const sumMin = needs.reduce((sum, n) => sum + n.min, 0);
  const sumMax = needs.reduce((sum, n) => sum + n.max, 0);
  if (sumMax <= available) {
    const growable = needs.map((n) => !n.rigid);
    const anyGrowable = growable.some(Boolean);
    const base = needs.reduce((sum, n, i) => sum + (!anyGrowable || growable[i] ? n.max : 0), 0);
    return needs.map((n, i) => (!anyGrowable || growable[i] ? n.max + ((available - sumMax) * n.max) / base : n.max));
  }
  if (sumMin <= available) {
    const share = (available - sumMin) / (sumMax - sumMin);
    return needs.map((n) => n.min + (n.max - n.min) * share);
  }
  // Rigid columns keep their width while the others can still shrink: a cut time misleads, a wrapped ARN does not.
  const rigid = needs.reduce((sum, n) => sum + (n.rigid ? n.max : 0), 0);
  const flexibleMin = sumMin - rigid;
  if (rigid < available && flexibleMin > 0) return needs.map((n) => (n.rigid ? n.max : (n.min * (available - rigid)) / flexibleMin));
  return needs.map((n) => (n.min * available) / sumMin);
}
