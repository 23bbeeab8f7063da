// The Settings form model (renderer/src/screens/settings/formModel.ts, issue 13 item 5): any valid
// configuration survives load → form → save unchanged; what a file leaves out takes the schema's defaults;
// the form covers every field the schema has; numbers it cannot read go to the engine as typed, to be refused
// by name. Then adoption's defaults, the year view of the calendar, and where a refusal is shown and in which words
// (the engine's: every problem with a configuration, and every part of the summary of a change, has them).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { configSchema, demoConfig, parseConfig, type Config } from '../../shared/config.ts';
import { dictionaries, placeholdersOf } from '../../renderer/src/i18n.ts';
import {
  FORM_KEYS,
  canonical,
  configToForm,
  exportConfig,
  formToConfig,
  importConfig,
  isNumberText,
  moveItem,
  newInput,
  newLine,
  newShift,
  newSignals,
  numText,
  readForm,
  removeLine,
  removeStation,
  renameLine,
  renameStation,
  switchInputKind,
  toNumber,
  type SparkplugInputForm,
} from '../../renderer/src/screens/settings/formModel.ts';
import { adopt, adoptLine, adoptStation, hintState, suggestedTakt } from '../../renderer/src/screens/settings/adoption.ts';
import { dayOf, toggleDay, yearCounts, yearView } from '../../renderer/src/screens/settings/calendarYear.ts';
import { fieldKey, indexErrors, itemName, parsePath, pathString, sectionOf } from '../../renderer/src/screens/settings/errors.ts';
import { settingsEn, settingsZh } from '../../renderer/src/screens/settings/settingsText.ts';
import { translateWords } from '../../renderer/src/i18n.ts';
import { changeWords, summarizeChange, summaryOf } from '../../shared/versions.ts';
import { ENGLISH, WORD_KEYS, configProblemWords, english, type Words } from '../../shared/words.ts';
import { configInputArb } from './renderer-settings-arbitraries.ts';
import type { AdoptionHint } from '../../shared/api.ts';

/** English sentences of the catalogue, as their fixed text between placeholders (a few words or more). */
const ENGLISH_FRAGMENTS = [
  ...new Set(
    WORD_KEYS.flatMap((k) => ENGLISH[k].split(/\{\w+\}/))
      .map((f) => f.trim())
      .filter((f) => /[a-z]{2,}\s+[a-z]{2,}/i.test(f)),
  ),
];

const validInput = configInputArb.filter((c) => parseConfig(c).ok);
const parsed = (c: unknown): Config => {
  const r = parseConfig(c);
  if (!r.ok) throw new Error(r.errors.join('; '));
  return r.config;
};

