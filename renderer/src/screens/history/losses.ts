// The pure pieces of History's loss view (CONTRACT §2.4): the waterfall's bars, the Paretos' rows, the
// stops table's filter and sort, and the plant's reason catalogue. The core computes every figure; these
// only shape what it sent for the charts and the table, so they are tested without a browser.
import type { ReasonShare, StopRow, WaterfallStep } from '../../../../shared/api.ts';

// ---- the waterfall ----------------------------------------------------------------------------------

export type WaterfallMode = 'units' | 'time';

export interface WaterfallBar {
  step: WaterfallStep['step'];
  /** The step's own value in the mode (seconds or units); negative only for `other` (the line ran faster). */
  value: number;
  /** [low, high] of the floating bar on the chart; the totals (planned, good) stand on 0. */
  range: [number, number];
  kind: 'total' | 'loss' | 'gain';
}

/** Units when the line has a target (the steps carry units), else time. */
export function waterfallModes(steps: readonly WaterfallStep[]): WaterfallMode[] {
  return steps.length > 0 && steps.every((s) => s.units !== null) ? ['units', 'time'] : ['time'];
}

/**
 * Planned stands on 0; each loss hangs from where the one before ended and brings the level down (a
 * negative `other` lifts it back up); good stands on 0 again. Null when the mode has no values (units
 * without a target).
 */
export function waterfallBars(steps: readonly WaterfallStep[], mode: WaterfallMode): WaterfallBar[] | null {
  const valueOf = (s: WaterfallStep) => (mode === 'units' ? s.units : s.seconds);
  if (steps.length === 0 || steps.some((s) => valueOf(s) === null || !Number.isFinite(valueOf(s)))) return null;
  let level = 0;
  return steps.map((s) => {
    const value = valueOf(s) as number;
    if (s.step === 'planned' || s.step === 'good') {
      level = value;
      return { step: s.step, value, range: [0, value], kind: 'total' };
    }
    const from = level;
    level -= value;
    return { step: s.step, value, range: [Math.min(from, level), Math.max(from, level)], kind: value < 0 ? 'gain' : 'loss' };
  });
}

// ---- Paretos ------------------------------------------------------------------------------------------

export interface ParetoRow<T> {
  item: T;
  value: number;
  /** This row's share of the total, and the running share up to and including it, in percent. */
  sharePct: number;
  cumulativePct: number;
}

/** Most first (the core already sends them so; kept stable for equal values), with the cumulative share. */
export function paretoRows<T>(items: readonly T[], valueOf: (item: T) => number): ParetoRow<T>[] {
  const positive = items.map((item, i) => ({ item, value: valueOf(item), i })).filter((r) => r.value > 0 && Number.isFinite(r.value));
  positive.sort((a, b) => b.value - a.value || a.i - b.i);
  const total = positive.reduce((sum, r) => sum + r.value, 0);
  let running = 0;
  return positive.map((r) => {
    running += r.value;
    return { item: r.item, value: r.value, sharePct: (100 * r.value) / total, cumulativePct: Math.min(100, (100 * running) / total) };
  });
}

/** At most `max` bars: the rest are summed into one last "n more" bar so the chart stays legible. */
export function capRows<T>(rows: readonly ParetoRow<T>[], max: number): { rows: ParetoRow<T>[]; rest: { count: number; value: number; sharePct: number } | null } {
  if (rows.length <= max) return { rows: [...rows], rest: null };
  const kept = rows.slice(0, max - 1);
  const dropped = rows.slice(max - 1);
  const value = dropped.reduce((sum, r) => sum + r.value, 0);
  return { rows: kept, rest: { count: dropped.length, value, sharePct: dropped.reduce((sum, r) => sum + r.sharePct, 0) } };
}

export const downReasonKey = (r: Pick<ReasonShare, 'reason' | 'source'>) => `${r.source}|${r.reason}`;

// ---- the reason catalogue ----------------------------------------------------------------------------

export interface CatalogueReason {
  code: string;
  label: string;
  labelZh?: string;
  kind: 'down' | 'reject';
}

