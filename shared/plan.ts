// A production date's plan: its version, the shift instances that run on it (CONTRACT §2.2), and each
// one's window as far as it has gone (§2.3): a shift that has begun but not ended is taken "so far",
// [start, now); one that has not begun has an empty window, so it plans nothing and counts nothing.
import type { FigureWindow } from './figures.ts';
import { normalizeBreaks, type ShiftInstance } from './shifts.ts';
import { instancesOf, versionFor, type ConfigVersion, type VersionedShift } from './versions.ts';

export type ShiftStatus = 'complete' | 'in_progress' | 'not_started';

export interface PlannedShift {
  instance: VersionedShift;
  status: ShiftStatus;
  /** The window figures are taken over: the whole shift, the part before `now`, or nothing yet. */
  window: FigureWindow;
}

export interface DayPlan {
  date: string;
  version: ConfigVersion;
  shifts: PlannedShift[];
  /** The ALL row's: complete when every shift is (or there is none), not_started when every one is. */
  status: ShiftStatus;
}

export function statusOf(instance: Pick<ShiftInstance, 'start' | 'end'>, now: number): ShiftStatus {
  if (now >= instance.end) return 'complete';
  return now > instance.start ? 'in_progress' : 'not_started';
}

/** The shift's window cut at `now`, breaks clipped to it. */
export function soFar(instance: ShiftInstance, now: number): FigureWindow {
  const end = Math.max(instance.start, Math.min(instance.end, now));
  const w = { start: instance.start, end };
  return { ...w, breaks: normalizeBreaks(w, instance.breaks) };
}

export function dayStatus(statuses: readonly ShiftStatus[]): ShiftStatus {
  if (statuses.every((s) => s === 'complete')) return 'complete';
  if (statuses.every((s) => s === 'not_started')) return 'not_started';
  return 'in_progress';
}

export function dayPlan(versions: readonly ConfigVersion[], date: string, now: number): DayPlan {
  const shifts = instancesOf(versions, date).map((instance) => ({ instance, status: statusOf(instance, now), window: soFar(instance, now) }));
  return { date, version: versionFor(versions, date), shifts, status: dayStatus(shifts.map((s) => s.status)) };
}
