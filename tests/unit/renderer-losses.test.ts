// History's loss view, the pure pieces (renderer/src/screens/history/losses.ts, line/marks.ts): the
// waterfall's bars, the Paretos' cumulative shares, the stops table's filter and sort, the catalogue labels.
import { describe, expect, it } from 'vitest';
import type { StopRow, WaterfallStep } from '../../shared/api.ts';
import {
  capRows,
  DEFAULT_SORT,
  filterStops,
  formatDuration,
  formatUnits,
  LINE_ITSELF,
  nextSort,
  NO_FILTER,
  paretoRows,
  pickableReasons,
  reasonLabel,
  reasonsOf,
  sortStops,
  stopFilterOptions,
  stopKey,
  waterfallBars,
  waterfallModes,
  textUnits,
  wrapLabel,
  durationTicks,
  formatHoursMinutes,
} from '../../renderer/src/screens/history/losses.ts';
import { markSpans } from '../../renderer/src/screens/line/marks.ts';

// EXAMPLES.md §1 worked through the core's waterfall (T = 2 s): planned 3 000 s, downtime 180, unreported
// 1 609, small 8, slow 1, no rejects, 15 good (30 s): other = 3000 − 180 − 1609 − 8 − 1 − 0 − 30 = 1 172.
const steps = (over: Partial<Record<WaterfallStep['step'], [number, number | null]>> = {}): WaterfallStep[] => {
  const base: Record<WaterfallStep['step'], [number, number | null]> = {
    planned: [3000, 1500],
    downtime: [180, 90],
    unreported_stops: [1609, 804.5],
    small_stops: [8, 4],
    slow_cycles: [1, 0.5],
    rejects: [0, 0],
    other: [1172, 586],
    good: [30, 15],
    ...over,
  };
  return (Object.keys(base) as WaterfallStep['step'][]).map((step) => ({ step, seconds: base[step][0], units: base[step][1] }));
};

describe('loss waterfall bars', () => {
  it('planned and good stand on 0; each loss hangs from where the last one ended', () => {
    const bars = waterfallBars(steps(), 'time')!;
    expect(bars.map((b) => b.step)).toEqual(['planned', 'downtime', 'unreported_stops', 'small_stops', 'slow_cycles', 'rejects', 'other', 'good']);
    expect(bars[0]).toEqual({ step: 'planned', value: 3000, range: [0, 3000], kind: 'total' });
    expect(bars[1]).toEqual({ step: 'downtime', value: 180, range: [2820, 3000], kind: 'loss' });
    expect(bars[2].range).toEqual([1211, 2820]);
    expect(bars[3].range).toEqual([1203, 1211]);
    expect(bars[4].range).toEqual([1202, 1203]);
    expect(bars[5].range).toEqual([1202, 1202]);
    // The losses bring planned exactly down to good: `other` ends where the good bar begins.
    expect(bars[6].range).toEqual([30, 1202]);
    expect(bars[7]).toEqual({ step: 'good', value: 30, range: [0, 30], kind: 'total' });
  });

  it('in units the same steps use their units', () => {
    const bars = waterfallBars(steps(), 'units')!;
    expect(bars[0].range).toEqual([0, 1500]);
    expect(bars[1].range).toEqual([1410, 1500]);
    expect(bars[6].range).toEqual([15, 601]);
    expect(bars[7].range).toEqual([0, 15]);
  });

  it('a negative "other" (the line ran faster than its target) lifts the level back up: a gain, not a loss', () => {
    // 600 s planned at T = 10: 70 good (700 s) in 600 s means cycles faster than target: other = −150.
    const fast = steps({ planned: [600, 60], downtime: [30, 3], unreported_stops: [0, 0], small_stops: [0, 0], slow_cycles: [10, 1], rejects: [10, 1], other: [-150, -15], good: [700, 70] });
    const bars = waterfallBars(fast, 'time')!;
    expect(bars.find((b) => b.step === 'other')).toEqual({ step: 'other', value: -150, range: [550, 700], kind: 'gain' });
    expect(bars.at(-1)!.range).toEqual([0, 700]);
  });

  it('without a target there are no units: only time is offered', () => {
    const noTarget = steps().map((s) => ({ ...s, units: null }));
    expect(waterfallModes(steps())).toEqual(['units', 'time']);
    expect(waterfallModes(noTarget)).toEqual(['time']);
    expect(waterfallBars(noTarget, 'units')).toBeNull();
    expect(waterfallBars(noTarget, 'time')).not.toBeNull();
    expect(waterfallBars([], 'time')).toBeNull();
  });
});

