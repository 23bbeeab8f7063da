// Properties of the figures that must hold for any telemetry, checked with random inputs (fast-check).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { computeFigures, taktIntervals, type CycleSample, type FigureWindow, type Figures, type LineParams, type StateSample } from '../../shared/figures.ts';
import { CSV_COLUMNS, dailyCsv, type CsvRow } from '../../shared/csv.ts';
import { stateTimeline, stationStats } from '../../shared/history.ts';
import { formatFigure, roundHalfUp } from '../../shared/format.ts';
import { STATION_STATES } from '../../shared/telemetry.ts';

const T0 = Date.parse('2026-03-10T06:00:00+08:00');
const STATIONS = ['a', 'b', 'out', 'stray'];

const windowArb = (offsetMs: number): fc.Arbitrary<FigureWindow> =>
  fc
    .record({
      lengthS: fc.integer({ min: 0, max: 7200 }),
      breaks: fc.array(fc.tuple(fc.integer({ min: -300, max: 7500 }), fc.integer({ min: 0, max: 3600 })), { maxLength: 3 }),
    })
    .map(({ lengthS, breaks }) => ({
      start: T0 + offsetMs,
      end: T0 + offsetMs + lengthS * 1000,
      breaks: breaks.map(([s, len]) => ({ start: T0 + offsetMs + s * 1000, end: T0 + offsetMs + (s + len) * 1000 })),
    }));

// Events from before the first window to after the last; half of them on a minute grid so that
// equal timestamps (and same-instant state changes of one station) happen often.
const tsArb = fc.oneof(
  fc.integer({ min: -600, max: 20_000 }).chain((s) => fc.constantFrom(T0 + s * 1000, T0 + s * 1000 + 1, T0 + s * 1000 + 500)),
  fc.integer({ min: -10, max: 340 }).map((m) => T0 + m * 60_000),
);

// fc.double spreads over the bit patterns (mostly tiny numbers from 0); real cycle times are ms with a
// few decimals; full-mantissa values between 1 and 10 000 ms are the ones whose float sum depends on order.
const cycleMsArb = fc.oneof(
  fc.integer({ min: 0, max: 120_000 }),
  fc.integer({ min: 0, max: 120_000_000 }).map((us) => us / 1000),
  fc.double({ min: 1, max: 10_000, noNaN: true }),
  fc.double({ min: 0, max: 86_399_999, noNaN: true }),
);

const cycleArb: fc.Arbitrary<CycleSample> = fc
  .record({
    station: fc.constantFrom(...STATIONS),
    ts: tsArb,
    ok: fc.boolean(),
    cycleMs: fc.option(cycleMsArb, { nil: undefined }),
  })
  .map(({ cycleMs, ...c }) => (cycleMs === undefined ? c : { ...c, cycleMs }));

const stateArb: fc.Arbitrary<StateSample> = fc.record({ station: fc.constantFrom(...STATIONS), ts: tsArb, state: fc.constantFrom(...STATION_STATES) });

const lineArb: fc.Arbitrary<LineParams> = fc.record(
  {
    targetTaktS: fc.option(fc.double({ min: 0.1, max: 120, noNaN: true }), { nil: null }),
    idealCycleS: fc.double({ min: 0.1, max: 120, noNaN: true }),
    outputStation: fc.constant('out'),
    stations: fc.constant(['a', 'b', 'out']),
  },
  { requiredKeys: ['targetTaktS', 'outputStation', 'stations'] },
);

const inputArb = fc.record({
  line: lineArb,
  windows: fc.tuple(windowArb(0), windowArb(10_000_000)).chain(([w1, w2]) => fc.constantFrom([w1], [w2], [w1, w2])),
  cycles: fc.array(cycleArb, { maxLength: 200 }),
  states: fc.array(stateArb, { maxLength: 40 }),
});