describe('the form round-trips the configuration', () => {
  it('generates mostly valid configurations (so the properties below test many)', () => {
    const sample = fc.sample(configInputArb, { numRuns: 300, seed: 13 });
    const ok = sample.filter((c) => parseConfig(c).ok).length;
    expect(ok / sample.length).toBeGreaterThan(0.5);
    // Every optional part is generated, present and absent, so both ways are covered.
    for (const key of ['broker', 'inputs', 'calendar', 'reasons', 'alerts', 'feeds', 'access', 'autoExportDir']) {
      expect(sample.some((c) => key in c && parseConfig(c).ok), key).toBe(true);
      expect(sample.some((c) => !(key in c) && parseConfig(c).ok), key).toBe(true);
    }
    const inputs = sample.filter((c) => parseConfig(c).ok).flatMap((c) => (c as { inputs?: { kind: string }[] }).inputs ?? []);
    expect(inputs.some((x) => x.kind === 'sparkplug') && inputs.some((x) => x.kind === 'tags')).toBe(true);
  });

  it('any valid configuration, loaded into the form and saved untouched, is unchanged', () => {
    fc.assert(
      fc.property(validInput, (input) => {
        const c = parsed(input);
        const out = formToConfig(configToForm(c));
        expect(out).toStrictEqual(c);
        // …and it is what the engine reads back, as the same version.
        expect(parsed(out)).toStrictEqual(c);
      }),
      { numRuns: 300 },
    );
  });

  it('a file that leaves fields out gets the schema’s defaults in the form (the defaults here mirror the schema)', () => {
    fc.assert(
      fc.property(validInput, (input) => {
        expect(formToConfig(readForm(input).form)).toStrictEqual(parsed(input));
        expect(readForm(input).ignored).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('the demo configuration round-trips', () => {
    const c = demoConfig();
    expect(formToConfig(configToForm(c))).toStrictEqual(c);
    expect(canonical(formToConfig(configToForm(c)))).toBe(canonical(c));
  });

  it('covers every field of the schema (a field added to shared/config.ts must be added to the form)', () => {
    const schemaKeys = schemaObjectKeys();
    expect(Object.keys(schemaKeys).sort()).toEqual(Object.keys(FORM_KEYS).sort());
    for (const [path, keys] of Object.entries(schemaKeys)) expect([...FORM_KEYS[path]].sort(), path).toEqual([...keys].sort());
  });

  it('keeps top-level fields it does not know (a newer engine’s) and says which nested ones it left out', () => {
    const input = { ...structuredClone(demoConfig()), futureThing: { x: 1 } } as Record<string, unknown>;
    (input.lines as Record<string, unknown>[])[0].targetTakt = 3;
    const r = readForm(input);
    expect(r.form.extra).toEqual({ futureThing: { x: 1 } });
    expect(formToConfig(r.form).futureThing).toEqual({ x: 1 });
    expect(r.ignored).toEqual(['lines[0].targetTakt']);
  });
});

describe('numbers as typed', () => {
  it('shows every number as text that reads back as the same number', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        expect(isNumberText(numText(n))).toBe(true);
        expect(Object.is(toNumber(numText(n)), n)).toBe(true);
      }),
    );
    expect(numText(-0)).toBe('-0');
    expect(toNumber(' 1.5 ')).toBe(1.5);
    expect(toNumber('1e3')).toBe(1000);
  });

  it('sends what is not a number as the text typed, so the engine refuses it naming the field', () => {
    const form = configToForm(demoConfig());
    form.lines[0].targetTaktS = 'abc';
    form.lines[1].idealCycleS = '';
    form.alerts.downAfterS = '1,5';
    const draft = formToConfig(form) as { lines: Record<string, unknown>[]; alerts: Record<string, unknown> };
    expect(draft.lines[0].targetTaktS).toBe('abc');
    expect('idealCycleS' in draft.lines[1]).toBe(false);
    for (const s of ['0x10', '', ' ', 'Infinity', '1,5', '--1']) expect(isNumberText(s), s).toBe(false);
    const r = parseConfig(draft);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors.some((e) => e.startsWith('lines[0].targetTaktS: '))).toBe(true);
      expect(r.errors.some((e) => e.startsWith('alerts.downAfterS: '))).toBe(true);
    }
  });
});

