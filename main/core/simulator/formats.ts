// The simulator's stations in the formats plants already publish (issue 12), from the same events:
// - native: CONTRACT §1 JSON, one message per event (simulator.ts);
// - sparkplug: Sparkplug B 3.0, one edge node per line (group = site, edge node = line id) and one device per
//   station, with a part counter, a reject counter, a state code and reason, and a cycle time: NBIRTH/DBIRTH
//   with aliases, then DDATA by alias, the 0–255 seq per edge node, NDEATH as the will, rebirth on NCMD;
// - tags: EMQX Neuron's upload JSON on neuron/{line}: node = line id, group = station id, the same values
//   as tags, a heartbeat tag +1 per message, and now and then a tag error.
// inputsFor() gives the `inputs` configuration that maps exactly this output back to the lines and stations.
import type { Config, InputConfig } from '../../../shared/config.ts';
import type { StationState, TelemetryEvent } from '../../../shared/telemetry.ts';
import { encodeSparkplug, type EncodableMetric } from '../ingest/inputs/codec.ts';
import type { SimMessage } from './simulator.ts';

export const SIM_FORMATS = ['native', 'sparkplug', 'tags'] as const;
export type SimFormat = (typeof SIM_FORMATS)[number];

/** One message on the wire: which edge node's connection sends it (sparkplug), and how. */
export interface WireMessage {
  topic: string;
  payload: string | Buffer;
  qos: 0 | 1;
  retain: boolean;
  /** Index of the line (edge node) whose connection publishes it; 0 for the single connection of the other formats. */
  client: number;
}

/** The state codes the simulated controllers publish (a PackML-like numbering). */
export const STATE_CODES: Record<StationState, number> = { running: 1, idle: 2, starved: 3, blocked: 4, down: 5, changeover: 6, planned_stop: 7 };
const METRICS = { parts: 'Production/PartCount', rejects: 'Production/RejectCount', state: 'Status/State', reason: 'Status/Reason', cycle: 'Production/CycleTimeMs' } as const;
const TAGS = { parts: 'part_count', rejects: 'reject_count', state: 'state', reason: 'reason', cycle: 'cycle_ms', heartbeat: 'heartbeat' } as const;
const ALIAS = { parts: 1, rejects: 2, state: 3, reason: 4, cycle: 5 } as const;
const REBIRTH = 'Node Control/Rebirth';

interface StationCounters {
  parts: number;
  rejects: number;
  state: StationState;
  reason: string;
  cycleMs: number;
  heartbeat: number;
}

export interface FormatEncoder {
  readonly format: SimFormat;
  /** How many connections publish (one per edge node for Sparkplug). */
  readonly clients: number;
  /** The will of connection i (Sparkplug: NDEATH with the bdSeq of its births). */
  will(client: number): { topic: string; payload: Buffer; qos: 0 | 1; retain: boolean } | null;
  /** Sparkplug: the NCMD topic connection i listens to for rebirth requests. */
  commandTopic(client: number): string | null;
  /** What every connection publishes first (births), at ts. */
  start(ts: number): WireMessage[];
  /** A rebirth request for connection i: its NBIRTH and DBIRTHs again. */
  rebirth(client: number, ts: number): WireMessage[];
  encode(batch: readonly SimMessage[]): WireMessage[];
}

const key = (line: string, station: string) => `${line}\u0000${station}`;

