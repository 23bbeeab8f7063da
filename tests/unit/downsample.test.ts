import { describe, expect, it } from 'vitest';
import { lttb } from '../../shared/downsample.ts';

describe('lttb', () => {
  it('returns the input itself when it is short enough', () => {
    const pts: [number, number][] = [[0, 1], [1, 2], [2, 3]];
    expect(lttb(pts, 3)).toBe(pts);
    expect(lttb(pts, 1000)).toBe(pts);
    expect(lttb([], 10)).toEqual([]);
  });

  it('keeps the point of the largest triangle in each bucket (hand-worked)', () => {
    // 8 points to 4: buckets {1,2,3} and {4,5,6}. Bucket 1 against (0,0) and the mean (5, 1/3) of the
    // next bucket: doubled areas 4.67, 0.67, 24 → (3,5). Bucket 2 against (3,5) and (7,0): 15, 6, 5 → (4,0).
    const pts: [number, number][] = [[0, 0], [1, 1], [2, 0], [3, 5], [4, 0], [5, 1], [6, 0], [7, 0]];
    expect(lttb(pts, 4)).toEqual([[0, 0], [3, 5], [4, 0], [7, 0]]);
  });

  it('keeps a single spike among flat points', () => {
    expect(lttb([[0, 0], [1, 10], [2, 0], [3, 0], [4, 0]], 3)).toEqual([[0, 0], [1, 10], [4, 0]]);
  });

  it('cuts a long series to the threshold, keeping the ends, the order and a one-point stop', () => {
    const pts: [number, number][] = Array.from({ length: 86_400 }, (_, i) => [i, i === 40_000 ? 300 : 1 + 0.1 * Math.sin(i / 50)]);
    const out = lttb(pts, 1000);
    expect(out).toHaveLength(1000);
    expect(out[0]).toBe(pts[0]);
    expect(out[999]).toBe(pts[86_399]);
    expect(out.every((p, i) => i === 0 || p[0] > out[i - 1][0])).toBe(true);
    expect(out.some((p) => p[1] === 300)).toBe(true);
  });

  it('keeps only the ends below 3 points', () => {
    const pts: [number, number][] = [[0, 0], [1, 1], [2, 2], [3, 3]];
    expect(lttb(pts, 2)).toEqual([[0, 0], [3, 3]]);
    expect(lttb(pts, 1)).toEqual([[0, 0]]);
    expect(lttb(pts, 0)).toEqual([]);
  });
});