describe('list edits keep the configuration consistent', () => {
  const form = () => configToForm(demoConfig());

  it('a renamed or removed output station is followed; a renamed line is followed by its feeds and overrides', () => {
    const f = form();
    const line = f.lines[0];
    expect(renameStation(line, 4, 'grade').outputStation).toBe('grade');
    expect(renameStation(line, 0, 'coat').outputStation).toBe('grading');
    expect(removeStation(line, 4).outputStation).toBe('formation');
    const withFeed = { ...f, feeds: [{ from: 'yibin-cell-1', to: 'yubei-assembly-1', perUnit: '96' }], alerts: { ...f.alerts, lines: [{ line: 'yibin-cell-1', downAfterS: '30', behindPlanMin: '', slowPct: '', slowForS: '' }] } };
    const renamed = renameLine(withFeed, 0, 'cell-1');
    expect(renamed.feeds[0].from).toBe('cell-1');
    expect(renamed.alerts.lines[0].line).toBe('cell-1');
    expect(parseConfig(formToConfig(renamed)).ok).toBe(true);
    const removed = removeLine(withFeed, 0);
    expect(removed.feeds).toEqual([]);
    expect(removed.alerts.lines).toEqual([]);
    expect(parseConfig(formToConfig(removed)).ok).toBe(true);
    expect(moveItem(['a', 'b', 'c'], 2, 0)).toEqual(['c', 'a', 'b']);
    expect(moveItem(['a', 'b'], 0, -1)).toEqual(['a', 'b']);
  });

  it('new lines, shifts and inputs start from values the engine accepts or names', () => {
    const f = form();
    const added = { ...f, lines: [...f.lines, newLine(f)], shifts: [...f.shifts, newShift(f)] };
    expect(added.lines[2].id).toBe('line-3');
    expect(added.shifts[3].name).toBe('D');
    expect(parseConfig(formToConfig(added)).ok).toBe(true);
    const sp = newInput(f, 'sparkplug') as SparkplugInputForm;
    expect(sp).toMatchObject({ kind: 'sparkplug', id: 'sparkplug', rebirthEveryS: '5', maxPayloadBytes: '262144' });
    const tags = switchInputKind({ ...sp, groups: ['plant'], sources: [{ group: 'plant', node: 'n1', device: null, line: 'yibin-cell-1', station: 'coating', signals: { ...newSignals(), partCounter: 'count' } }] }, 'tags');
    expect(tags.kind).toBe('tags');
    expect(tags.sources[0].line).toBe('yibin-cell-1');
    expect(parseConfig(formToConfig({ ...f, inputs: [tags] })).ok).toBe(true);
  });
});

describe('adoption', () => {
  const hint = (h: Partial<AdoptionHint>): AdoptionHint => ({ line: 'pack-3', station: null, stations: ['load', 'weld', 'test'], lastSeen: 1, messages: 12_000, medianIntervalS: 58.7, ...h });

  it('suggests a target takt from the median interval, rounded to two significant digits', () => {
    expect(suggestedTakt(58.7)).toBe(59);
    expect(suggestedTakt(1.02)).toBe(1);
    expect(suggestedTakt(0.987)).toBe(0.99);
    expect(suggestedTakt(125)).toBe(130);
    expect(suggestedTakt(0.001)).toBe(0.01);
    expect(suggestedTakt(null)).toBeNull();
    expect(suggestedTakt(0)).toBeNull();
  });

  it('makes a new line in one step: stations as seen, the last one the output, a valid configuration', () => {
    const f = configToForm(demoConfig());
    const r = adoptLine(f, hint({}));
    const line = r.form.lines[r.lineIndex];
    expect(line).toMatchObject({ id: 'pack-3', name: 'pack-3', targetTaktS: '59', outputStation: 'test', stations: ['load', 'weld', 'test'] });
    expect(r.taktGuessed).toBe(false);
    expect(parseConfig(formToConfig(r.form)).ok).toBe(true);
    expect(hintState(r.form, hint({}))).toBe('in-form');
    const guessed = adoptLine(f, hint({ medianIntervalS: null }));
    expect(guessed.taktGuessed).toBe(true);
    expect(guessed.form.lines[2].targetTaktS).toBe('60');
    // Adopting twice changes nothing.
    expect(adoptLine(r.form, hint({})).form).toBe(r.form);
  });

  it('adds a station to its configured line, after the others, leaving the output station', () => {
    const f = configToForm(demoConfig());
    const h = hint({ line: 'yibin-cell-1', station: 'sorting', stations: ['sorting'] });
    expect(hintState(f, h)).toBe('new');
    const r = adopt(f, h);
    expect(r.form.lines[0].stations).toEqual(['coating', 'winding', 'assembly', 'formation', 'grading', 'sorting']);
    expect(r.form.lines[0].outputStation).toBe('grading');
    expect(hintState(r.form, h)).toBe('in-form');
    expect(parseConfig(formToConfig(r.form)).ok).toBe(true);
    // A station of a line the form does not have (yet): the line comes with it.
    const lone = adoptStation(f, hint({ line: 'new-line', station: 'only' }));
    expect(lone.form.lines[2]).toMatchObject({ id: 'new-line', stations: ['only'], outputStation: 'only' });
  });
});