/** `config.reasons` of getConfig (the result types the configuration as unknown): only well-formed entries. */
export function reasonsOf(config: unknown): CatalogueReason[] {
  if (typeof config !== 'object' || config === null) return [];
  const list = (config as { reasons?: unknown }).reasons;
  if (!Array.isArray(list)) return [];
  const out: CatalogueReason[] = [];
  for (const r of list) {
    if (typeof r !== 'object' || r === null) continue;
    const { code, label, labelZh, kind } = r as Record<string, unknown>;
    if (typeof code !== 'string' || code === '' || typeof label !== 'string' || (kind !== 'down' && kind !== 'reject')) continue;
    out.push(typeof labelZh === 'string' && labelZh !== '' ? { code, label, labelZh, kind } : { code, label, kind });
  }
  return out;
}

/** The reason as people read it: the catalogue's label in the UI language (labelZh in Chinese, else label), or the text as recorded. */
export function reasonLabel(code: string, catalogue: readonly CatalogueReason[], lang: string, kind: 'down' | 'reject' = 'down'): string {
  const entry = catalogue.find((r) => r.code === code && r.kind === kind) ?? catalogue.find((r) => r.code === code);
  if (!entry) return code;
  return lang.startsWith('zh') && entry.labelZh ? entry.labelZh : entry.label;
}

/** The catalogue's reasons of one kind, in its order: what the picker offers. */
export function pickableReasons(catalogue: readonly CatalogueReason[], kind: 'down' | 'reject' = 'down'): CatalogueReason[] {
  return catalogue.filter((r) => r.kind === kind);
}

// ---- the stops table ---------------------------------------------------------------------------------

/** '' in a field means "any". `station` '-' is the line's own unreported stops (no station). */
export interface StopFilter {
  kind: '' | StopRow['kind'];
  station: string;
  reason: string;
  source: '' | StopRow['source'];
}

export const NO_FILTER: StopFilter = { kind: '', station: '', reason: '', source: '' };
export const LINE_ITSELF = '-';

export type StopSortKey = 'start' | 'duration' | 'reason' | 'source' | 'station' | 'codedBy';
export interface StopSort {
  key: StopSortKey;
  dir: 'asc' | 'desc';
}

export const DEFAULT_SORT: StopSort = { key: 'start', dir: 'asc' };

export function filterStops(rows: readonly StopRow[], f: StopFilter): StopRow[] {
  return rows.filter(
    (r) =>
      (f.kind === '' || r.kind === f.kind) &&
      (f.station === '' || (f.station === LINE_ITSELF ? r.station === null : r.station === f.station)) &&
      (f.reason === '' || r.reason === f.reason) &&
      (f.source === '' || r.source === f.source),
  );
}

const text = (s: string | null) => s ?? '';
const byStart = (a: StopRow, b: StopRow) => a.start - b.start || text(a.station).localeCompare(text(b.station));

/** A stable sort; ties always fall back to the start, so the order never depends on the order received. */
export function sortStops(rows: readonly StopRow[], sort: StopSort): StopRow[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  const primary = (a: StopRow, b: StopRow): number => {
    switch (sort.key) {
      case 'duration':
        return a.durationS - b.durationS;
      case 'reason':
        return a.reason.localeCompare(b.reason);
      case 'source':
        return a.source.localeCompare(b.source);
      case 'station':
        // The line's own stops (no station) after the stations, as in the stops CSV.
        return a.station === b.station ? 0 : a.station === null ? 1 : b.station === null ? -1 : a.station.localeCompare(b.station);
      case 'codedBy':
        return text(a.codedBy).localeCompare(text(b.codedBy));
      default:
        return a.start - b.start;
    }
  };
  return rows
    .map((row, i) => ({ row, i }))
    .sort((a, b) => sign * primary(a.row, b.row) || byStart(a.row, b.row) || a.i - b.i)
    .map((x) => x.row);
}

/** Clicking a column: the same column flips its direction; another starts with its natural one (durations longest first). */
export function nextSort(current: StopSort, key: StopSortKey): StopSort {
  if (current.key === key) return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' };
  return { key, dir: key === 'duration' ? 'desc' : 'asc' };
}

