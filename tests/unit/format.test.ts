import { describe, expect, it } from 'vitest';
import { FIGURE_DECIMALS, formatFigure, roundHalfUp } from '../../shared/format.ts';

describe('roundHalfUp', () => {
  it('rounds the printed decimal half up, not the binary value below it', () => {
    // Each of these doubles lies just below the printed value, so Math.round(x * 10^d) gets them wrong.
    expect(roundHalfUp(1.005, 2)).toBe(1.01);
    expect(roundHalfUp(2.675, 2)).toBe(2.68);
    expect(roundHalfUp(1.0005, 3)).toBe(1.001);
    expect(roundHalfUp(8.345, 2)).toBe(8.35);
    expect(roundHalfUp(0.15, 1)).toBe(0.2);
    expect(roundHalfUp(99.95, 1)).toBe(100);
  });

  it('rounds below half down and keeps exact values', () => {
    expect(roundHalfUp(1.0049, 2)).toBe(1);
    expect(roundHalfUp(0.00049999999, 3)).toBe(0);
    expect(roundHalfUp(27000, 1)).toBe(27000);
    expect(roundHalfUp(123456789.125, 2)).toBe(123456789.13);
  });

  it('handles exponent notation and negative numbers (half away from zero, no -0)', () => {
    expect(roundHalfUp(5e-4, 3)).toBe(0.001);
    expect(roundHalfUp(1e-7, 3)).toBe(0);
    expect(roundHalfUp(-1.005, 2)).toBe(-1.01);
    expect(Object.is(roundHalfUp(-0.04, 1), 0)).toBe(true);
    expect(roundHalfUp(1e21, 2)).toBe(1e21);
  });
});

describe('formatFigure', () => {
  it('gives the empty cell for an empty or non-finite figure', () => {
    expect(formatFigure('oeePct', null)).toBe('');
    expect(formatFigure('meanTaktS', Number.NaN)).toBe('');
    expect(formatFigure('attainmentPct', Number.POSITIVE_INFINITY)).toBe('');
  });

  it('uses the contract decimals for each kind of figure', () => {
    expect(formatFigure('plannedS', 27000)).toBe('27000.0');
    expect(formatFigure('downtimeS', 12.25)).toBe('12.3');
    expect(formatFigure('units', 3)).toBe('3');
    expect(formatFigure('targetUnits', 27000)).toBe('27000');
    expect(formatFigure('attainmentPct', 66.66666666)).toBe('66.7');
    expect(formatFigure('oeePct', 0)).toBe('0.0');
    expect(formatFigure('meanTaktS', 1.0005)).toBe('1.001');
    expect(formatFigure('p95TaktS', 60)).toBe('60.000');
    expect(formatFigure('targetTaktS', 1)).toBe('1.000');
    expect(formatFigure('availabilityPct', -0.04)).toBe('0.0');
  });

  it('passes the bottleneck station through as text', () => {
    expect(formatFigure('bottleneckStation', 'winding')).toBe('winding');
  });

  it('has decimals for every numeric figure', () => {
    expect(FIGURE_DECIMALS).toEqual({
      targetTaktS: 3, plannedS: 1, units: 0, good: 0, rejects: 0, targetUnits: 0, attainmentPct: 1,
      meanTaktS: 3, p50TaktS: 3, p95TaktS: 3, onTargetPct: 1, downtimeS: 1,
      availabilityPct: 1, performancePct: 1, qualityPct: 1, oeePct: 1,
      slowCycles: 0, slowCycleLossS: 1, smallStops: 0, smallStopLossS: 1, unreportedStops: 0, unreportedStopLossS: 1, topDownReasonS: 1,
    });
  });
});
