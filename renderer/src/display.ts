// Formatting for the live screens. History figures never go through here: they use shared
// formatFigure so the screen and the CSV agree to the cell.

export const EMPTY = '—';

/** Where an actual takt stands against its target; the colour and the words both come from this. */
export type TaktStatus = 'on' | 'near' | 'over' | 'none';

/** Up to 10 % slower than target still counts as "near": small drifts should not look like alarms. */
export const NEAR_TARGET_FACTOR = 1.1;

export function classifyTakt(actualS: number | null, targetS: number | null): TaktStatus {
  if (actualS === null || targetS === null || !Number.isFinite(actualS) || !Number.isFinite(targetS) || targetS <= 0) return 'none';
  if (actualS <= targetS) return 'on';
  if (actualS <= targetS * NEAR_TARGET_FACTOR) return 'near';
  return 'over';
}

/**
 * Three significant figures so a 1 s cell line and a 60 s vehicle line read alike from across
 * a room: "1.02 s", "58.7 s", "125 s".
 */
export function formatTaktS(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return EMPTY;
  const abs = Math.abs(seconds);
  const decimals = abs < 10 ? 2 : abs < 100 ? 1 : 0;
  return `${seconds.toFixed(decimals)} s`;
}

const integerFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatCount(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return EMPTY;
  return integerFormat.format(n);
}

export function formatPct(pct: number | null): string {
  if (pct === null || !Number.isFinite(pct)) return EMPTY;
  return `${pct.toFixed(1)} %`;
}

export function formatRate(perMin: number | null): string {
  if (perMin === null || !Number.isFinite(perMin)) return EMPTY;
  if (perMin === 0) return '0';
  return perMin < 10 ? perMin.toFixed(1) : perMin.toFixed(0);
}

export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return EMPTY;
  return integerFormat.format(Math.round(ms));
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes) || bytes < 0) return EMPTY;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${BYTE_UNITS[unit]}`;
}

/**
 * Times are shown in the plant's timezone, not the viewer's: a supervisor abroad and the wall
 * display must name the same minute. An unknown zone falls back to UTC rather than throwing.
 */
function zonedFormat(timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  try {
    return new Intl.DateTimeFormat('en-GB', { ...options, timeZone, hourCycle: 'h23' });
  } catch {
    return new Intl.DateTimeFormat('en-GB', { ...options, timeZone: 'UTC', hourCycle: 'h23' });
  }
}

const formatCache = new Map<string, Intl.DateTimeFormat>();
function cachedFormat(kind: 'clock' | 'clockSeconds' | 'dateTime', timeZone: string): Intl.DateTimeFormat {
  const key = `${kind}|${timeZone}`;
  let f = formatCache.get(key);
  if (!f) {
    const options: Intl.DateTimeFormatOptions =
      kind === 'clock'
        ? { hour: '2-digit', minute: '2-digit' }
        : kind === 'clockSeconds'
          ? { hour: '2-digit', minute: '2-digit', second: '2-digit' }
          : { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' };
    f = zonedFormat(timeZone, options);
    formatCache.set(key, f);
  }
  return f;
}

/** "14:05" */
export function formatClock(ts: number | null, timeZone: string): string {
  if (ts === null || !Number.isFinite(ts)) return EMPTY;
  return cachedFormat('clock', timeZone).format(ts);
}

/** "14:05:09" */
export function formatClockSeconds(ts: number | null, timeZone: string): string {
  if (ts === null || !Number.isFinite(ts)) return EMPTY;
  return cachedFormat('clockSeconds', timeZone).format(ts);
}

/** "2026-12-01 14:05:09": ISO-like order, readable in both languages. */
export function formatDateTime(ts: number | null, timeZone: string): string {
  if (ts === null || !Number.isFinite(ts)) return EMPTY;
  const parts = cachedFormat('dateTime', timeZone).formatToParts(ts);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`;
}

/**
 * Round-minute ticks for a time axis. Steps divide an hour, so for every whole- or half-hour
 * timezone they land on round local minutes too.
 */
export function timeTicks(from: number, to: number, stepMs: number): number[] {
  if (!(stepMs > 0) || !(to >= from)) return [];
  const ticks: number[] = [];
  for (let t = Math.ceil(from / stepMs) * stepMs; t <= to; t += stepMs) ticks.push(t);
  return ticks;
}

/** Shifts a YYYY-MM-DD production date by whole days, independent of any timezone. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return t.toISOString().slice(0, 10);
}

/**
 * Makes characters that hide or reorder text visible as \u{…}: quarantined payloads come from
 * anywhere, and an RTL override or zero-width character must not disguise what was received.
 * Lone surrogates are escaped too, since they cannot be shown at all.
 */
export function revealInvisible(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu, (ch) => {
    if (ch === '\n' || ch === '\t') return ch;
    return `\\u{${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}}`;
  });
}
