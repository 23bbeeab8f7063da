import { describe, expect, it } from 'vitest';
import {
  addDays,
  classifyTakt,
  formatBytes,
  formatClock,
  formatCount,
  formatDateTime,
  formatMs,
  formatPct,
  formatRate,
  formatTaktS,
  revealInvisible,
  timeTicks,
} from '../../renderer/src/display.ts';
import { connectionView } from '../../renderer/src/connection.ts';
import { parseRoute, routeHref } from '../../renderer/src/routes.ts';

describe('classifyTakt', () => {
  it('is on target at or below the target', () => {
    expect(classifyTakt(0.98, 1)).toBe('on');
    expect(classifyTakt(1, 1)).toBe('on');
    expect(classifyTakt(60, 60)).toBe('on');
  });

  it('is near up to 110 % of target, inclusive', () => {
    expect(classifyTakt(1.05, 1)).toBe('near');
    expect(classifyTakt(1.1, 1)).toBe('near');
    expect(classifyTakt(66, 60)).toBe('near');
  });

  it('is over beyond 110 %', () => {
    expect(classifyTakt(1.1001, 1)).toBe('over');
    expect(classifyTakt(66.01, 60)).toBe('over');
  });

  it('has no status without an actual takt or a usable target', () => {
    expect(classifyTakt(null, 1)).toBe('none');
    expect(classifyTakt(1, null)).toBe('none');
    expect(classifyTakt(1, 0)).toBe('none');
    expect(classifyTakt(Number.NaN, 1)).toBe('none');
  });
});

describe('live formatting', () => {
  it('shows takt with three significant figures and a unit', () => {
    expect(formatTaktS(1.0234)).toBe('1.02 s');
    expect(formatTaktS(58.66)).toBe('58.7 s');
    expect(formatTaktS(125.4)).toBe('125 s');
    expect(formatTaktS(0)).toBe('0.00 s');
    expect(formatTaktS(null)).toBe('—');
    expect(formatTaktS(Number.POSITIVE_INFINITY)).toBe('—');
  });

  it('formats counts, percentages, rates and milliseconds', () => {
    expect(formatCount(10234)).toBe('10,234');
    expect(formatCount(null)).toBe('—');
    expect(formatPct(94.76)).toBe('94.8 %');
    expect(formatPct(null)).toBe('—');
    expect(formatRate(0)).toBe('0');
    expect(formatRate(1.02)).toBe('1.0');
    expect(formatRate(58.8)).toBe('59');
    expect(formatMs(987.6)).toBe('988');
    expect(formatMs(null)).toBe('—');
  });

  it('formats byte sizes in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(4 * 1024 * 1024)).toBe('4.0 MiB');
    expect(formatBytes(734003200)).toBe('700.0 MiB');
    expect(formatBytes(-1)).toBe('—');
  });
});

describe('plant-time formatting', () => {
  const ts = Date.UTC(2026, 11, 1, 6, 5, 9); // 14:05:09 in Shanghai

  it('shows times in the plant timezone, not the viewer one', () => {
    expect(formatClock(ts, 'Asia/Shanghai')).toBe('14:05');
    expect(formatClock(ts, 'UTC')).toBe('06:05');
    expect(formatDateTime(ts, 'Asia/Shanghai')).toBe('2026-12-01 14:05:09');
  });

  it('falls back to UTC for an unknown zone instead of throwing', () => {
    expect(formatClock(ts, 'Not/AZone')).toBe('06:05');
  });

  it('uses 00 rather than 24 for midnight', () => {
    expect(formatClock(Date.UTC(2026, 11, 1, 16, 0), 'Asia/Shanghai')).toBe('00:00');
  });
});

describe('addDays', () => {
  it('moves across month and year ends and leap days', () => {
    expect(addDays('2026-12-01', -1)).toBe('2026-11-30');
    expect(addDays('2027-01-01', -1)).toBe('2026-12-31');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
  });
});

describe('timeTicks', () => {
  it('gives round ticks inside the window', () => {
    const from = Date.UTC(2026, 11, 1, 6, 1, 30);
    const to = Date.UTC(2026, 11, 1, 6, 16, 30);
    expect(timeTicks(from, to, 120_000).map((t) => new Date(t).toISOString().slice(11, 16))).toEqual([
      '06:02', '06:04', '06:06', '06:08', '06:10', '06:12', '06:14', '06:16',
    ]);
    expect(timeTicks(10, 5, 1)).toEqual([]);
    expect(timeTicks(0, 10, 0)).toEqual([]);
  });
});

describe('revealInvisible', () => {
  it('writes direction overrides, zero-width and control characters as escapes', () => {
    expect(revealInvisible('a\u202Eexe.gnp')).toBe('a\\u{202E}exe.gnp');
    expect(revealInvisible('zero\u200Bwidth\u0000')).toBe('zero\\u{200B}width\\u{0000}');
  });

  it('escapes lone surrogates but keeps real emoji, CJK and line breaks', () => {
    expect(revealInvisible('x\uD800y')).toBe('x\\u{D800}y');
    expect(revealInvisible('电池 😀\nok\t')).toBe('电池 😀\nok\t');
  });
});

describe('connectionView', () => {
  const broker = (status: 'connected' | 'connecting' | 'offline') => ({ status, url: 'mqtt://x', since: 0, error: null, errorWords: null });

  it('says unreachable whenever the app link is down, whatever the broker last was', () => {
    expect(connectionView('down', broker('connected'))).toBe('unreachable');
    expect(connectionView('down', null)).toBe('unreachable');
  });

  it('otherwise shows the broker state, connecting until one is known', () => {
    expect(connectionView('open', broker('connected'))).toBe('connected');
    expect(connectionView('open', broker('offline'))).toBe('offline');
    expect(connectionView('connecting', null)).toBe('connecting');
  });
});

describe('routes', () => {
  it('round-trips line ids with unusual characters', () => {
    for (const lineId of ['yibin-cell-1', 'a.b_c', 'x/y']) {
      expect(parseRoute(routeHref({ screen: 'line', lineId }))).toEqual({ screen: 'line', lineId });
    }
  });

  it('falls back to the overview and survives malformed escapes', () => {
    expect(parseRoute('')).toEqual({ screen: 'overview' });
    expect(parseRoute('#/nonsense')).toEqual({ screen: 'overview' });
    expect(parseRoute('#/line/%E0%A4%A')).toEqual({ screen: 'line', lineId: null });
    expect(parseRoute('#/history')).toEqual({ screen: 'history' });
  });
});
