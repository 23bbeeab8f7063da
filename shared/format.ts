// One way to turn a figure into text, so the History screen and the daily CSV agree to the cell (CONTRACT §4 rounding).
import type { Figures } from './figures.ts';

export type NumericFigureKey = Exclude<keyof Figures, 'bottleneckStation' | 'topDownReason'> | 'targetTaktS';

/** Decimals shown for each numeric figure: `*Pct` 1, `*TaktS` 3, seconds of time 1, counts 0. */
export const FIGURE_DECIMALS: Readonly<Record<NumericFigureKey, number>> = {
  targetTaktS: 3,
  plannedS: 1,
  units: 0,
  good: 0,
  rejects: 0,
  targetUnits: 0,
  attainmentPct: 1,
  meanTaktS: 3,
  p50TaktS: 3,
  p95TaktS: 3,
  onTargetPct: 1,
  downtimeS: 1,
  availabilityPct: 1,
  performancePct: 1,
  qualityPct: 1,
  oeePct: 1,
  slowCycles: 0,
  slowCycleLossS: 1,
  smallStops: 0,
  smallStopLossS: 1,
  unreportedStops: 0,
  unreportedStopLossS: 1,
  topDownReasonS: 1,
};

/**
 * Rounds half away from zero on the decimal number as JavaScript prints it, so 1.005 becomes 1.01
 * the way a spreadsheet's ROUND does, although the double nearest 1.005 is slightly below it.
 * Shifting the exponent in the printed text avoids the binary error of multiplying by 10^decimals.
 */
export function roundHalfUp(x: number, decimals: number): number {
  if (!Number.isFinite(x)) return x;
  const sign = x < 0 ? -1 : 1;
  const [mantissa, exponent = '0'] = String(Math.abs(x)).split('e');
  const shifted = Number(`${mantissa}e${Number(exponent) + decimals}`);
  // Beyond 2^53 every double is already an integer at this scale: there is nothing left to round.
  if (!(shifted < Number.MAX_SAFE_INTEGER)) return x;
  const rounded = Number(`${Math.round(shifted)}e${-decimals}`);
  return rounded === 0 ? 0 : sign * rounded;
}

/**
 * The text of one figure: '' for an empty figure, otherwise fixed decimals per FIGURE_DECIMALS.
 * A non-finite number is also '' so a bug upstream never reaches a spreadsheet as "NaN".
 * The text figures (bottleneck station, top down reason) are returned as they are; CSV quoting is csv.ts's job.
 */
export function formatFigure(key: keyof Figures | 'targetTaktS', value: number | string | null): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return '';
  const decimals = key === 'bottleneckStation' || key === 'topDownReason' ? 0 : FIGURE_DECIMALS[key];
  return roundHalfUp(value, decimals).toFixed(decimals);
}
