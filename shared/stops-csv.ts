// The stops CSV (CONTRACT §4.1): one row per down period of a station and per unreported stop of a line
// in each shift window of a date, clipped to the window; the same bytes from the CLI, the Export stops
// button and GET /api/export/stops.csv.
import { DateTime } from 'luxon';
import { DATE_RE } from './api.ts';
import { csvFile, textCell } from './csv.ts';
import { formatFigure } from './format.ts';
import type { Stop } from './losses.ts';

export const STOPS_CSV_COLUMNS = ['date', 'shift', 'line', 'station', 'kind', 'start', 'end', 'duration_s', 'reason', 'reason_source', 'comment'] as const;

/** The stops of one line in one shift window, already in the order of the file (losses.ts stopsOfWindow). */
export interface StopsGroup {
  date: string;
  shift: string;
  line: string;
  stops: readonly Stop[];
}

/** Local time with its offset, to the millisecond: 2026-03-02T08:06:00.000+08:00. */
export function localStamp(ts: number, timezone: string): string {
  return DateTime.fromMillis(ts, { zone: timezone }).toFormat("yyyy-MM-dd'T'HH:mm:ss.SSSZZ");
}

/** Groups come by line (configured order), then shift (configured order). */
export function stopsCsv(groups: readonly StopsGroup[], timezone: string): string {
  const rows = groups.flatMap((g) =>
    g.stops.map((s) => [
      textCell(g.date),
      textCell(g.shift),
      textCell(g.line),
      textCell(s.station ?? ''),
      s.kind,
      localStamp(s.start, timezone),
      localStamp(s.end, timezone),
      formatFigure('downtimeS', s.durationMs / 1000),
      textCell(s.reason),
      s.source,
      textCell(s.comment ?? ''),
    ]),
  );
  return csvFile(STOPS_CSV_COLUMNS, rows);
}

/** taktboard-stops-YYYY-MM-DD.csv; refuses anything but a date so the name can never carry a path. */
export function stopsCsvFileName(date: string): string {
  if (!DATE_RE.test(date)) throw new Error(`not a date YYYY-MM-DD: "${date}"`);
  return `taktboard-stops-${date}.csv`;
}