describe('the year view of the working calendar', () => {
  const form = () => {
    const f = configToForm(demoConfig());
    f.shifts = f.shifts.map((s) => ({ ...s, days: ['mon', 'tue', 'wed', 'thu', 'fri'] }));
    f.calendar = { holidays: ['2026-10-01'], workdays: [{ date: '2026-09-27', as: 'fri' }] };
    return f;
  };

  it('says what runs on each date (CONTRACT §2.2)', () => {
    const f = form();
    expect(dayOf(f, '2026-10-01')).toMatchObject({ kind: 'holiday', weekday: 'thu', shifts: [] });
    expect(dayOf(f, '2026-09-27')).toMatchObject({ kind: 'makeup', weekday: 'sun', as: 'fri', shifts: ['A', 'B', 'C'] });
    expect(dayOf(f, '2026-09-26')).toMatchObject({ kind: 'noshift', weekday: 'sat' });
    expect(dayOf(f, '2026-09-28')).toMatchObject({ kind: 'work', weekday: 'mon', shifts: ['A', 'B', 'C'] });
    const year = yearView(f, 2026);
    expect(year.map((m) => m.days.length)).toEqual([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]);
    expect(year[0].lead).toBe(3); // 2026-01-01 is a Thursday
    const counts = yearCounts(year);
    expect(counts).toEqual({ work: 260, holiday: 1, makeup: 1, noshift: 103 });
  });

  it('a click turns a working day into a holiday, a day without shifts into a make-up day, and back', () => {
    const f = form();
    const h = toggleDay(f, '2026-10-02');
    expect(h.calendar.holidays).toEqual(['2026-10-01', '2026-10-02']);
    expect(toggleDay(h, '2026-10-02').calendar.holidays).toEqual(['2026-10-01']);
    const m = toggleDay(f, '2026-10-10');
    expect(m.calendar.workdays).toContainEqual({ date: '2026-10-10', as: 'mon' });
    expect(dayOf(m, '2026-10-10').kind).toBe('makeup');
    expect(toggleDay(m, '2026-10-10').calendar.workdays).toEqual(f.calendar.workdays);
    expect(parseConfig(formToConfig(m)).ok).toBe(true);
  });
});

