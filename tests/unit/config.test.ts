// The configuration schema (CONTRACT §3) refuses mistakes with a message naming the field: the working
// calendar (§2.2), loss thresholds (§2.4), the reason catalogue, andon thresholds (§6.1), feeds and tokens;
// and each rule's message is words the screens say in their language.
import { describe, expect, it } from 'vitest';
import { configOrThrow, parseConfig } from '../../shared/config.ts';
import { instancesOf, singleVersion, versionFor } from '../../shared/versions.ts';
import { shiftInstancesOfDate } from '../../shared/shifts.ts';
import { ENGLISH, WORD_KEYS, configProblemWords, english, placeholdersOf, words } from '../../shared/words.ts';

const base = {
  site: 'cq',
  timezone: 'Asia/Shanghai',
  lines: [{ id: 'l1', name: 'Line 1', targetTaktS: 60, outputStation: 'eol', stations: ['body', 'eol'] }],
  shifts: [{ name: 'Day', start: '08:00', end: '16:00' }],
};
const errorsOf = (over: Record<string, unknown>) => {
  const r = parseConfig({ ...base, ...over });
  return r.ok ? [] : r.errors;
};

describe('the working calendar', () => {
  it('refuses an unknown weekday, a weekday twice, a date that does not exist, a date twice, and a workday that is a holiday', () => {
    expect(errorsOf({ shifts: [{ ...base.shifts[0], days: ['mon', 'funday'] }] })).toEqual(['shifts[0].days[1]: unknown weekday "funday" (use mon, tue, wed, thu, fri, sat, sun)']);
    expect(errorsOf({ shifts: [{ ...base.shifts[0], days: ['mon', 'mon'] }] })).toEqual(['shifts[0].days: lists a weekday twice']);
    expect(errorsOf({ calendar: { holidays: ['2027-02-30'] } })).toEqual(['calendar.holidays[0]: "2027-02-30" is not a date YYYY-MM-DD that exists']);
    expect(errorsOf({ calendar: { holidays: ['2027-02-17', '2027-02-17'] } })).toEqual(['calendar.holidays[1]: 2027-02-17 is listed twice']);
    expect(errorsOf({ calendar: { holidays: ['2027-02-07'], workdays: [{ date: '2027-02-07', as: 'mon' }] } })).toEqual([
      'calendar.workdays[0].date: 2027-02-07 is also a holiday: a date is either a holiday or a make-up working day',
    ]);
    expect(errorsOf({ calendar: { workdays: [{ date: '2027-02-07', as: 'someday' }] } })[0]).toMatch(/^calendar\.workdays\[0\]\.as: unknown weekday/);
  });

  it('runs the shifts of EXAMPLES.md §3: weekdays, a holiday, and a Sunday worked as a Monday', () => {
    const r = parseConfig({
      ...base,
      timezone: 'UTC',
      shifts: [
        { name: 'Day', start: '08:00', end: '16:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'] },
        { name: 'Night', start: '22:00', end: '06:00', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
      ],
      calendar: { holidays: ['2027-02-17'], workdays: [{ date: '2027-02-07', as: 'mon' }] },
    });
    if (!r.ok) throw new Error(r.errors.join('; '));
    const names = (d: string) => shiftInstancesOfDate(r.config, d).map((s) => s.name);
    expect(names('2027-02-06')).toEqual(['Night']); // Saturday
    expect(names('2027-02-07')).toEqual(['Day', 'Night']); // Sunday, made a Monday
    expect(names('2027-02-08')).toEqual(['Day', 'Night']); // Monday
    expect(names('2027-02-14')).toEqual([]); // an ordinary Sunday
    expect(names('2027-02-17')).toEqual([]); // the holiday, a Wednesday
    expect(instancesOf(singleVersion(r.config), '2027-02-17')).toEqual([]);
  });
});

describe('which version a date uses (EXAMPLES.md §2)', () => {
  const v = (id: number, effectiveDate: string) => ({ id, effectiveDate });
  it('takes the one recorded last among those effective by then, and the first one before them all', () => {
    const recorded = [v(1, '2026-12-01'), v(2, '2026-11-27'), v(3, '2026-12-10')];
    expect(versionFor(recorded, '2026-11-20').id).toBe(1);
    expect(versionFor(recorded, '2026-11-28').id).toBe(2);
    expect(versionFor(recorded, '2026-12-02').id).toBe(2);
    expect(versionFor(recorded, '2026-12-12').id).toBe(3);
    expect(versionFor([...recorded, v(4, '2026-12-01')], '2026-12-12').id).toBe(4);
  });
});

