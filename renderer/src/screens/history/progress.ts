// How History marks figures that are not final (CONTRACT §2.3): a shift or day in progress is taken so
// far, one not begun has nothing yet, and the hour in progress is never drawn as a missed target.
import type { HistoryView, HourBucket } from '../../../../shared/api.ts';

export interface Progress {
  status: HistoryView['status'];
  /** In progress: how far the figures go (the latest cut among the windows). */
  upTo: number | null;
  /** Not started: when the first shift of the selection begins. */
  startsAt: number | null;
}

export function progressOf(view: Pick<HistoryView, 'status' | 'windows'>): Progress {
  const begun = view.windows.filter((w) => w.soFarEnd > w.start);
  const upTo = view.status === 'in_progress' && begun.length > 0 ? Math.max(...begun.map((w) => w.soFarEnd)) : null;
  const waiting = view.windows.filter((w) => w.soFarEnd <= w.start);
  const startsAt = view.status === 'not_started' && waiting.length > 0 ? Math.min(...waiting.map((w) => w.start)) : null;
  return { status: view.status, upTo, startsAt };
}

/** How one hour's bar is drawn: the hour in progress is hatched and lighter, never red. */
export type HourBarKind = 'met' | 'missed' | 'in_progress' | 'no_target';

export function hourBarKind(bucket: Pick<HourBucket, 'units' | 'targetUnits' | 'inProgress'>): HourBarKind {
  if (bucket.inProgress) return 'in_progress';
  if (bucket.targetUnits === null) return 'no_target';
  return bucket.units < bucket.targetUnits ? 'missed' : 'met';
}

/** The legend names only what the chart shows: "below target" and "in progress" appear when a bar is drawn so. */
export function hourLegend(buckets: readonly Pick<HourBucket, 'units' | 'targetUnits' | 'inProgress'>[]): { missed: boolean; inProgress: boolean; target: boolean } {
  const kinds = new Set(buckets.map(hourBarKind));
  return { missed: kinds.has('missed'), inProgress: kinds.has('in_progress'), target: buckets.some((b) => b.targetUnits !== null) };
}