export function createFormat(config: Config, format: SimFormat, opts: { qos?: 0 | 1; bdSeq?: number } = {}): FormatEncoder {
  const qos = opts.qos ?? 1;
  const lines = config.lines;
  const lineIndex = new Map(lines.map((l, i) => [l.id, i]));
  const counters = new Map<string, StationCounters>();
  for (const l of lines) for (const s of l.stations) counters.set(key(l.id, s), { parts: 0, rejects: 0, state: 'running', reason: '', cycleMs: 0, heartbeat: 0 });
  const group = config.site;
  const bdSeq = (opts.bdSeq ?? 0) & 0xff;
  const nodeSeq = lines.map(() => 0);
  const nextSeq = (i: number) => {
    const s = nodeSeq[i];
    nodeSeq[i] = (s + 1) % 256;
    return s;
  };

  /** Applies one event to its station's counters. */
  const apply = (e: TelemetryEvent): StationCounters => {
    const c = counters.get(key(e.line, e.station))!;
    if (e.kind === 'cycle') {
      c.parts++;
      if (e.ok === false) c.rejects++;
      if (e.cycleMs !== undefined) c.cycleMs = e.cycleMs;
    } else {
      c.state = e.state!;
      c.reason = e.reason ?? '';
    }
    return c;
  };

  /** native and tags: one connection, no will, no births, nothing to listen to. */
  const oneConnection: Omit<FormatEncoder, 'encode'> = { format, clients: 1, will: () => null, commandTopic: () => null, start: () => [], rebirth: () => [] };

  if (format === 'native') {
    return { ...oneConnection, encode: (batch) => batch.map((m) => ({ topic: m.topic, payload: m.payload, qos, retain: false, client: 0 })) };
  }

  if (format === 'tags') {
    return {
      ...oneConnection,
      encode(batch) {
        const out: WireMessage[] = [];
        forEachSample(batch, (events) => {
          const e = events[0];
          let c!: StationCounters;
          for (const x of events) c = apply(x);
          c.heartbeat++;
          const values = { [TAGS.parts]: c.parts, [TAGS.rejects]: c.rejects, [TAGS.state]: STATE_CODES[c.state], [TAGS.reason]: c.reason, [TAGS.cycle]: c.cycleMs, [TAGS.heartbeat]: c.heartbeat };
          // Now and then a tag cannot be read (Neuron: error code per tag).
          const errors = c.heartbeat % 250 === 0 ? { temperature: 2014 } : undefined;
          const payload = JSON.stringify({ timestamp: e.ts, node: e.line, group: e.station, values, ...(errors ? { errors } : {}) });
          out.push({ topic: `neuron/${e.line}`, payload, qos, retain: false, client: 0 });
        });
        return out;
      },
    };
  }

  // ---- Sparkplug B ----
  const nodeTopic = (type: string, i: number) => `spBv1.0/${group}/${type}/${lines[i].id}`;
  const deviceTopic = (type: string, i: number, station: string) => `spBv1.0/${group}/${type}/${lines[i].id}/${station}`;
  const deviceMetrics = (c: StationCounters, ts: number, withNames: boolean): EncodableMetric[] => {
    const m = (k: keyof typeof ALIAS, type: string, value: unknown): EncodableMetric => (withNames ? { name: METRICS[k], alias: ALIAS[k], type, value, timestamp: ts } : { alias: ALIAS[k], type, value, timestamp: ts });
    return [m('parts', 'UInt64', c.parts), m('rejects', 'UInt64', c.rejects), m('state', 'Int32', STATE_CODES[c.state]), m('reason', 'String', c.reason), m('cycle', 'Double', c.cycleMs)];
  };
  const births = (i: number, ts: number): WireMessage[] => {
    nodeSeq[i] = 0;
    const out: WireMessage[] = [];
    const nbirth = encodeSparkplug({ timestamp: ts, seq: nextSeq(i), metrics: [{ name: 'bdSeq', type: 'Int64', value: bdSeq }, { name: REBIRTH, type: 'Boolean', value: false }] });
    out.push({ topic: nodeTopic('NBIRTH', i), payload: Buffer.from(nbirth), qos, retain: false, client: i });
    for (const s of lines[i].stations) {
      const c = counters.get(key(lines[i].id, s))!;
      const p = encodeSparkplug({ timestamp: ts, seq: nextSeq(i), metrics: deviceMetrics(c, ts, true) });
      out.push({ topic: deviceTopic('DBIRTH', i, s), payload: Buffer.from(p), qos, retain: false, client: i });
    }
    return out;
  };
  return {
    format,
    clients: lines.length,
    will: (i) => ({ topic: nodeTopic('NDEATH', i), payload: Buffer.from(encodeSparkplug({ metrics: [{ name: 'bdSeq', type: 'Int64', value: bdSeq }] })), qos: 1, retain: false }),
    commandTopic: (i) => nodeTopic('NCMD', i),
    start: (ts) => lines.flatMap((_, i) => births(i, ts)),
    rebirth: (i, ts) => births(i, ts),
    encode(batch) {
      const out: WireMessage[] = [];
      forEachSample(batch, (events) => {
        const e = events[0];
        const i = lineIndex.get(e.line)!;
        let c!: StationCounters;
        for (const x of events) c = apply(x);
        const payload = encodeSparkplug({ timestamp: e.ts, seq: nextSeq(i), metrics: deviceMetrics(c, e.ts, false) });
        out.push({ topic: deviceTopic('DDATA', i, e.station), payload: Buffer.from(payload), qos, retain: false, client: i });
      });
      return out;
    },
  };
}

/** Consecutive events of one station at one ts are one sample (a cycle and a state change at the same instant). */
function forEachSample(batch: readonly SimMessage[], fn: (events: TelemetryEvent[]) => void): void {
  let run: TelemetryEvent[] = [];
  for (const m of batch) {
    const e = m.event;
    const head = run[0];
    if (head && (head.ts !== e.ts || head.station !== e.station || head.line !== e.line)) {
      fn(run);
      run = [];
    }
    run.push(e);
  }
  if (run.length) fn(run);
}

/** The `inputs` configuration that maps a format's output back to the configured lines and stations. */
export function inputsFor(config: Config, format: SimFormat): InputConfig[] {
  const stateValues = Object.fromEntries(Object.entries(STATE_CODES).map(([s, code]) => [String(code), s])) as Record<string, StationState>;
  if (format === 'sparkplug') {
    return [
      {
        id: 'sim-sparkplug',
        kind: 'sparkplug',
        groups: [config.site],
        rebirthEveryS: 5,
        maxPayloadBytes: 256 * 1024,
        sources: config.lines.flatMap((l) =>
          l.stations.map((s) => ({
            group: config.site,
            node: l.id,
            device: s,
            line: l.id,
            station: s,
            signals: {
              partCounter: METRICS.parts,
              partCounterCounts: 'all' as const,
              rejectCounter: METRICS.rejects,
              onReset: 'from-zero' as const,
              maxUnitsPerSample: 10_000,
              state: METRICS.state,
              stateValues,
              reason: METRICS.reason,
              cycleTime: METRICS.cycle,
              cycleTimeUnit: 'ms' as const,
            },
          })),
        ),
      },
    ];
  }
  if (format === 'tags') {
    return [
      {
        id: 'sim-neuron',
        kind: 'tags',
        topic: 'neuron/{node}',
        format: 'neuron',
        timestampField: 'timestamp',
        timestampUnit: 'ms',
        seqTag: TAGS.heartbeat,
        maxPayloadBytes: 64 * 1024,
        sources: config.lines.flatMap((l) =>
          l.stations.map((s) => ({
            node: l.id,
            group: s,
            line: l.id,
            station: s,
            signals: {
              partCounter: TAGS.parts,
              partCounterCounts: 'all' as const,
              rejectCounter: TAGS.rejects,
              onReset: 'from-zero' as const,
              maxUnitsPerSample: 10_000,
              state: TAGS.state,
              stateValues,
              reason: TAGS.reason,
              cycleTime: TAGS.cycle,
              cycleTimeUnit: 'ms' as const,
            },
          })),
        ),
      },
    ];
  }
  return [];
}