describe('losses, reasons, andon, feeds, tokens', () => {
  it('refuses loss thresholds unless T < S < L, naming the field', () => {
    const line = base.lines[0];
    expect(errorsOf({ lines: [{ ...line, smallStopAfterS: 60 }] })).toEqual(['lines[0].smallStopAfterS: must be more than targetTaktS (60 s)']);
    expect(errorsOf({ lines: [{ ...line, smallStopAfterS: 200, stopAfterS: 150 }] })).toEqual(['lines[0].stopAfterS: must be more than smallStopAfterS (200 s)']);
    // The defaults: S = 2 T = 120 < L = max(120, 5 T) = 300.
    expect(errorsOf({})).toEqual([]);
    // A 1 s line: S = 2, L = 120.
    expect(errorsOf({ lines: [{ ...line, targetTaktS: 1 }] })).toEqual([]);
  });

  it('refuses a reason listed twice for the same kind', () => {
    expect(errorsOf({ reasons: [{ code: 'JAM', label: 'Jam', kind: 'down' }, { code: 'JAM', label: 'Jam again', kind: 'down' }] })).toEqual(['reasons[1].code: "JAM" is listed twice as a down reason']);
    expect(errorsOf({ reasons: [{ code: 'JAM', label: 'Jam', kind: 'down' }, { code: 'JAM', label: 'Jammed part', labelZh: '卡料', kind: 'reject' }] })).toEqual([]);
  });

  it('checks andon thresholds, per-line ones for configured lines only', () => {
    expect(errorsOf({ alerts: { escalateAfterS: [0, 600] } })[0]).toMatch(/^alerts\.escalateAfterS: must list three times/);
    expect(errorsOf({ alerts: { escalateAfterS: [60, 600, 1800] } })).toEqual(['alerts.escalateAfterS: must start at 0 and not decrease']);
    expect(errorsOf({ alerts: { lines: { ghost: { downAfterS: 30 } } } })).toEqual(['alerts.lines.ghost: "ghost" is not a configured line']);
  });

  it('checks feeds between configured lines', () => {
    expect(errorsOf({ feeds: [{ from: 'cells', to: 'l1', perUnit: 100 }] })).toEqual(['feeds[0].from: "cells" is not a configured line']);
    expect(errorsOf({ feeds: [{ from: 'l1', to: 'l1', perUnit: 1 }] })).toEqual(['feeds[0].to: a line cannot feed itself']);
  });

  it('takes tokens as SHA-256 hashes only, names unique', () => {
    expect(errorsOf({ access: { tokens: [{ name: 'a', role: 'operator', sha256: 'secret' }] } })).toEqual([
      'access.tokens[0].sha256: must be the hex SHA-256 of the token (64 characters 0-9a-f)',
    ]);
    const h = 'a'.repeat(64);
    expect(errorsOf({ access: { tokens: [{ name: 'a', role: 'operator', sha256: h }, { name: 'a', role: 'viewer', sha256: h }] } })).toEqual(['access.tokens[1].name: duplicate token name "a"']);
    expect(errorsOf({ access: { tokens: [{ name: 'a', role: 'admin', sha256: h }] } })[0]).toMatch(/^access\.tokens\[0\]\.role: /);
  });
});