describe('refusals next to their fields, in the UI language', () => {
  it('names fields the engine’s way, and finds their labels and sections', () => {
    expect(pathString(['lines', 0, 'targetTaktS'])).toBe('lines[0].targetTaktS');
    expect(parsePath('inputs[1].sources[0].signals.stateValues.RUN')).toEqual(['inputs', 1, 'sources', 0, 'signals', 'stateValues', 'RUN']);
    expect(fieldKey('lines[3].stations[2]')).toBe('lines.stations');
    expect(fieldKey('alerts.lines.cell-1.slowPct')).toBe('alerts.lines.slowPct');
    expect(fieldKey('inputs[0].sources[1].signals.stateValues.1')).toBe('inputs.sources.signals.stateValues');
    expect(sectionOf('retention.rawDays')).toBe('plant');
    expect(sectionOf('calendar.workdays[0].date')).toBe('calendar');
    const said = (text: string) => ({ path: '', message: text, words: { key: 'text', params: { text } } as Words });
    const idx = indexErrors([
      { ...said('x'), path: 'lines[0].targetTaktS' },
      { ...said('y'), path: 'lines[0].targetTaktS' },
      { ...said('z'), path: 'broker.url' },
    ]);
    expect(idx.at('lines[0].targetTaktS').map((p) => p.message)).toEqual(['x', 'y']);
    expect(idx.bySection).toEqual({ lines: 2, broker: 1 });
    const f = configToForm(demoConfig());
    expect(itemName(f, parsePath('lines[1].stations[5]'), 1)).toBe('yubei-assembly-1');
    expect(itemName(f, parsePath('lines[1].stations[5]'), 3)).toBe('eol-test');
    expect(itemName(f, parsePath('lines[7].id'), 1)).toBe('#8');
  });

  it('has a label for every field and a help line for every field that stands alone', () => {
    const en = dictionaries.en as Readonly<Record<string, string>>;
    // Columns of a table are explained by the table's help line; overrides take the plant's labels.
    const columnsOnly = /^(reasons|feeds|shifts\.breaks|calendar\.workdays|access\.tokens|alerts\.lines)\./;
    for (const [path, keys] of Object.entries(FORM_KEYS)) {
      for (const k of keys) {
        if (k === 'kind' && path.startsWith('inputs[')) continue;
        const base = path.replace(/\[[a-z]*\]|\{\}/g, '');
        const key = path === 'alerts.lines{}' ? `alerts.${k}` : base ? `${base}.${k}` : k;
        expect(en[`f.${key}`], `label f.${key}`).toBeTruthy();
        // Sections (the top level) and groups are headings; each field in them has its own help line.
        if (path !== '' && !columnsOnly.test(key) && !/signals$/.test(key)) expect(en[`h.${key}`], `help h.${key}`).toBeTruthy();
      }
    }
  });

  it('has the engine’s words for the schema’s messages: the configuration’s own rules, the schema library’s, else the English as text', () => {
    expect(configProblemWords('Too small: expected number to be >0')).toMatchObject({ key: 'problem.too_small' });
    expect(configProblemWords('must be more than targetTaktS (30 s)')).toEqual({ key: 'config.more_than_takt', params: { value: '30' } });
    expect(configProblemWords('"q" is not one of the line\'s stations')).toEqual({ key: 'config.not_a_station', params: { station: 'q' } });
    expect(configProblemWords('something new')).toEqual({ key: 'text', params: { text: 'something new' } });
  });

  it('translates what the engine really says about common mistakes', () => {
    // Field by field first (the cross-field rules run only once every field is well-formed)…
    const fields = structuredClone(demoConfig()) as unknown as Record<string, any>;
    fields.site = 'Chong qing';
    fields.lines[0].targetTaktS = 0;
    fields.lines[1].name = '';
    fields.shifts[0].start = '6:00';
    fields.shifts[2].days = [];
    fields.shifts[1].days = ['mon', 'someday'];
    fields.calendar = { holidays: ['2026-02-30'], workdays: [{ date: '2026-10-01', as: 'sat' }] };
    fields.reasons = [{ code: ' MAT', label: 'x', kind: 'down' }, { code: 'A', label: 'y', kind: 'other' }];
    fields.broker = { url: 'http://x', keepaliveS: 'ten' };
    fields.access = { tokens: [{ name: 'a', role: 'boss', sha256: 'abc' }] };
    fields.alerts = { escalateAfterS: [5, 600, 1800], soundLevels: [4] };
    // …then the rules across fields.
    const across = structuredClone(demoConfig()) as unknown as Record<string, any>;
    across.timezone = 'Mars/Olympus';
    across.lines[0].outputStation = 'nowhere';
    across.lines[0].stations.push('coating');
    across.lines[1].smallStopAfterS = 30;
    across.lines.push({ ...across.lines[1], id: 'yibin-cell-1' });
    across.shifts[1].breaks = [{ start: '23:00', end: '23:30' }];
    across.shifts[2].name = 'A';
    across.shifts[0].days = ['mon', 'mon'];
    across.calendar = { holidays: ['2026-10-01', '2026-10-01'], workdays: [{ date: '2026-10-01', as: 'sat' }] };
    across.reasons = [{ code: 'MAT', label: 'x', kind: 'down' }, { code: 'MAT', label: 'y', kind: 'down' }];
    across.feeds = [{ from: 'yubei-assembly-1', to: 'nowhere', perUnit: 2 }, { from: 'yubei-assembly-1', to: 'yubei-assembly-1', perUnit: 1 }];
    across.broker = { topicPattern: 'factory/{line}/{station}/{event}' };
    across.access = { tokens: [{ name: 'a', role: 'viewer', sha256: 'a'.repeat(64) }, { name: 'a', role: 'operator', sha256: 'b'.repeat(64) }] };
    across.alerts = { lines: { ghost: {} } };
    for (const [bad, least] of [[fields, 14], [across, 15]] as const) {
      const r = parseConfig(bad);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.problems.map((p) => `${p.path}: ${p.message}`)).toEqual(r.errors);
      // Every problem has words of its own (none only English), whose English is the message as sent…
      expect(r.problems.filter((p) => JSON.stringify(p.words).includes('"key":"text"'))).toEqual([]);
      for (const p of r.problems) expect(english(p.words)).toBe(p.message);
      // …and whose Chinese has none of the English templates' sentences left in it.
      for (const p of r.problems) {
        const zh = translateWords('zh-CN', p.words);
        expect(zh, p.message).toMatch(/[\u4e00-\u9fff]/);
        expect(ENGLISH_FRAGMENTS.filter((f) => zh.includes(f)), zh).toEqual([]);
      }
      expect(r.problems.length).toBeGreaterThanOrEqual(least);
    }
  });
});

