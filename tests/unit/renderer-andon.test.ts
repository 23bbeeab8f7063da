// The renderer's andon rules (issue 11): which alert comes first, the words of a detail in both languages,
// how long one has been open, which changes are news, the sound's levels and patterns, and when a browser
// notification may be shown.
import { describe, expect, it } from 'vitest';
import type { AndonAlert } from '../../shared/api.ts';
import { alertDetail, alertsOfLine, byUrgency, durationParts, formatDuration, isNews, kindKey, levelClass, placeOf } from '../../renderer/src/andon/andonView.ts';
import { BEEP_PATTERNS, soundLevelsOf, toneTimes } from '../../renderer/src/andon/sound.ts';
import { createThrottle, notifyState } from '../../renderer/src/andon/notify.ts';
import { dictionaries } from '../../renderer/src/i18n.ts';
import { ANDON_KINDS } from '../../shared/andon.ts';

const base: AndonAlert = {
  id: 1,
  line: 'cell-3',
  station: 'stack',
  kind: 'line_down',
  level: 1,
  since: Date.parse('2026-12-01T02:00:00Z'),
  openedAt: Date.parse('2026-12-01T02:00:05Z'),
  ackBy: null,
  ackAt: null,
  closedAt: null,
  detail: 'station stack down for more than 60 s',
  words: { key: 'andon.line_down', params: { station: 'stack', seconds: 60 } },
};
const alert = (o: Partial<AndonAlert>): AndonAlert => ({ ...base, ...o });

describe('andon order and grouping', () => {
  it('puts the highest level first, then the one open longest, then the lower id', () => {
    const a = alert({ id: 1, level: 1, openedAt: 100 });
    const b = alert({ id: 2, level: 3, openedAt: 300 });
    const c = alert({ id: 3, level: 3, openedAt: 200 });
    const d = alert({ id: 4, level: 3, openedAt: 200 });
    expect([a, b, d, c].sort(byUrgency).map((x) => x.id)).toEqual([3, 4, 2, 1]);
  });

  it('picks one line\'s alerts, most urgent first, without touching the list', () => {
    const list = [alert({ id: 1, line: 'a', level: 1 }), alert({ id: 2, line: 'b', level: 2 }), alert({ id: 3, line: 'a', level: 2 })];
    expect(alertsOfLine(list, 'a').map((x) => x.id)).toEqual([3, 1]);
    expect(alertsOfLine(list, 'zzz')).toEqual([]);
    expect(list.map((x) => x.id)).toEqual([1, 2, 3]);
  });

  it('shows any level the core sends as 1, 2 or 3', () => {
    expect([0, 1, 2, 3, 7].map(levelClass)).toEqual([1, 1, 2, 3, 3]);
  });

  it('treats an opened or escalated alert as news, an acknowledgement or a close not', () => {
    expect(isNews({ change: 'opened', alert: base })).toBe(true);
    expect(isNews({ change: 'escalated', alert: base })).toBe(true);
    expect(isNews({ change: 'acknowledged', alert: base })).toBe(false);
    expect(isNews({ change: 'closed', alert: base })).toBe(false);
  });

  it('names the place as line, or line · station', () => {
    const name = (id: string) => (id === 'cell-3' ? '电芯3线' : id);
    expect(placeOf(base, name)).toBe('电芯3线 · stack');
    expect(placeOf({ line: 'cell-3', station: null }, name)).toBe('电芯3线');
  });
});