describe('Paretos', () => {
  const reasons = [
    { reason: 'JAM', source: 'machine' as const, seconds: 120 },
    { reason: 'MAT', source: 'operator' as const, seconds: 300 },
    { reason: 'SENSOR', source: 'machine' as const, seconds: 60 },
    { reason: 'unspecified', source: 'none' as const, seconds: 120 },
    { reason: 'never', source: 'none' as const, seconds: 0 },
  ];

  it('sorts most first (ties in the order sent), leaves out zeros, and runs the cumulative share to 100 %', () => {
    const rows = paretoRows(reasons, (r) => r.seconds);
    expect(rows.map((r) => r.item.reason)).toEqual(['MAT', 'JAM', 'unspecified', 'SENSOR']);
    expect(rows.map((r) => r.sharePct)).toEqual([50, 20, 20, 10]);
    expect(rows.map((r) => r.cumulativePct)).toEqual([50, 70, 90, 100]);
    expect(paretoRows([], (r: { n: number }) => r.n)).toEqual([]);
  });

  it('counts reject reasons the same way', () => {
    const rows = paretoRows([{ reason: 'leak', count: 3 }, { reason: 'torque', count: 1 }], (r) => r.count);
    expect(rows.map((r) => [r.item.reason, r.cumulativePct])).toEqual([['leak', 75], ['torque', 100]]);
  });

  it('caps the bars, summing the rest into one', () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ reason: `R${i}`, seconds: 12 - i }));
    const { rows, rest } = capRows(paretoRows(many, (r) => r.seconds), 8);
    expect(rows).toHaveLength(7);
    expect(rest).toMatchObject({ count: 5, value: 5 + 4 + 3 + 2 + 1 });
    expect(rows.at(-1)!.cumulativePct + rest!.sharePct).toBeCloseTo(100, 9);
    expect(capRows(paretoRows(many.slice(0, 3), (r) => r.seconds), 8).rest).toBeNull();
  });
});

const stop = (over: Partial<StopRow>): StopRow => ({
  shift: 'Day',
  kind: 'down',
  station: 'weld',
  stopStart: 0,
  start: 0,
  end: 60_000,
  durationS: 60,
  reason: 'JAM',
  source: 'machine',
  comment: null,
  codedBy: null,
  ...over,
});

