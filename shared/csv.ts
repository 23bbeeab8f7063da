// The daily CSV summary (CONTRACT §4): the same bytes from the CLI, the Export button and the HTTP API.
import { DATE_RE } from './api.ts';
import type { Figures } from './figures.ts';
import { formatFigure } from './format.ts';
import type { ShiftStatus } from './plan.ts';

export const CSV_COLUMNS = [
  'date',
  'shift',
  'line',
  'line_name',
  'target_takt_s',
  'planned_s',
  'units',
  'good',
  'rejects',
  'target_units',
  'attainment_pct',
  'mean_takt_s',
  'p50_takt_s',
  'p95_takt_s',
  'on_target_pct',
  'downtime_s',
  'availability_pct',
  'performance_pct',
  'quality_pct',
  'oee_pct',
  'bottleneck_station',
  'status',
  'slow_cycles',
  'slow_cycle_loss_s',
  'small_stops',
  'small_stop_loss_s',
  'unreported_stops',
  'unreported_stop_loss_s',
  'top_down_reason',
  'top_down_reason_s',
] as const;

export interface CsvRow {
  date: string;
  /** A configured shift name, or 'ALL' for the day row. */
  shift: string;
  line: string;
  lineName: string;
  targetTaktS: number | null;
  /** CONTRACT §2.3: only complete rows are stable. */
  status: ShiftStatus;
  figures: Figures;
}

/** The numeric figures between target_takt_s and bottleneck_station, in column order (the History table shows them so too). */
export const FIGURE_COLUMNS = [
  'plannedS',
  'units',
  'good',
  'rejects',
  'targetUnits',
  'attainmentPct',
  'meanTaktS',
  'p50TaktS',
  'p95TaktS',
  'onTargetPct',
  'downtimeS',
  'availabilityPct',
  'performancePct',
  'qualityPct',
  'oeePct',
] as const satisfies readonly (keyof Figures)[];

/** The appended loss columns between status and top_down_reason. */
export const LOSS_COLUMNS = ['slowCycles', 'slowCycleLossS', 'smallStops', 'smallStopLossS', 'unreportedStops', 'unreportedStopLossS'] as const satisfies readonly (keyof Figures)[];

const BOM = '\uFEFF';
const CRLF = '\r\n';

/** A spreadsheet runs a cell starting with one of these as a formula; the ' makes it plain text. */
const FORMULA_START = /^[=+\-@]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** RFC 4180 quoting; only text cells are neutralised, so the ' ends up inside the quotes. */
export function textCell(text: string): string {
  const safe = FORMULA_START.test(text) ? `'${text}` : text;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function rowCells(r: CsvRow): string[] {
  return [
    textCell(r.date),
    textCell(r.shift),
    textCell(r.line),
    textCell(r.lineName),
    formatFigure('targetTaktS', r.targetTaktS),
    ...FIGURE_COLUMNS.map((k) => formatFigure(k, r.figures[k])),
    textCell(r.figures.bottleneckStation ?? ''),
    r.status,
    ...LOSS_COLUMNS.map((k) => formatFigure(k, r.figures[k])),
    textCell(r.figures.topDownReason ?? ''),
    formatFigure('topDownReasonS', r.figures.topDownReasonS),
  ];
}

/** BOM (so Excel and WPS read UTF-8 Chinese names right), header, rows; every line ends in CRLF. */
export function csvFile(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const lines = [header.join(','), ...rows.map((r) => r.join(','))];
  return BOM + lines.map((l) => l + CRLF).join('');
}

export function dailyCsv(rows: readonly CsvRow[]): string {
  return csvFile(CSV_COLUMNS, rows.map(rowCells));
}

/** taktboard-daily-YYYY-MM-DD.csv; refuses anything but a date so the name can never carry a path. */
export function dailyCsvFileName(date: string): string {
  if (!DATE_RE.test(date)) throw new Error(`not a date YYYY-MM-DD: "${date}"`);
  return `taktboard-daily-${date}.csv`;
}
