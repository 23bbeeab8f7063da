import { describe, expect, it } from 'vitest';
import { agoParts } from '../../renderer/src/ago.ts';

describe('agoParts', () => {
  it('counts the largest whole unit', () => {
    expect(agoParts(3_000)).toEqual({ unit: 'now', n: 0 });
    expect(agoParts(-5_000)).toEqual({ unit: 'now', n: 0 });
    expect(agoParts(42_000)).toEqual({ unit: 's', n: 42 });
    expect(agoParts(2 * 60_000 + 59_000)).toEqual({ unit: 'min', n: 2 });
    expect(agoParts(5 * 3_600_000)).toEqual({ unit: 'h', n: 5 });
    expect(agoParts(47 * 3_600_000)).toEqual({ unit: 'h', n: 47 });
    expect(agoParts(3 * 86_400_000)).toEqual({ unit: 'd', n: 3 });
    expect(agoParts(Number.NaN)).toEqual({ unit: 'now', n: 0 });
  });
});