/** What the filters offer: the stations (configured order as they come, the line itself last) and the reasons present. */
export function stopFilterOptions(rows: readonly StopRow[]): { stations: string[]; hasLineStops: boolean; reasons: string[] } {
  const stations: string[] = [];
  const reasons = new Set<string>();
  let hasLineStops = false;
  for (const r of rows) {
    if (r.station === null) hasLineStops = true;
    else if (!stations.includes(r.station)) stations.push(r.station);
    reasons.add(r.reason);
  }
  return { stations, hasLineStops, reasons: [...reasons].sort((a, b) => a.localeCompare(b)) };
}

/** The identity of a row in the table (a period across two shifts gives a row in each). */
export const stopKey = (r: Pick<StopRow, 'shift' | 'kind' | 'station' | 'stopStart' | 'start'>) => `${r.shift}|${r.kind}|${r.station ?? ''}|${r.stopStart}|${r.start}`;

// ---- numbers -------------------------------------------------------------------------------------------

/** h:mm:ss, language-neutral; a negative duration (the waterfall's `other`) keeps its sign. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  const sign = seconds < 0 ? '−' : '';
  const total = Math.round(Math.abs(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${sign}${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

/** Units at the target takt: whole numbers as they are, fractions to one decimal. */
export function formatUnits(units: number | null): string {
  if (units === null || !Number.isFinite(units)) return '—';
  const rounded = Math.round(units * 10) / 10;
  const sign = rounded < 0 ? '−' : '';
  const abs = Math.abs(rounded);
  return sign + (Number.isInteger(abs) ? abs.toLocaleString('en-US') : abs.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 }));
}

// ---- axis labels -----------------------------------------------------------------------------------------

/** How wide a character reads at the axis font: a CJK character about twice a Latin one. */
function charUnits(ch: string): number {
  return /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
}

export function textUnits(text: string): number {
  let n = 0;
  for (const ch of text) n += charUnits(ch);
  return n;
}

/**
 * A category label in at most `maxLines` lines of `maxUnits` each (breaking at spaces; a word much longer
 * than a line, or CJK text, which has no spaces, anywhere); what does not fit ends in "…", so neighbouring
 * labels do not run into each other.
 */
export function wrapLabel(text: string, maxUnits: number, maxLines = 2): string[] {
  const limit = Math.max(2, Math.floor(maxUnits));
  const lines: string[] = [];
  let line = '';
  let units = 0;
  const tokens = text.split(/(\s+)/).filter((t) => t !== '');
  const push = () => {
    lines.push(line.trimEnd());
    line = '';
    units = 0;
  };
  for (const token of tokens) {
    const tokenUnits = textUnits(token);
    if (/^\s+$/.test(token)) {
      if (units > 0 && units + 1 <= limit) {
        line += ' ';
        units += 1;
      } else if (units > 0) push();
      continue;
    }
    if (units > 0 && units + tokenUnits > limit) push();
    // A word a little too long stays whole (it spills a few pixels); only a long one is broken.
    if (tokenUnits <= limit * 1.25) {
      line += token;
      units += tokenUnits;
      continue;
    }
    for (const ch of token) {
      const u = charUnits(ch);
      if (units + u > limit) push();
      line += ch;
      units += u;
    }
  }
  if (line.trim() !== '') push();
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  let last = kept[maxLines - 1];
  while (last.length > 0 && textUnits(last) + 1 > limit) last = [...last].slice(0, -1).join('');
  kept[maxLines - 1] = `${last.trimEnd()}…`;
  return kept;
}

const TICK_STEPS_S = [60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400];

/** Round time ticks (whole minutes, quarter or half hours, hours) from 0 to cover `maxS`, at most about `count`. */
export function durationTicks(maxS: number, count = 6): number[] {
  if (!(maxS > 0) || !Number.isFinite(maxS)) return [0];
  const step = TICK_STEPS_S.find((s) => maxS / s <= count) ?? Math.ceil(maxS / count / 86_400) * 86_400;
  const ticks: number[] = [];
  for (let v = 0; v < maxS + step; v += step) ticks.push(v);
  return ticks;
}

/** h:mm, for an axis or a bar's label (the tooltip and the table give the seconds). */
export function formatHoursMinutes(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  const m = Math.round(Math.abs(seconds) / 60);
  return `${seconds < 0 && m > 0 ? '−' : ''}${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}`;
}