describe('the stops table', () => {
  const rows: StopRow[] = [
    stop({ station: 'weld', start: 3_000, stopStart: 3_000, durationS: 300, reason: 'WELD-TIP' }),
    stop({ station: 'load', start: 1_000, stopStart: 1_000, durationS: 1800, reason: 'unspecified', source: 'none' }),
    stop({ kind: 'unreported_stop', station: null, start: 2_000, stopStart: 2_000, durationS: 420, reason: 'unspecified', source: 'none' }),
    stop({ station: 'test', start: 5_000, stopStart: 5_000, durationS: 300, reason: 'MAT', source: 'operator', codedBy: 'line-lead', comment: 'no cells' }),
    // Clipped to the shift: it began before (stopStart), its row starts at the window.
    stop({ station: 'load', start: 0, stopStart: -600_000, durationS: 120, reason: 'JAM' }),
  ];

  it('filters by kind, station (or the line itself), reason and source, together', () => {
    expect(filterStops(rows, NO_FILTER)).toHaveLength(5);
    expect(filterStops(rows, { ...NO_FILTER, kind: 'unreported_stop' }).map((r) => r.start)).toEqual([2_000]);
    expect(filterStops(rows, { ...NO_FILTER, station: 'load' }).map((r) => r.start)).toEqual([1_000, 0]);
    expect(filterStops(rows, { ...NO_FILTER, station: LINE_ITSELF }).map((r) => r.kind)).toEqual(['unreported_stop']);
    expect(filterStops(rows, { ...NO_FILTER, reason: 'unspecified', source: 'none', kind: 'down' }).map((r) => r.station)).toEqual(['load']);
    expect(filterStops(rows, { ...NO_FILTER, source: 'operator' }).map((r) => r.codedBy)).toEqual(['line-lead']);
    expect(filterStops(rows, { ...NO_FILTER, station: 'paint' })).toEqual([]);
  });

  it('sorts by start or duration either way, ties by start, and never mutates the rows it was given', () => {
    const before = rows.map(stopKey);
    expect(sortStops(rows, DEFAULT_SORT).map((r) => r.start)).toEqual([0, 1_000, 2_000, 3_000, 5_000]);
    expect(sortStops(rows, { key: 'start', dir: 'desc' }).map((r) => r.start)).toEqual([5_000, 3_000, 2_000, 1_000, 0]);
    // 300 s twice: the earlier one first, in both directions.
    expect(sortStops(rows, { key: 'duration', dir: 'desc' }).map((r) => r.durationS)).toEqual([1800, 420, 300, 300, 120]);
    expect(sortStops(rows, { key: 'duration', dir: 'desc' }).filter((r) => r.durationS === 300).map((r) => r.start)).toEqual([3_000, 5_000]);
    expect(sortStops(rows, { key: 'duration', dir: 'asc' }).map((r) => r.durationS)).toEqual([120, 300, 300, 420, 1800]);
    expect(rows.map(stopKey)).toEqual(before);
  });

  it('sorts by station with the line\'s own stops last, and by reason, source and who coded it', () => {
    expect(sortStops(rows, { key: 'station', dir: 'asc' }).map((r) => r.station)).toEqual(['load', 'load', 'test', 'weld', null]);
    expect(sortStops(rows, { key: 'reason', dir: 'asc' }).map((r) => r.reason)).toEqual(['JAM', 'MAT', 'unspecified', 'unspecified', 'WELD-TIP']);
    expect(sortStops(rows, { key: 'source', dir: 'asc' }).map((r) => r.source)).toEqual(['machine', 'machine', 'none', 'none', 'operator']);
    expect(sortStops(rows, { key: 'codedBy', dir: 'desc' })[0].codedBy).toBe('line-lead');
  });

  it('a click on the same column flips it; a new column starts in its natural direction', () => {
    expect(nextSort(DEFAULT_SORT, 'start')).toEqual({ key: 'start', dir: 'desc' });
    expect(nextSort({ key: 'start', dir: 'desc' }, 'start')).toEqual({ key: 'start', dir: 'asc' });
    expect(nextSort(DEFAULT_SORT, 'duration')).toEqual({ key: 'duration', dir: 'desc' });
    expect(nextSort(DEFAULT_SORT, 'reason')).toEqual({ key: 'reason', dir: 'asc' });
  });

  it('offers the stations in the order they come, the line itself apart, and the reasons present', () => {
    expect(stopFilterOptions(rows)).toEqual({ stations: ['weld', 'load', 'test'], hasLineStops: true, reasons: ['JAM', 'MAT', 'unspecified', 'WELD-TIP'] });
    expect(stopFilterOptions([])).toEqual({ stations: [], hasLineStops: false, reasons: [] });
  });

  it('keys a row by shift, kind, station and start: a period across two shifts gives two rows', () => {
    const a = stop({ shift: 'A', stopStart: 10, start: 10 });
    const b = stop({ shift: 'B', stopStart: 10, start: 20 });
    expect(stopKey(a)).not.toBe(stopKey(b));
    expect(new Set(rows.map(stopKey)).size).toBe(rows.length);
  });
});

describe('the reason catalogue', () => {
  const config = {
    site: 'x',
    reasons: [
      { code: 'MAT', label: 'Material shortage', labelZh: '缺料', kind: 'down' },
      { code: 'JAM', label: 'Jam', kind: 'down' },
      { code: 'leak', label: 'Leak test failed', labelZh: '气密不良', kind: 'reject' },
      { code: '', label: 'broken', kind: 'down' },
      { code: 'X', label: 'wrong kind', kind: 'other' },
      'nonsense',
    ],
  };

  it('takes the well-formed entries of getConfig\'s configuration, and nothing from anything else', () => {
    expect(reasonsOf(config).map((r) => r.code)).toEqual(['MAT', 'JAM', 'leak']);
    expect(reasonsOf(null)).toEqual([]);
    expect(reasonsOf({ reasons: 'no' })).toEqual([]);
    expect(reasonsOf(undefined)).toEqual([]);
  });

  it('labels in the UI language: labelZh in Chinese, else label; an unknown code (free text, a machine\'s) as it is', () => {
    const catalogue = reasonsOf(config);
    expect(reasonLabel('MAT', catalogue, 'en')).toBe('Material shortage');
    expect(reasonLabel('MAT', catalogue, 'zh-CN')).toBe('缺料');
    expect(reasonLabel('JAM', catalogue, 'zh-CN')).toBe('Jam');
    expect(reasonLabel('leak', catalogue, 'zh-CN', 'reject')).toBe('气密不良');
    expect(reasonLabel('E-STOP', catalogue, 'zh-CN')).toBe('E-STOP');
    expect(reasonLabel('waited for the forklift', catalogue, 'en')).toBe('waited for the forklift');
  });

  it('the picker offers the down reasons only, in the catalogue\'s order', () => {
    expect(pickableReasons(reasonsOf(config)).map((r) => r.code)).toEqual(['MAT', 'JAM']);
    expect(pickableReasons(reasonsOf(config), 'reject').map((r) => r.code)).toEqual(['leak']);
  });
});