describe('the engine’s summary of a change, part by part in words', () => {
  it('has words for every kind of part, whose English joined is the summary', () => {
    const prev = demoConfig();
    const next = structuredClone(prev) as unknown as Record<string, any>;
    next.lines[0].targetTaktS = 0.9;
    next.lines[0].stations = ['winding', 'coating', 'assembly', 'formation', 'grading'];
    next.lines[1].stations = [...next.lines[1].stations.slice(1), 'audit'];
    next.lines.push({ id: 'pack-3', name: 'Pack 3', targetTaktS: 30, outputStation: 'b', stations: ['a', 'b'] });
    next.shifts[0].breaks = [];
    next.timezone = 'UTC';
    next.calendar = { holidays: ['2026-10-01'], workdays: [] };
    const parts = changeWords(prev, parsed(next));
    expect(parts.map((p) => p.key)).toEqual(
      expect.arrayContaining(['change.line_added', 'change.line_field', 'change.stations_reordered', 'change.stations_added', 'change.stations_removed', 'change.section']),
    );
    expect(parts).toContainEqual({ key: 'change.line_field', params: { field: 'targetTaktS', line: 'yibin-cell-1', from: '1', to: '0.9' } });
    expect(parts).toContainEqual({ key: 'change.section', params: { section: 'calendar' } });
    expect(summaryOf(parts)).toBe(summarizeChange(prev, parsed(next)));
    expect(summarizeChange(prev, parsed(next))).toContain('stations added to yubei-assembly-1: audit; stations removed from yubei-assembly-1: body');
    expect(changeWords(null, prev)).toEqual([{ key: 'change.first', params: { lines: 2, shifts: 3 } }]);
    expect(summarizeChange(null, prev)).toBe('first version: 2 line(s), 3 shift(s)');
    expect(changeWords(prev, prev)).toEqual([{ key: 'change.none' }]);
    expect(summarizeChange(prev, prev)).toBe('no change');
    for (const w of parts) expect(translateWords('zh-CN', w)).toMatch(/[\u4e00-\u9fff]/);
  });
});

