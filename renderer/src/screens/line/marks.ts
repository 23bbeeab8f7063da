// The trend's marks (CONTRACT §2.4 classes): small and unreported stops of the window, as spans to shade.
import type { TrendSeries } from '../../../../shared/api.ts';

export type MarkClass = TrendSeries['marks'][number][2];

/** In step with styles.css .mark-small / .mark-unreported. */
export const MARK_COLOUR: Record<MarkClass, string> = { small_stop: '#ffb020', unreported_stop: '#ff5c5c' };

export interface MarkSpan {
  cls: MarkClass;
  /** The stop as sent. */
  start: number;
  end: number;
  /** Clipped to the chart's window, so a stop that began before it is drawn from its left edge. */
  x1: number;
  x2: number;
}

/** The marks that touch [from, to], clipped to it, oldest first; malformed ones are dropped. */
export function markSpans(marks: readonly (readonly [number, number, string])[], from: number, to: number): MarkSpan[] {
  const out: MarkSpan[] = [];
  for (const [start, end, cls] of marks) {
    if (cls !== 'small_stop' && cls !== 'unreported_stop') continue;
    if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start || end <= from || start >= to) continue;
    out.push({ cls, start, end, x1: Math.max(start, from), x2: Math.min(end, to) });
  }
  return out.sort((a, b) => a.start - b.start);
}
