import { describe, expect, it } from 'vitest';
import { agoParts } from '../../renderer/src/ago.ts';
import { configSnippet, groupUnconfigured } from '../../renderer/src/screens/diagnostics/configSnippet.ts';

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

describe('configuration snippets for unconfigured stations', () => {
  const items = [
    { line: 'L1', station: 'vision', lineConfigured: true, firstSeen: 1, messages: 10 },
    { line: 'L9', station: 'a', lineConfigured: false, firstSeen: 2, messages: 3 },
    { line: 'L1', station: 'laser', lineConfigured: true, firstSeen: 3, messages: 4 },
    { line: 'L9', station: 'b', lineConfigured: false, firstSeen: 4, messages: 5 },
  ];

  it('groups by line in the order listed', () => {
    const groups = groupUnconfigured(items);
    expect(groups.map((g) => [g.line, g.lineConfigured, g.stations.map((s) => s.station)])).toEqual([
      ['L1', true, ['vision', 'laser']],
      ['L9', false, ['a', 'b']],
    ]);
  });

  it('a configured line gets its stations with the new ones appended', () => {
    const [l1] = groupUnconfigured(items);
    expect(configSnippet(l1, ['in', 'out'])).toEqual({ kind: 'stations', json: '"stations": ["in","out","vision","laser"]' });
    expect(configSnippet(l1, undefined)).toEqual({ kind: 'stations-only', json: '["vision","laser"]' });
  });

  it('an unknown line gets a whole line object whose target must be filled in', () => {
    const [, l9] = groupUnconfigured(items);
    const snippet = configSnippet(l9, undefined);
    expect(snippet.kind).toBe('line');
    expect(JSON.parse(snippet.json)).toEqual({ id: 'L9', name: 'L9', targetTaktS: null, outputStation: 'b', stations: ['a', 'b'] });
  });
});
