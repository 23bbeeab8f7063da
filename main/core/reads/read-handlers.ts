// The heavy reads, one function each, over any connection: in a read worker (read-worker.ts, the
// engine's way) or in-process (the CLI). Every argument and result is plain data, so the same call
// crosses a worker boundary unchanged.
import type { AdoptionHint, DailyCsv, Diagnostics, HistoryView, TrendSeries } from '../../../shared/api.ts';
import { statesByStation, taktIntervals, unionWindows } from '../../../shared/figures.ts';
import { classifyWindow, downPeriodsOf, emptyLosses, type LossThresholds } from '../../../shared/losses.ts';
import { lttb } from '../../../shared/downsample.ts';
import type { TimeWindow } from '../../../shared/shifts.ts';
import type { ConfigVersion } from '../../../shared/versions.ts';
import { reasonWords } from '../../../shared/words.ts';
import { dailyCsvOf, historyView, stopsCsvOf } from '../history.ts';
import { auditItems } from '../store/operator.ts';
import type { Reads } from '../store/reads.ts';

const TREND_POINTS = 1000;
/** The adoption's target takt is suggested from the median interval of the last hour. */
const ADOPTION_SAMPLE_MS = 3_600_000;

/** What Diagnostics reads from the file (the rest — broker, counters, the file's care — the engine knows). */
export type DiagnosticsReads = Pick<Diagnostics, 'quarantineByReason' | 'quarantine' | 'gaps' | 'clockSkew' | 'stationsSeen' | 'writes'>;

export interface ReadRequests {
  history(args: { date: string; shift: string; now: number }): HistoryView;
  dailyCsv(args: { date: string; now: number }): DailyCsv;
  stopsCsv(args: { date: string; now: number }): DailyCsv;
  /**
   * Takt intervals of one output station in [from, to), ending at their later unit, those across a break left
   * out; and the small and unreported stops among them (the line's down periods are downtime, not stops).
   */
  trendPoints(args: { line: string; station: string; stations: string[]; from: number; to: number; breaks: TimeWindow[]; thresholds: LossThresholds | null }): Pick<TrendSeries, 'points' | 'marks'>;
  diagnostics(args: Record<string, never>): DiagnosticsReads;
  /** Telemetry the newest version's lines do not cover, with a suggested output station and target. */
  adoption(args: { now: number; lines: { id: string; stations: string[] }[] }): AdoptionHint[];
}

export type ReadName = keyof ReadRequests;
export type ReadArgs<N extends ReadName> = Parameters<ReadRequests[N]>[0];
export type ReadResult<N extends ReadName> = ReturnType<ReadRequests[N]>;

export function createReadHandlers(reads: Reads, versions: () => readonly ConfigVersion[]): ReadRequests {
  return {
    history: ({ date, shift, now }) => historyView(reads, { versions: versions(), date, shift, now }),
    dailyCsv: ({ date, now }) => dailyCsvOf(reads, { versions: versions(), date, now }),
    stopsCsv: ({ date, now }) => stopsCsvOf(reads, { versions: versions(), date, now }),
    trendPoints: ({ line, station, stations, from, to, breaks, thresholds }) => {
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
      const marks: TrendSeries['marks'] = [];
      if (thresholds) {
        const downs = unionWindows(downPeriodsOf(statesByStation(reads.states(line, stations, from, to)), stations));
        classifyWindow(ts, { start: from, end: to, breaks }, downs, thresholds, emptyLosses(), (i) => {
          if (i.cls === 'small_stop' || i.cls === 'unreported_stop') marks.push([i.a, i.b, i.cls]);
        });
      }
      return { points: lttb(points, TREND_POINTS), marks };
    },
    diagnostics: () => ({
      // Counted by their English with the values left out: the words of that form (CONTRACT §1.4 reasons).
      quarantineByReason: reads.quarantineCounts().map((r) => ({ ...r, words: reasonWords(r.reason) })),
      quarantine: reads.quarantineItems(100),
      gaps: reads.gaps(),
      clockSkew: reads.clockSkew(),
      stationsSeen: reads.stationsSeenAll(),
      writes: auditItems(reads.db, 100),
    }),
    adoption: ({ now, lines }) => {
      const known = new Map(lines.map((l) => [l.id, new Set(l.stations)]));
      const seen = reads.stationsSeenAll();
      const lastSeen = (line: string, station: string) => reads.lastEventPerStation(line).find((s) => s.station === station)?.receivedAt ?? null;
      const median = (line: string, station: string): number | null => {
        const ts = reads.outputTimes(line, station, now - ADOPTION_SAMPLE_MS, now + 1);
        const iv = taktIntervals(ts, { start: now - ADOPTION_SAMPLE_MS, end: now + 1, breaks: [] }).sort((a, b) => a - b);
        return iv.length ? iv[Math.floor((iv.length - 1) / 2)] : null;
      };
      const hints: AdoptionHint[] = [];
      const byLine = new Map<string, typeof seen>();
      for (const s of seen) byLine.set(s.line, [...(byLine.get(s.line) ?? []), s]);
      for (const [line, stations] of byLine) {
        const configured = known.get(line);
        if (!configured) {
          // A new line: its stations in the order they were first seen; the last one is offered as the output.
          const ordered = [...stations].sort((a, b) => a.firstSeen - b.firstSeen || (a.station < b.station ? -1 : 1));
          const output = ordered[ordered.length - 1].station;
          hints.push({
            line,
            station: null,
            stations: ordered.map((s) => s.station),
            lastSeen: Math.max(...ordered.map((s) => lastSeen(line, s.station) ?? 0)) || null,
            messages: ordered.reduce((n, s) => n + s.messages, 0),
            medianIntervalS: median(line, output),
          });
          continue;
        }
        for (const s of stations) {
          if (configured.has(s.station)) continue;
          hints.push({ line, station: s.station, stations: [s.station], lastSeen: lastSeen(line, s.station), messages: s.messages, medianIntervalS: median(line, s.station) });
        }
      }
      return hints;
    },
  };
}
