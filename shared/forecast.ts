// Looking ahead (issue 11): where the shift will land at the current pace, and the takt that would still
// make its target. From the live figures only: units so far, the recent takt intervals, the planned time
// left (breaks excluded). A band, not a promise: p50 is the usual pace, p95 the slow one.
import { nearestRank } from './figures.ts';
import { workingMs, type ShiftInstance } from './shifts.ts';

export interface Forecast {
  /** Planned seconds left in the shift (breaks excluded). */
  plannedLeftS: number;
  /** Units at shift end at the recent p95 takt (slow end of the band) and at p50 (usual pace); null without recent intervals. */
  low: number | null;
  high: number | null;
  /** The takt (s) that would still make the shift target from now on; null when it is already made. */
  catchUpTaktS: number | null;
  /**
   * 'made': the target is reached already; 'on_pace': the usual pace makes it; 'behind': it takes the
   * catch-up takt, faster than the usual pace; 'out_of_reach': it takes a takt faster than both the ideal cycle and the usual pace, or no time is left.
   */
  outlook: 'made' | 'on_pace' | 'behind' | 'out_of_reach' | 'unknown';
}

/**
 * `recentIntervalsS` are the takt intervals of the recent past (seconds, any order); `idealCycleS` is the
 * fastest the line is meant to run (the configuration's idealCycleS, or its target): a catch-up takt
 * faster than it is out of reach.
 */
export function forecastShift(o: {
  shift: Pick<ShiftInstance, 'start' | 'end' | 'breaks'>;
  now: number;
  units: number;
  targetUnits: number;
  recentIntervalsS: readonly number[];
  idealCycleS: number;
}): Forecast {
  const plannedLeftS = workingMs(o.shift, Math.max(o.now, o.shift.start), o.shift.end) / 1000;
  const sorted = Float64Array.from(o.recentIntervalsS).sort();
  const p50 = nearestRank(sorted, 50);
  const p95 = nearestRank(sorted, 95);
  const ahead = (takt: number | null) => (takt === null || takt <= 0 ? null : o.units + Math.floor(plannedLeftS / takt));
  const low = ahead(p95);
  const high = ahead(p50);
  const missing = o.targetUnits - o.units;
  if (missing <= 0) return { plannedLeftS, low, high, catchUpTaktS: null, outlook: 'made' };
  if (plannedLeftS <= 0) return { plannedLeftS, low, high, catchUpTaktS: null, outlook: 'out_of_reach' };
  const catchUpTaktS = plannedLeftS / missing;
  // Out of reach means faster than the line is meant to run and than it does run: a line whose usual pace
  // beats its ideal cycle shows that it can.
  const fastest = p50 === null ? o.idealCycleS : Math.min(o.idealCycleS, p50);
  let outlook: Forecast['outlook'];
  if (p50 !== null && p50 <= catchUpTaktS) outlook = 'on_pace';
  else if (catchUpTaktS < fastest) outlook = 'out_of_reach';
  else if (p50 === null) outlook = 'unknown';
  else outlook = 'behind';
  return { plannedLeftS, low, high, catchUpTaktS, outlook };
}