describe('andon words', () => {
  it('has the kind and detail of every alert kind in both languages', () => {
    for (const kind of ANDON_KINDS) {
      for (const lang of ['en', 'zh-CN'] as const) {
        const d = dictionaries[lang] as Record<string, string>;
        expect(d[kindKey(kind)], `${lang} ${kind}`).toBeTruthy();
        expect(d[`andon.${kind}`], `${lang} andon.${kind}`).toBeTruthy();
      }
    }
  });

  it('says the detail as the core does in English, and in Chinese with the same values', () => {
    expect(alertDetail('en', base, 'Asia/Shanghai')).toBe(base.detail);
    expect(alertDetail('zh-CN', base, 'Asia/Shanghai')).toBe('工位 stack 故障停机超过 60 秒');
    const behind = alert({ kind: 'behind_plan', detail: '23600 units behind the plan so far (more than 5 min of output at target)', words: { key: 'andon.behind_plan', params: { short: 23600, minutes: 5 } } });
    expect(alertDetail('zh-CN', behind, 'UTC')).toBe('目前落后计划 23,600 件（超过按目标节拍 5 分钟的产量）');
  });

  it('shows a time among the parameters as the plant clock', () => {
    const stale = alert({ kind: 'station_stale', detail: 'station grade has sent nothing since 2026-12-01T02:05:00.000Z', words: { key: 'andon.station_stale', params: { station: 'grade', since: '2026-12-01T02:05:00.000Z' } } });
    expect(alertDetail('en', stale, 'Asia/Shanghai')).toBe('station grade has sent nothing since 10:05');
    expect(alertDetail('zh-CN', stale, 'Asia/Shanghai')).toBe('工位 grade 自 10:05 起没有发送任何数据');
  });

  it('falls back to the English sent for a key it does not know or a parameter missing', () => {
    expect(alertDetail('zh-CN', alert({ detail: 'something newer', words: { key: 'andon.from_a_newer_core', params: {} } }), 'UTC')).toBe('something newer');
    expect(alertDetail('zh-CN', alert({ detail: 'no params', words: { key: 'andon.line_down', params: { station: 'x' } } }), 'UTC')).toBe('no params');
    expect(alertDetail('zh-CN', alert({ detail: 'not andon', words: { key: 'app.name', params: {} } }), 'UTC')).toBe('not andon');
  });

  it('says durations in whole units, never negative', () => {
    expect(durationParts(-5000)).toEqual({ unit: 's', n: 0 });
    expect(durationParts(59_999)).toEqual({ unit: 's', n: 59 });
    expect(durationParts(60_000)).toEqual({ unit: 'min', n: 1 });
    expect(durationParts(3 * 3_600_000 + 5 * 60_000 + 59_000)).toEqual({ unit: 'hmin', h: 3, min: 5 });
    expect(formatDuration('en', 125_000)).toBe('2 min');
    expect(formatDuration('zh-CN', 3_600_000 * 2 + 60_000)).toBe('2 小时 1 分钟');
    expect(formatDuration('en', Number.NaN)).toBe('0 s');
  });
});

describe('andon sound', () => {
  it('reads the configured levels defensively: anything malformed sounds nothing', () => {
    expect(soundLevelsOf({ alerts: { soundLevels: [3, 2, 2] } })).toEqual([2, 3]);
    expect(soundLevelsOf({ alerts: { soundLevels: [0, 4, '2', 1] } })).toEqual([1]);
    expect(soundLevelsOf({ alerts: {} })).toEqual([]);
    expect(soundLevelsOf(null)).toEqual([]);
    expect(soundLevelsOf('x')).toEqual([]);
  });

  it('makes higher levels more urgent: more tones, higher pitch', () => {
    expect(BEEP_PATTERNS[1].count).toBeLessThan(BEEP_PATTERNS[2].count);
    expect(BEEP_PATTERNS[2].count).toBeLessThan(BEEP_PATTERNS[3].count);
    expect(BEEP_PATTERNS[1].hz).toBeLessThan(BEEP_PATTERNS[2].hz);
    expect(BEEP_PATTERNS[2].hz).toBeLessThan(BEEP_PATTERNS[3].hz);
    expect(toneTimes(BEEP_PATTERNS[2])).toEqual([
      [0, 0.16],
      [0.28, 0.44],
    ]);
    // Short: a pattern never lasts over a second and a half.
    for (const level of [1, 2, 3] as const) expect(toneTimes(BEEP_PATTERNS[level]).at(-1)![1]).toBeLessThan(1.5);
  });
});

describe('browser notifications', () => {
  const api = (permission: NotificationPermission) => ({ permission, requestPermission: async () => permission });

  it('are offered only where the browser can show them, and on only after the person said yes', () => {
    expect(notifyState({ api: undefined, secure: true, stored: null })).toBe('unsupported');
    expect(notifyState({ api: api('default'), secure: false, stored: null })).toBe('insecure');
    expect(notifyState({ api: api('default'), secure: true, stored: 'on' })).toBe('ask');
    expect(notifyState({ api: api('denied'), secure: true, stored: 'on' })).toBe('denied');
    expect(notifyState({ api: api('granted'), secure: true, stored: null })).toBe('on');
    expect(notifyState({ api: api('granted'), secure: true, stored: 'off' })).toBe('off');
  });

  it('show at most one per gap and count the ones held back into the next', () => {
    let now = 0;
    const throttle = createThrottle(10_000, () => now);
    expect(throttle.take()).toBe(0);
    now = 3_000;
    expect(throttle.take()).toBeNull();
    now = 9_999;
    expect(throttle.take()).toBeNull();
    now = 10_000;
    expect(throttle.take()).toBe(2);
    now = 25_000;
    expect(throttle.take()).toBe(0);
  });
});
