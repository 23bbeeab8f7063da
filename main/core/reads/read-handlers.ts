// The heavy reads, one function each, over any connection: in a read worker (read-worker.ts, the
// engine's way) or in-process (the CLI). Every argument and result is plain data, so the same call
// crosses a worker boundary unchanged.
import type { DailyCsv, Diagnostics, HistoryView } from '../../../shared/api.ts';
import { taktIntervals } from '../../../shared/figures.ts';
import { lttb } from '../../../shared/downsample.ts';
import type { TimeWindow } from '../../../shared/shifts.ts';
import type { ConfigVersion } from '../../../shared/versions.ts';
import { reasonWords } from '../../../shared/words.ts';
import { dailyCsvOf, historyView } from '../history.ts';
import type { Reads } from '../store/reads.ts';

const TREND_POINTS = 1000;

/** What Diagnostics reads from the file (the rest — broker, counters, the file's care — the engine knows). */
export type DiagnosticsReads = Pick<Diagnostics, 'quarantineByReason' | 'quarantine' | 'gaps' | 'clockSkew' | 'stationsSeen'>;

export interface ReadRequests {
  history(args: { date: string; shift: string; now: number }): HistoryView;
  dailyCsv(args: { date: string; now: number }): DailyCsv;
  /** Takt intervals of one output station in [from, to), ending at their later unit, those ending in a break left out. */
  trendPoints(args: { line: string; station: string; from: number; to: number; breaks: TimeWindow[] }): [number, number][];
  diagnostics(args: Record<string, never>): DiagnosticsReads;
}

export type ReadName = keyof ReadRequests;
export type ReadArgs<N extends ReadName> = Parameters<ReadRequests[N]>[0];
export type ReadResult<N extends ReadName> = ReturnType<ReadRequests[N]>;

export function createReadHandlers(reads: Reads, versions: () => readonly ConfigVersion[]): ReadRequests {
  return {
    history: ({ date, shift, now }) => historyView(reads, { versions: versions(), date, shift, now }),
    dailyCsv: ({ date, now }) => dailyCsvOf(reads, { versions: versions(), date, now }),
    trendPoints: ({ line, station, from, to, breaks }) => {
      const ts = reads.outputTimes(line, station, from, to);
      // With no breaks taktIntervals drops nothing, so interval i ends at ts[i + 1]; one that ends in a
      // break is a break, not a slow cycle (the shared rule: an interval overlapping a break is left out).
      const intervals = taktIntervals(ts, { start: from, end: to, breaks: [] });
      const points: [number, number][] = [];
      for (let i = 0; i < intervals.length; i++) {
        const a = ts[i];
        const b = ts[i + 1];
        if (!breaks.some((br) => a < br.end && b > br.start)) points.push([b, intervals[i]]);
      }
      return lttb(points, TREND_POINTS);
    },
    diagnostics: () => ({
      // Counted by their English with the values left out: the words of that form (CONTRACT §1.4 reasons).
      quarantineByReason: reads.quarantineCounts().map((r) => ({ ...r, words: reasonWords(r.reason) })),
      quarantine: reads.quarantineItems(100),
      gaps: reads.gaps(),
      clockSkew: reads.clockSkew(),
      stationsSeen: reads.stationsSeenAll(),
    }),
  };
}
