import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, dailyCsv, dailyCsvFileName, type CsvRow } from '../../shared/csv.ts';
import { NO_FIGURES } from '../fixtures/figures.ts';

const HEADER =
  'date,shift,line,line_name,target_takt_s,planned_s,units,good,rejects,target_units,attainment_pct,mean_takt_s,p50_takt_s,p95_takt_s,on_target_pct,downtime_s,availability_pct,performance_pct,quality_pct,oee_pct,bottleneck_station,status,slow_cycles,slow_cycle_loss_s,small_stops,small_stop_loss_s,unreported_stops,unreported_stop_loss_s,top_down_reason,top_down_reason_s';

const shiftA: CsvRow = {
  date: '2026-03-10',
  shift: 'A',
  line: 'yibin-cell-1',
  lineName: 'Yibin cell line 1 · 宜宾电芯1线',
  targetTaktS: 1,
  status: 'complete',
  figures: {
    plannedS: 27_000,
    units: 26_000,
    good: 25_990,
    rejects: 10,
    targetUnits: 27_000,
    attainmentPct: (100 * 26_000) / 27_000, // 96.296…
    meanTaktS: 1.0005, // half-up → 1.001 (the double is just below 1.0005)
    p50TaktS: 1,
    p95TaktS: 1.2345, // → 1.235, where toFixed(3) alone gives 1.234
    onTargetPct: 80.05, // → 80.1
    downtimeS: 12.25, // → 12.3
    availabilityPct: 99.95, // → 100.0
    performancePct: 96.24999,
    qualityPct: (100 * 25_990) / 26_000, // 99.9615… → 100.0
    oeePct: 0.05, // → 0.1
    bottleneckStation: 'winding',
    slowCycles: 12,
    slowCycleLossS: 3.05, // → 3.1
    smallStops: 3,
    smallStopLossS: 10,
    unreportedStops: 1,
    unreportedStopLossS: 600.25, // → 600.3
    topDownReason: '=JAM', // a text cell: neutralised like the others
    topDownReasonS: 12.25,
  },
};

describe('dailyCsv', () => {
  it('writes the exact bytes: BOM, header, CRLF after every line, contract rounding, empty cells', () => {
    const csv = dailyCsv([shiftA, { date: '2026-03-10', shift: 'ALL', line: 'ghost', lineName: 'ghost', targetTaktS: null, status: 'in_progress', figures: NO_FIGURES }]);
    expect(csv).toBe(
      '\uFEFF' +
        HEADER +
        '\r\n' +
        '2026-03-10,A,yibin-cell-1,Yibin cell line 1 · 宜宾电芯1线,1.000,27000.0,26000,25990,10,27000,96.3,1.001,1.000,1.235,80.1,12.3,100.0,96.2,100.0,0.1,winding,complete,12,3.1,3,10.0,1,600.3,\'=JAM,12.3\r\n' +
        '2026-03-10,ALL,ghost,ghost,,0.0,0,0,0,,,,,,,0.0,,,,,,in_progress,0,0.0,0,0.0,0,0.0,,\r\n',
    );
    const bytes = new TextEncoder().encode(csv);
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect([...bytes.slice(-2)]).toEqual([0x0d, 0x0a]);
    // 宜 is three bytes in UTF-8.
    expect(Buffer.from(csv, 'utf8').includes(Buffer.from([0xe5, 0xae, 0x9c]))).toBe(true);
  });

  it('quotes cells with commas, quotes, CR or LF and doubles the quotes', () => {
    const row = (lineName: string): CsvRow => ({ ...shiftA, lineName });
    const nameCell = (lineName: string) => dailyCsv([row(lineName)]).split('\r\n')[1].slice('2026-03-10,A,yibin-cell-1,'.length, -',1.000,27000.0,26000,25990,10,27000,96.3,1.001,1.000,1.235,80.1,12.3,100.0,96.2,100.0,0.1,winding,complete,12,3.1,3,10.0,1,600.3,\'=JAM,12.3'.length);
    expect(nameCell('总装, line 2')).toBe('"总装, line 2"');
    expect(nameCell('the "fast" line')).toBe('"the ""fast"" line"');
    expect(nameCell('two\nlines')).toBe('"two\nlines"');
    expect(nameCell('cr\rhere')).toBe('"cr\rhere"');
    expect(nameCell('plain 线')).toBe('plain 线');
  });

  it('prefixes text cells that start with = + - @ with an apostrophe, inside the quotes', () => {
    const csv = dailyCsv([
      { ...shiftA, lineName: '=HYPERLINK("http://x","总装")', shift: '+1', line: '-A', figures: { ...shiftA.figures, bottleneckStation: '@st' } },
    ]);
    expect(csv.split('\r\n')[1]).toBe(
      `2026-03-10,'+1,'-A,"'=HYPERLINK(""http://x"",""总装"")",1.000,27000.0,26000,25990,10,27000,96.3,1.001,1.000,1.235,80.1,12.3,100.0,96.2,100.0,0.1,'@st,complete,12,3.1,3,10.0,1,600.3,'=JAM,12.3`,
    );
  });

  it('is only the header for no rows', () => {
    expect(dailyCsv([])).toBe(`\uFEFF${HEADER}\r\n`);
  });

  it('has the contract columns in order: the first 21 as in the first release, then the appended ones', () => {
    expect(CSV_COLUMNS.join(',')).toBe(HEADER);
    expect(CSV_COLUMNS.slice(0, 21).join(',')).toBe(
      'date,shift,line,line_name,target_takt_s,planned_s,units,good,rejects,target_units,attainment_pct,mean_takt_s,p50_takt_s,p95_takt_s,on_target_pct,downtime_s,availability_pct,performance_pct,quality_pct,oee_pct,bottleneck_station',
    );
  });
});

describe('dailyCsvFileName', () => {
  it('names the file after the date and refuses anything else', () => {
    expect(dailyCsvFileName('2026-03-10')).toBe('taktboard-daily-2026-03-10.csv');
    expect(() => dailyCsvFileName('../etc/passwd')).toThrow(/YYYY-MM-DD/);
  });
});