describe('numbers of the loss view', () => {
  it('durations as h:mm:ss, negative ones with their sign', () => {
    expect(formatDuration(0)).toBe('0:00:00');
    expect(formatDuration(59.6)).toBe('0:01:00');
    expect(formatDuration(1800)).toBe('0:30:00');
    expect(formatDuration(27000)).toBe('7:30:00');
    expect(formatDuration(-150)).toBe('−0:02:30');
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(Number.NaN)).toBe('—');
  });

  it('time axes in round steps from 0 past the top, labelled h:mm', () => {
    expect(durationTicks(27_000)).toEqual([0, 7200, 14_400, 21_600, 28_800]);
    expect(durationTicks(3000)).toEqual([0, 600, 1200, 1800, 2400, 3000]);
    expect(durationTicks(3001)).toEqual([0, 600, 1200, 1800, 2400, 3000, 3600]);
    expect(durationTicks(90)).toEqual([0, 60, 120]);
    expect(durationTicks(0)).toEqual([0]);
    expect(formatHoursMinutes(27_000)).toBe('7:30');
    expect(formatHoursMinutes(3840)).toBe('1:04');
    expect(formatHoursMinutes(-1019)).toBe('−0:17');
    expect(formatHoursMinutes(20)).toBe('0:00');
  });

  it('units whole when they are, else to one decimal', () => {
    expect(formatUnits(450)).toBe('450');
    expect(formatUnits(1500)).toBe('1,500');
    expect(formatUnits(804.5)).toBe('804.5');
    expect(formatUnits(0.04)).toBe('0');
    expect(formatUnits(-15)).toBe('−15');
    expect(formatUnits(null)).toBe('—');
  });
});

describe('trend marks', () => {
  it('keeps small and unreported stops that touch the window, clipped to it, oldest first', () => {
    const marks: [number, number, string][] = [
      [500, 800, 'unreported_stop'],
      [50, 150, 'small_stop'],
      [900, 1200, 'small_stop'],
      [0, 40, 'small_stop'],
      [300, 300, 'small_stop'],
      [400, 450, 'slow_cycle'],
    ];
    expect(markSpans(marks, 100, 1000)).toEqual([
      { cls: 'small_stop', start: 50, end: 150, x1: 100, x2: 150 },
      { cls: 'unreported_stop', start: 500, end: 800, x1: 500, x2: 800 },
      { cls: 'small_stop', start: 900, end: 1200, x1: 900, x2: 1000 },
    ]);
    expect(markSpans([], 0, 1)).toEqual([]);
  });
});

describe('axis labels', () => {
  it('wrap at spaces to the width of their category, at most two lines, the rest cut with …', () => {
    expect(wrapLabel('Unreported stops', 12)).toEqual(['Unreported', 'stops']);
    expect(wrapLabel('Good', 12)).toEqual(['Good']);
    expect(wrapLabel('Leak test failed at station 4', 10)).toEqual(['Leak test', 'failed at…']);
    expect(wrapLabel('Torque out of range', 8, 1)).toEqual(['Torque…']);
    // A word a little longer than the line stays whole; a much longer one is broken.
    expect(wrapLabel('Unreported stops', 9)).toEqual(['Unreported', 'stops']);
    expect(wrapLabel('Unreported', 6)).toEqual(['Unrepo', 'rted']);
  });

  it('count a CJK character as two, and break CJK text anywhere (it has no spaces)', () => {
    expect(textUnits('未报停机')).toBe(8);
    expect(wrapLabel('未报停机', 8)).toEqual(['未报停机']);
    expect(wrapLabel('标签无法识别', 6)).toEqual(['标签无', '法识别']);
    expect(wrapLabel('标签无法识别并报警', 4)).toEqual(['标签', '无…']);
  });
});
