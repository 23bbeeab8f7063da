// Generated plant configurations (fast-check) from the rules of shared/config.ts: any field may be left out
// where the schema has a default or makes it optional, numbers go down to the smallest doubles, names use
// the whole allowed alphabet, text any Unicode. The cross-field rules (output station among the stations,
// T < S < L, breaks inside their shift, unique ids, one primary host…) are followed, so most generated values
// are valid; the tests keep only those parseConfig accepts.
import fc from 'fast-check';
import { WEEKDAYS } from '../../shared/dates.ts';
import { ROLE_ORDER } from '../../shared/api.ts';

const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 2 });
/** Leaves out the keys whose value is undefined (as a file would), so "absent" is really absent. */
const clean = <T extends Record<string, unknown>>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

export const nameArb = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,12}$/);
const textArb = (min: number, max: number) => fc.oneof(fc.string({ minLength: min, maxLength: max }), fc.string({ minLength: min, maxLength: max, unit: 'grapheme' }));
const levelArb = fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !/[/+#]/.test(s));
/** Any positive double up to `max`: integers, plain decimals, and the tiniest subnormals. */
const posArb = (max: number) => fc.oneof(fc.integer({ min: 1, max: Math.floor(max) }), fc.double({ min: Number.MIN_VALUE, max, noNaN: true }), fc.integer({ min: 1, max: 10_000 }).map((n) => n / 100));
const hhmmArb = fc.integer({ min: 0, max: 1439 }).map((m) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`);
const dateArb = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2031, 11, 31) }).map((t) => new Date(t).toISOString().slice(0, 10));
const weekdayArb = fc.constantFrom(...WEEKDAYS);
const stateArb = fc.constantFrom('running', 'idle', 'starved', 'blocked', 'down', 'changeover', 'planned_stop');
const dictArb = <T>(v: fc.Arbitrary<T>) => fc.dictionary(fc.string({ maxLength: 6 }).filter((k) => k !== '__proto__'), v, { maxKeys: 3 });

const toHHMM = (m: number) => `${String(Math.floor(m / 60) % 24).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const minutes = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3));

const lineArb = fc
  .record({
    id: nameArb,
    name: textArb(1, 24),
    T: posArb(1000),
    ideal: opt(posArb(86_400)),
    stations: fc.uniqueArray(nameArb, { minLength: 1, maxLength: 5 }),
    out: fc.nat(),
    thresholds: fc.constantFrom('none', 'S', 'L', 'SL'),
    a: fc.double({ min: 0.01, max: 4, noNaN: true }),
    b: fc.double({ min: 0.01, max: 4, noNaN: true }),
  })
  .map(({ id, name, T, ideal, stations, out, thresholds, a, b }) => {
    const S = T * (1 + a);
    const L = thresholds === 'L' ? 2 * T * (1 + b) : S * (1 + b);
    return clean({
      id,
      name,
      targetTaktS: T,
      idealCycleS: ideal,
      outputStation: stations[out % stations.length],
      stations,
      smallStopAfterS: thresholds.includes('S') ? S : undefined,
      stopAfterS: thresholds.includes('L') ? L : undefined,
    });
  });

const shiftArb = fc
  .record({
    name: textArb(1, 8).filter((n) => n !== 'ALL'),
    start: hhmmArb,
    end: hhmmArb,
    breaks: opt(fc.array(fc.tuple(fc.double({ min: 0, max: 0.999, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })), { maxLength: 2 })),
    days: opt(fc.shuffledSubarray([...WEEKDAYS], { minLength: 1 })),
  })
  .map(({ name, start, end, breaks, days }) => {
    const len = (minutes(end) - minutes(start) + 1440) % 1440 || 1440;
    const list = breaks?.map(([at, size]) => {
      const offset = Math.floor(at * (len - 1));
      const blen = Math.max(1, Math.floor(size * (len - offset)));
      return { start: toHHMM(minutes(start) + offset), end: toHHMM(minutes(start) + offset + blen) };
    });
    return clean({ name, start, end, breaks: list, days });
  });

const signalsArb = fc
  .record({
    partCounter: textArb(1, 10),
    partCounterCounts: opt(fc.constantFrom('all', 'good')),
    rejectCounter: opt(textArb(1, 10)),
    onReset: opt(fc.constantFrom('from-zero', 'none')),
    maxUnitsPerSample: opt(fc.integer({ min: 1, max: 1_000_000 })),
    state: opt(textArb(1, 10)),
    stateValues: opt(dictArb(stateArb)),
    reason: opt(textArb(1, 10)),
    reasonValues: opt(dictArb(textArb(1, 12))),
    cycleTime: opt(textArb(1, 10)),
    cycleTimeUnit: opt(fc.constantFrom('ms', 's')),
    product: opt(textArb(1, 10)),
  })
  .map((s) => {
    const out = { ...s };
    if (out.partCounterCounts === 'good' && !out.rejectCounter) out.rejectCounter = 'rejects';
    if ((out.stateValues || out.reason) && !out.state) out.state = 'state';
    return clean(out);
  });

const sparkplugArb = fc
  .record({
    id: nameArb,
    groups: fc.uniqueArray(levelArb.filter((g) => g !== 'STATE'), { minLength: 1, maxLength: 3 }),
    primaryHostId: opt(levelArb),
    rebirthEveryS: opt(fc.double({ min: 0.1, max: 3600, noNaN: true })),
    maxPayloadBytes: opt(fc.integer({ min: 1024, max: 1024 * 1024 })),
    sources: fc.array(fc.record({ g: fc.nat(), node: levelArb, device: opt(levelArb), line: nameArb, station: nameArb, signals: signalsArb }), { minLength: 1, maxLength: 3 }),
  })
  .map(({ sources, ...x }) => {
    const seen = new Set<string>();
    const list = sources
      .map(({ g, ...s }) => clean({ ...s, group: x.groups[g % x.groups.length] }))
      .filter((s) => {
        const key = `${s.group}\u0000${s.node}\u0000${s.device ?? ''}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    return clean({ ...x, kind: 'sparkplug' as const, sources: list });
  });

const tagsArb = fc
  .record({
    id: nameArb,
    topic: fc.constantFrom('neuron/{node}', 'plant/+/{group}/#', 'gw/{node}/{group}', 'flat', '+/+'),
    format: fc.constantFrom('neuron', 'flat'),
    timestampField: opt(textArb(1, 10)),
    timestampUnit: opt(fc.constantFrom('ms', 's')),
    seqTag: opt(textArb(1, 10)),
    maxPayloadBytes: opt(fc.integer({ min: 1024, max: 1024 * 1024 })),
    sources: fc.uniqueArray(fc.record({ node: opt(levelArb), group: opt(levelArb), line: nameArb, station: nameArb, signals: signalsArb }), {
      minLength: 1,
      maxLength: 3,
      selector: (s) => `${s.node ?? '*'}\u0000${s.group ?? '*'}`,
    }),
  })
  .map((x) => clean({ ...x, kind: 'tags' as const, sources: x.sources.map(clean) }));

const brokerArb = fc
  .record({
    url: fc.constantFrom('mqtt://127.0.0.1:1883', 'mqtts://broker.plant.local:8883', 'ws://10.0.0.5:9001/mqtt', 'wss://h'),
    clientId: opt(textArb(1, 20)),
    username: opt(textArb(0, 10)),
    passwordFile: opt(textArb(0, 20)),
    topicPattern: opt(
      fc
        .tuple(fc.shuffledSubarray(['{site}', '{line}', '{station}', '{event}'], { minLength: 4, maxLength: 4 }), fc.array(nameArb, { maxLength: 2 }))
        .map(([p, lits]) => [...lits, ...p].join('/')),
    ),
    protocolVersion: opt(fc.constantFrom(4, 5)),
    keepaliveS: opt(fc.integer({ min: 1, max: 3600 })),
    sessionExpiryS: opt(fc.integer({ min: 1, max: 4_294_967_295 })),
    ca: opt(textArb(0, 20)),
    cert: opt(textArb(0, 20)),
    key: opt(textArb(0, 20)),
    rejectUnauthorized: opt(fc.boolean()),
  })
  .map(clean);

const alertsArb = (lineIds: string[]) =>
  fc
    .record({
      downAfterS: opt(posArb(86_400)),
      behindPlanMin: opt(posArb(1440)),
      slowPct: opt(posArb(1000)),
      slowForS: opt(posArb(86_400)),
      escalateAfterS: opt(fc.tuple(fc.double({ min: 0, max: 604_800, noNaN: true }), fc.integer({ min: 0, max: 604_800 })).map(([a, b]) => [0, Math.min(a, b), Math.max(a, b)])),
      gapQuietS: opt(posArb(86_400)),
      soundLevels: opt(fc.array(fc.constantFrom(1, 2, 3), { maxLength: 3 })),
      lines: opt(
        fc.subarray(lineIds).chain((ids) =>
          fc
            .tuple(...ids.map(() => fc.record({ downAfterS: opt(posArb(86_400)), behindPlanMin: opt(posArb(1440)), slowPct: opt(posArb(1000)), slowForS: opt(posArb(86_400)) }).map(clean)))
            .map((vals) => Object.fromEntries(ids.map((id, i) => [id, vals[i]]))),
        ),
      ),
    })
    .map(clean);

/** A configuration as a file holds it: optional parts left out at random. */
export const configInputArb = fc
  .record({
    site: nameArb,
    timezone: opt(fc.constantFrom('Asia/Shanghai', 'UTC', 'Europe/Berlin', 'America/New_York')),
    broker: opt(brokerArb),
    lines: fc.uniqueArray(lineArb, { minLength: 1, maxLength: 3, selector: (l) => l.id }),
    shifts: fc.uniqueArray(shiftArb, { minLength: 1, maxLength: 3, selector: (s) => s.name }),
    retention: opt(fc.record({ rawDays: opt(fc.integer({ min: 1, max: 3650 })), quarantineRows: opt(fc.integer({ min: 10, max: 1_000_000 })) }).map(clean)),
    storage: opt(
      fc
        .record({ synchronous: opt(fc.constantFrom('NORMAL', 'FULL')), backupEveryH: opt(fc.double({ min: 0, max: 720, noNaN: true })), backupsKept: opt(fc.integer({ min: 0, max: 365 })) })
        .map(clean),
    ),
    inputs: opt(fc.uniqueArray(fc.oneof(sparkplugArb, tagsArb), { maxLength: 2, selector: (x) => x.id })),
    autoExportDir: opt(textArb(0, 20)),
    calendar: opt(
      fc
        .record({
          holidays: opt(fc.uniqueArray(dateArb, { maxLength: 4 })),
          workdays: opt(fc.uniqueArray(fc.record({ date: dateArb, as: weekdayArb }), { maxLength: 3, selector: (w) => w.date })),
        })
        .map(clean),
    ),
    reasons: opt(
      fc.uniqueArray(
        fc.record({ code: textArb(1, 10).filter((c) => c.trim() === c), label: textArb(1, 16), labelZh: opt(textArb(1, 8)), kind: fc.constantFrom('down', 'reject') }).map(clean),
        { maxLength: 4, selector: (r) => `${r.kind}\u0000${r.code}` },
      ),
    ),
    access: opt(
      fc
        .record({
          tokens: opt(
            fc.uniqueArray(fc.record({ name: textArb(1, 12), role: fc.constantFrom(...ROLE_ORDER), sha256: fc.stringMatching(/^[0-9a-f]{64}$/) }), { maxLength: 3, selector: (t) => t.name }),
          ),
        })
        .map(clean),
    ),
    feedPairs: fc.array(fc.tuple(fc.nat(), fc.nat(), posArb(1_000_000)), { maxLength: 2 }),
    alertsSeed: fc.nat(),
  })
  .chain(({ feedPairs, alertsSeed, ...c }) => {
    const ids = c.lines.map((l) => l.id as string);
    const feeds = ids.length < 2 ? [] : feedPairs.map(([a, b, perUnit]) => ({ from: ids[a % ids.length], to: ids[(a + 1 + (b % (ids.length - 1))) % ids.length], perUnit }));
    // Only one input may be the primary host application.
    let host = false;
    const inputs = c.inputs?.map((x) => {
      if (x.kind !== 'sparkplug' || x.primaryHostId === undefined) return x;
      if (!host) return ((host = true), x);
      const { primaryHostId: _dropped, ...rest } = x;
      return rest;
    });
    return alertsArb(ids).map((alerts) => clean({ ...c, inputs, feeds: feeds.length || alertsSeed % 2 ? feeds : undefined, alerts: alertsSeed % 3 ? alerts : undefined }));
  });
