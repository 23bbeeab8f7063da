// Unit serial numbers that look like what a plant's MES prints: cell codes with the production date,
// 17-character VINs with a valid check digit, so exports and screenshots look plausible to plant staff.
import { DateTime } from 'luxon';

/** Local calendar day lookups, cached: a serial is needed for every unit and luxon is slow per call. */
export function createDayClock(timezone: string) {
  let start = Infinity;
  let end = -Infinity;
  let yymmdd = '';
  let year = 0;
  const load = (ts: number) => {
    const d = DateTime.fromMillis(ts, { zone: timezone }).startOf('day');
    start = d.toMillis();
    end = d.plus({ days: 1 }).toMillis();
    yymmdd = d.toFormat('yyMMdd');
    year = d.year;
  };
  return {
    /** Local date of `ts` as YYMMDD. */
    yymmdd(ts: number): string {
      if (ts < start || ts >= end) load(ts);
      return yymmdd;
    },
    year(ts: number): number {
      if (ts < start || ts >= end) load(ts);
      return year;
    },
  };
}

/** Battery cells: C + local production date + 7-digit counter that restarts every day, e.g. C2612010000042. */
export function createCellSerials(timezone: string) {
  const days = createDayClock(timezone);
  let day = '';
  let n = 0;
  return (ts: number): string => {
    const d = days.yymmdd(ts);
    if (d !== day) {
      day = d;
      n = 0;
    }
    return 'C' + d + String(n++).padStart(7, '0');
  };
}

// ISO 3779 transliteration; I, O and Q are not allowed in a VIN.
const VIN_VALUE: Record<string, number> = {
  A: 1, B: 2, C: 3, D: 4, E: 5, F: 6, G: 7, H: 8, J: 1, K: 2, L: 3, M: 4, N: 5, P: 7, R: 9,
  S: 2, T: 3, U: 4, V: 5, W: 6, X: 7, Y: 8, Z: 9,
};
const VIN_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
// Model-year letters repeat every 30 years starting 1980 = A.
const YEAR_CODES = 'ABCDEFGHJKLMNPRSTVWXY123456789';

export function vinCheckDigit(vin17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const c = vin17[i];
    const v = c >= '0' && c <= '9' ? c.charCodeAt(0) - 48 : VIN_VALUE[c];
    sum += v * VIN_WEIGHTS[i];
  }
  const r = sum % 11;
  return r === 10 ? 'X' : String(r);
}

/**
 * VIN-like serials: a fictional Chinese manufacturer code (L…), a fixed vehicle descriptor, the
 * check digit, model year, a plant letter and a running 6-digit sequence.
 */
export function createVinSerials(timezone: string, plantCode: string, firstSerial: number) {
  const days = createDayClock(timezone);
  let n = firstSerial;
  return (ts: number): string => {
    const year = YEAR_CODES[(((days.year(ts) - 1980) % 30) + 30) % 30];
    const serial = String(n++ % 1_000_000).padStart(6, '0');
    const draft = 'LTKEV5A3' + '0' + year + plantCode + serial;
    return draft.slice(0, 8) + vinCheckDigit(draft) + draft.slice(9);
  };
}