describe('the rules’ messages are words (shared/words.ts config.*), said in Chinese by the screens', () => {
  const CONFIG_KEYS = WORD_KEYS.filter((k) => k.startsWith('config.'));

  it('finds every rule’s words again from its English, values with quotes, colons and dashes too', () => {
    for (const value of ['v', 'a "b": c', 'x–y (z)']) {
      for (const key of CONFIG_KEYS) {
        const names = placeholdersOf(ENGLISH[key]);
        const w = words(key, names.length ? Object.fromEntries(names.map((n) => [n, `${value}-${n}`])) : undefined);
        const found = configProblemWords(english(w));
        expect(found.key, `${key}: ${english(w)}`).toBe(key);
        expect(english(found)).toBe(english(w));
      }
    }
  });

  it('has words of its own for every problem with any field: each replaced by a wrong value, or given a key it does not have', () => {
    const full = structuredClone(configOrThrow({
      ...base,
      broker: { ca: 'ca.pem' },
      autoExportDir: '/srv/csv',
      inputs: [
        { id: 'sp', kind: 'sparkplug', groups: ['g1'], primaryHostId: 'h', sources: [{ group: 'g1', node: 'n', device: 'd', line: 'l1', station: 'eol', signals: { partCounter: 'c', rejectCounter: 'r', state: 's', stateValues: { 1: 'running' }, reason: 'x', reasonValues: { 1: 'jam' }, cycleTime: 'ct', product: 'p' } }] },
        { id: 'tg', kind: 'tags', topic: 'neuron/{node}', format: 'neuron', seqTag: 'q', sources: [{ node: 'n', group: 'g', line: 'l1', station: 'eol', signals: { partCounter: 'c' } }] },
      ],
      reasons: [{ code: 'A', label: 'a', labelZh: '甲', kind: 'down' }],
      feeds: [{ from: 'l1', to: 'l1b', perUnit: 2 }],
      lines: [...base.lines, { ...base.lines[0], id: 'l1b', idealCycleS: 50, smallStopAfterS: 100, stopAfterS: 200 }],
      shifts: [{ ...base.shifts[0], breaks: [{ start: '12:00', end: '12:30' }], days: ['mon'] }],
      access: { tokens: [{ name: 'a', role: 'viewer', sha256: 'a'.repeat(64) }] },
      alerts: { lines: { l1: { downAfterS: 30 } }, soundLevels: [1] },
      calendar: { holidays: ['2026-10-01'], workdays: [{ date: '2026-09-27', as: 'mon' }] },
    })) as unknown as Record<string, unknown>;
    const wrong: unknown[] = [null, 'x', -1, 0, 1.5, 1e12, [], {}, '', true, 'a'.repeat(300), ['x'], [1, 2, 3, 4, 5]];
    const onlyEnglish = new Set<string>();
    let checked = 0;
    const check = (c: unknown) => {
      const r = parseConfig(c);
      if (r.ok) return;
      for (const p of r.problems) {
        checked++;
        expect(english(p.words)).toBe(p.message);
        if (JSON.stringify(p.words).includes('"key":"text"')) onlyEnglish.add(`${p.path}: ${p.message}`);
      }
    };
    const walk = (v: unknown, at: (string | number)[]) => {
      const edit = (change: (parent: Record<string | number, unknown>, key: string | number) => void) => {
        const c = structuredClone(full) as Record<string | number, unknown>;
        let o = c;
        for (const k of at.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
        change(o, at[at.length - 1]);
        check(c);
      };
      if (at.length) for (const x of wrong) edit((o, k) => (o[k] = x));
      if (v !== null && typeof v === 'object') {
        if (!Array.isArray(v)) edit((o, k) => ((at.length ? (o[k] as Record<string, unknown>) : o).unknownKey = 1));
        for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k], [...at, Array.isArray(v) ? Number(k) : k]);
      }
    };
    walk(full, []);
    expect(checked).toBeGreaterThan(1000);
    expect([...onlyEnglish]).toEqual([]);
  });

  it('gives each refusal of the inputs’ rules its key, with the very English of before', () => {
    const signals = { partCounter: 'count' };
    // Field by field first (the rules across fields run once every field is well-formed)…
    const fields = parseConfig({
      ...base,
      inputs: [
        { id: 'sp', kind: 'sparkplug', groups: ['g1', 'STATE'], sources: [{ group: 'g1', node: 'n', line: 'l1', station: 'eol', signals }] },
        { id: 'tg', kind: 'tags', topic: 'x', format: 'flat', sources: [{ node: 'a/b', line: 'l1', station: 'eol', signals: { ...signals, state: 's', stateValues: { 1: 'sleeping' } } }] },
      ],
    });
    expect(fields.ok).toBe(false);
    if (fields.ok) return;
    expect(fields.problems.map((p) => p.words.key)).toEqual(['config.state_reserved', 'config.topic_level', 'config.not_a_state']);
    // …then across them.
    const rules = parseConfig({ ...base, inputs: [
      { id: 'sp', kind: 'sparkplug', primaryHostId: 'h1', groups: ['g1'], sources: [{ group: 'g2', node: 'n', line: 'l1', station: 'eol', signals: { ...signals, partCounterCounts: 'good', stateValues: { 1: 'running' } } }] },
      { id: 'sp', kind: 'sparkplug', primaryHostId: 'h2', groups: ['g1'], sources: [{ group: 'g1', node: 'n', line: 'l1', station: 'eol', signals }, { group: 'g1', node: 'n', line: 'l1', station: 'eol', signals }] },
      { id: 'tg', kind: 'tags', topic: 'neuron/{node}/{node}/a{b}', format: 'neuron', sources: [{ line: 'l1', station: 'eol', signals }] },
    ] });
    expect(rules.ok).toBe(false);
    if (rules.ok) return;
    expect(rules.errors).toEqual([
      'inputs[1].primaryHostId: only one input can be the primary host application (one will per connection)',
      'inputs[0].sources[0].group: "g2" is not one of this input\'s groups',
      'inputs[0].sources[0].signals.partCounterCounts: "good" needs a rejectCounter',
      'inputs[0].sources[0].signals.state: needed by stateValues and reason',
      'inputs[1].id: duplicate input id "sp"',
      'inputs[1].sources[1]: maps the same source as sources[0]',
      'inputs[2].topic: level 4 "a{b}" must be a literal, "+", {node}, {group}, or a final "#"',
      'inputs[2].topic: {node} and {group} may each appear once',
    ]);
    expect(rules.problems.map((p) => p.words.key)).toEqual([
      'config.one_primary_host',
      'config.not_a_group',
      'config.good_needs_reject',
      'config.state_needed',
      'config.duplicate_input',
      'config.same_source',
      'config.tag_level',
      'config.tag_once',
    ]);
    for (const p of [...fields.problems, ...rules.problems]) expect(english(p.words)).toBe(p.message);
  });
});
