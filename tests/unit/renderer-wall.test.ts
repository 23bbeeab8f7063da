// The wall display's address and paging rule (renderer/src/screens/wall/wallParams.ts): what a mistyped URL
// shows, which lines in which order, how many tiles a page holds and at what type size, how pages turn.
import { describe, expect, it } from 'vitest';
import { parseRoute, routeHref } from '../../renderer/src/routes.ts';
import { DEFAULT_WALL, gridOf, pagesOf, parseWallParams, perPage, selectLines, turnPage, wallHref } from '../../renderer/src/screens/wall/wallParams.ts';

describe('wall address', () => {
  it('defaults to every line, dark, 15 s pages, two tiles', () => {
    expect(parseWallParams('')).toEqual(DEFAULT_WALL);
    expect(parseRoute('#/wall')).toEqual({ screen: 'wall', params: DEFAULT_WALL });
    expect(perPage(DEFAULT_WALL.per)).toBe(2);
  });

  it('reads lines, theme, rotation, tiles per page and language', () => {
    expect(parseRoute('#/wall?lines=yubei-assembly-1,yibin-cell-1&theme=light&rotate=30&per=3&lang=zh-CN')).toEqual({
      screen: 'wall',
      params: { lines: ['yubei-assembly-1', 'yibin-cell-1'], theme: 'light', rotateS: 30, per: 3, lang: 'zh-CN' },
    });
    expect(parseWallParams('rotate=0').rotateS).toBe(0);
  });

  it('falls back to the defaults for what it cannot use, so a mistyped address still shows a wall', () => {
    expect(parseWallParams('theme=purple&rotate=2&per=9&lang=fr&lines=,,')).toEqual(DEFAULT_WALL);
    expect(parseWallParams('rotate=-5&per=0').rotateS).toBe(15);
    expect(parseWallParams('rotate=1e3').rotateS).toBe(15);
    expect(parseWallParams('lines= a , a ,b').lines).toEqual(['a', 'b']);
  });

  it('round-trips through its href, leaving defaults out', () => {
    expect(wallHref(DEFAULT_WALL)).toBe('#/wall');
    const p = { lines: ['a.b_c', 'x-1'], theme: 'light' as const, rotateS: 0, per: 1, lang: 'en' as const };
    expect(wallHref(p)).toBe('#/wall?lines=a.b_c,x-1&theme=light&rotate=0&per=1&lang=en');
    expect(parseRoute(routeHref({ screen: 'wall', params: p }))).toEqual({ screen: 'wall', params: p });
  });

  it('leaves the other routes as they were, with or without a query', () => {
    expect(parseRoute('#/history?x=1')).toEqual({ screen: 'history' });
    expect(parseRoute('#/line/yibin-cell-1')).toEqual({ screen: 'line', lineId: 'yibin-cell-1' });
    expect(parseRoute('#/walls')).toEqual({ screen: 'overview' });
  });
});

describe('wall lines and pages', () => {
  const lines = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id }));

  it('shows the lines named, in that order, and says which are not in the live data', () => {
    expect(selectLines(lines, null).shown.map((l) => l.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
    const picked = selectLines(lines, ['d', 'zz', 'a']);
    expect(picked.shown.map((l) => l.id)).toEqual(['d', 'a']);
    expect(picked.missing).toEqual(['zz']);
  });

  it('cuts the lines into pages of the same size, the last holding the rest; no line, one empty page', () => {
    expect(pagesOf(lines, 2).map((p) => p.map((l) => l.id))).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(pagesOf(lines, 6)).toHaveLength(1);
    expect(pagesOf([], 2)).toEqual([[]]);
  });

  it('keeps the 5 m type sizes for one or two tiles side by side, smaller for more', () => {
    expect(gridOf(1, false)).toEqual({ columns: 1, rows: 1, scale: 1 });
    expect(gridOf(2, false)).toEqual({ columns: 2, rows: 1, scale: 1 });
    expect(gridOf(3, false)).toEqual({ columns: 3, rows: 1, scale: 0.67 });
    expect(gridOf(4, false)).toEqual({ columns: 2, rows: 2, scale: 0.5 });
    expect(gridOf(6, false)).toEqual({ columns: 3, rows: 2, scale: 0.5 });
    expect(gridOf(2, true)).toEqual({ columns: 1, rows: 2, scale: 1 });
    expect(gridOf(4, true)).toEqual({ columns: 1, rows: 4, scale: 0.5 });
  });

  it('turns pages forwards and back, wrapping; one page stays', () => {
    expect(turnPage(0, 3, 1)).toBe(1);
    expect(turnPage(2, 3, 1)).toBe(0);
    expect(turnPage(0, 3, -1)).toBe(2);
    expect(turnPage(0, 1, 1)).toBe(0);
  });
});