describe('import and export', () => {
  it('exports the running configuration without access tokens, and imports keep the tokens when the file has none', () => {
    const c = parsed({ ...demoConfig(), access: { tokens: [{ name: 'boss', role: 'supervisor', sha256: 'a'.repeat(64) }] } });
    const text = exportConfig(c);
    expect(text.endsWith('\n')).toBe(true);
    const file = JSON.parse(text);
    expect(file.access).toBeUndefined();
    expect(file.lines).toEqual(c.lines);
    const current = configToForm(c);
    const r = importConfig(file, current);
    expect(r.keptAccess).toBe(true);
    expect(formToConfig(r.form)).toStrictEqual(c);
    const replaced = importConfig({ ...file, access: { tokens: [] } }, current);
    expect(replaced.keptAccess).toBe(false);
    expect(replaced.form.access.tokens).toEqual([]);
  });

  it('reads a partial or odd file into the form without throwing, for the engine to judge', () => {
    for (const v of [{}, { lines: 'x' }, { lines: [null, 5] }, { alerts: { lines: [] } }, { inputs: [{ kind: 'nope' }] }, { shifts: [{ days: 'mon' }] }]) {
      const draft = formToConfig(readForm(v).form);
      expect(typeof draft).toBe('object');
      expect(parseConfig(draft).ok).toBe(false);
    }
  });
});

describe('the words of the Settings screens', () => {
  it('are all translated, with the same placeholders', () => {
    const keys = Object.keys(settingsEn) as (keyof typeof settingsEn)[];
    expect(Object.keys(settingsZh).sort()).toEqual([...keys].sort());
    for (const k of keys) {
      expect(settingsZh[k], k).not.toBe(settingsEn[k]);
      expect(placeholdersOf(settingsZh[k]), k).toEqual(placeholdersOf(settingsEn[k]));
      expect(dictionaries.en[k], k).toBe(settingsEn[k]);
      expect(dictionaries['zh-CN'][k], k).toBe(settingsZh[k]);
    }
  });
});

// ---- the schema's own field lists, to compare with the form's ---------------------------------------

type AnyDef = { type: string; innerType?: unknown; shape?: Record<string, unknown>; element?: unknown; valueType?: unknown; options?: unknown[]; in?: unknown };

function def(s: unknown): AnyDef {
  return (s as { _zod: { def: AnyDef } })._zod.def;
}

function unwrap(s: unknown): unknown {
  let x = s;
  for (;;) {
    const d = def(x);
    if ((d.type === 'default' || d.type === 'optional' || d.type === 'prefault' || d.type === 'nullable') && d.innerType) x = d.innerType;
    else if (d.type === 'pipe' && d.in) x = d.in;
    else return x;
  }
}

/** Each object of the schema by path ('' the top, 'lines[]' a line, 'alerts.lines{}' an override, 'inputs[tags]' a tag input): its keys. */
function schemaObjectKeys(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const walk = (schema: unknown, path: string) => {
    const s = unwrap(schema);
    const d = def(s);
    if (d.type === 'object' && d.shape) {
      out[path] = Object.keys(d.shape);
      for (const [k, v] of Object.entries(d.shape)) walk(v, path ? `${path}.${k}` : k);
    } else if (d.type === 'array') {
      walk(d.element, `${path}[]`);
    } else if (d.type === 'record') {
      walk(d.valueType, `${path}{}`);
    } else if (d.type === 'union' && d.options && def(unwrap(d.options[0])).type === 'object') {
      for (const o of d.options) {
        const kind = def(def(unwrap(o)).shape!.kind);
        const value = (kind as unknown as { values?: unknown[] }).values?.[0];
        walk(o, path.replace(/\[\]$/, `[${String(value)}]`));
      }
    }
  };
  walk(configSchema, '');
  // Maps of values (stateValues, reasonValues) are rows of the form, not objects with fields.
  const shared = out['inputs[sparkplug].sources[].signals'];
  delete out['inputs[sparkplug].sources[].signals'];
  delete out['inputs[tags].sources[].signals'];
  out['inputs[].sources[].signals'] = shared;
  return out;
}