// Few stations and timestamps: collisions everywhere, the hard case for order independence.
const denseTs = fc.integer({ min: -2, max: 20 }).map((m) => T0 + m * 60_000);
const denseInputArb = fc.record({
  line: lineArb,
  windows: fc.constant([{ start: T0, end: T0 + 15 * 60_000, breaks: [{ start: T0 + 5 * 60_000, end: T0 + 7 * 60_000 }] }]),
  cycles: fc.array(fc.record({ station: fc.constantFrom('a', 'out'), ts: denseTs, ok: fc.boolean(), cycleMs: cycleMsArb }), { maxLength: 60 }),
  states: fc.array(fc.record({ station: fc.constantFrom('a', 'b'), ts: denseTs, state: fc.constantFrom(...STATION_STATES) }), { maxLength: 30 }),
});

const NUMERIC_KEYS = [
  'plannedS', 'units', 'good', 'rejects', 'targetUnits', 'attainmentPct', 'meanTaktS', 'p50TaktS', 'p95TaktS',
  'onTargetPct', 'downtimeS', 'availabilityPct', 'performancePct', 'qualityPct', 'oeePct',
] as const satisfies readonly (keyof Figures)[];

describe('figure properties', () => {
  it('good + rejects = units, and no figure is NaN or ±Infinity', () => {
    fc.assert(
      fc.property(inputArb, ({ line, windows, cycles, states }) => {
        const f = computeFigures(line, windows, cycles, states);
        expect(f.good + f.rejects).toBe(f.units);
        expect(f.good).toBeGreaterThanOrEqual(0);
        for (const k of NUMERIC_KEYS) {
          const v = f[k];
          if (v !== null) expect(Number.isFinite(v), `${k} = ${v}`).toBe(true);
        }
      }),
    );
  });

  it('0 ≤ downtime ≤ planned and 0 ≤ availability ≤ 100; shares stay within 0 … 100', () => {
    fc.assert(
      fc.property(inputArb, ({ line, windows, cycles, states }) => {
        const f = computeFigures(line, windows, cycles, states);
        expect(f.downtimeS).toBeGreaterThanOrEqual(0);
        expect(f.downtimeS).toBeLessThanOrEqual(f.plannedS);
        for (const v of [f.availabilityPct, f.qualityPct, f.onTargetPct]) {
          if (v !== null) {
            expect(v).toBeGreaterThanOrEqual(0);
            expect(v).toBeLessThanOrEqual(100);
          }
        }
        if (f.plannedS === 0) expect(f.availabilityPct).toBeNull();
      }),
    );
  });

  it.each([
    ['spread-out', inputArb],
    ['colliding', denseInputArb],
  ] as const)('does not depend on the order %s events arrive in', (_, arb) => {
    fc.assert(
      fc.property(
        (arb as typeof inputArb).chain((input) =>
          fc.record({
            input: fc.constant(input),
            cycles: fc.shuffledSubarray(input.cycles, { minLength: input.cycles.length, maxLength: input.cycles.length }),
            states: fc.shuffledSubarray(input.states, { minLength: input.states.length, maxLength: input.states.length }),
          }),
        ),
        ({ input, cycles, states }) => {
          expect(computeFigures(input.line, input.windows, cycles, states)).toEqual(computeFigures(input.line, input.windows, input.cycles, input.states));
          expect(stationStats(input.line, input.windows, cycles, states)).toEqual(stationStats(input.line, input.windows, input.cycles, input.states));
          expect(stateTimeline(input.line.stations, input.windows[0], states)).toEqual(stateTimeline(input.line.stations, input.windows[0], input.states));
        },
      ),
    );
  });

  it('mean and percentiles lie within the smallest and largest takt interval', () => {
    fc.assert(
      fc.property(inputArb, ({ line, windows, cycles, states }) => {
        const f = computeFigures(line, windows, cycles, states);
        const outTs = cycles.filter((c) => c.station === 'out').map((c) => c.ts).sort((a, b) => a - b);
        const intervals = windows.flatMap((w) => taktIntervals(outTs, w));
        if (intervals.length === 0) {
          expect([f.meanTaktS, f.p50TaktS, f.p95TaktS]).toEqual([null, null, null]);
          return;
        }
        const lo = Math.min(...intervals);
        const hi = Math.max(...intervals);
        for (const v of [f.meanTaktS, f.p50TaktS, f.p95TaktS] as number[]) {
          expect(v).toBeGreaterThanOrEqual(lo - 1e-9);
          expect(v).toBeLessThanOrEqual(hi + 1e-9);
        }
        expect(f.p50TaktS as number).toBeLessThanOrEqual(f.p95TaktS as number);
        expect(intervals).toContain(f.p50TaktS);
        expect(intervals).toContain(f.p95TaktS);
      }),
    );
  });

  it('the ALL row sums the shift rows', () => {
    fc.assert(
      fc.property(inputArb, windowArb(10_000_000), ({ line, windows, cycles, states }, w2) => {
        const ws = [windows[0], w2];
        const all = computeFigures(line, ws, cycles, states);
        const rows = ws.map((w) => computeFigures(line, [w], cycles, states));
        for (const k of ['units', 'good', 'rejects', 'plannedS', 'downtimeS'] as const) expect(all[k]).toBeCloseTo(rows[0][k] + rows[1][k], 9);
        expect(all.targetUnits).toBe(line.targetTaktS === null ? null : (rows[0].targetUnits as number) + (rows[1].targetUnits as number));
      }),
    );
  });
});

describe('formatting properties', () => {
  it('roundHalfUp lands on the decimal grid within half a step', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e9, max: 1e9, noNaN: true }), fc.integer({ min: 0, max: 3 }), (x, d) => {
        const r = roundHalfUp(x, d);
        expect(Math.abs(r - x)).toBeLessThanOrEqual(0.5 * 10 ** -d + 1e-9 * Math.max(1, Math.abs(x)));
        expect(Number(r.toFixed(d))).toBe(r);
      }),
    );
  });

  it('every CSV row has a cell per column and gives back its line name, whatever the name', () => {
    const figures = computeFigures({ targetTaktS: 1, outputStation: 'out', stations: ['out'] }, [{ start: T0, end: T0 + 60_000, breaks: [] }], [], []);
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 5 }), (names) => {
        const rows: CsvRow[] = names.map((lineName) => ({ date: '2026-03-10', shift: 'A', line: 'l', lineName, targetTaktS: 1, status: 'complete' as const, figures }));
        const csv = dailyCsv(rows);
        expect(csv.startsWith('\uFEFF')).toBe(true);
        expect(csv.endsWith('\r\n')).toBe(true);
        const records = parseCsv(csv.slice(1));
        expect(records).toHaveLength(names.length + 1);
        records.forEach((r) => expect(r).toHaveLength(CSV_COLUMNS.length));
        names.forEach((name, i) => expect(records[i + 1][3]).toBe(/^[=+\-@]/.test(name) ? `'${name}` : name));
        expect(records[1][5]).toBe(formatFigure('plannedS', figures.plannedS));
      }),
    );
  });
});

/** A strict RFC 4180 reader for the test: CRLF records, quoted fields with doubled quotes. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (text[i] === '"' && text[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else {
          if (i >= text.length) throw new Error('unterminated quote');
          field += text[i++];
        }
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n' && text[i] !== '"') field += text[i++];
      if (text[i] === '"' || text[i] === '\n') throw new Error(`bare ${JSON.stringify(text[i])} in unquoted field at ${i}`);
    }
    record.push(field);
    if (text[i] === ',') i++;
    else if (text.startsWith('\r\n', i)) {
      records.push(record);
      record = [];
      i += 2;
    } else throw new Error(`unexpected ${JSON.stringify(text[i])} at ${i}`);
  }
  return records;
}
