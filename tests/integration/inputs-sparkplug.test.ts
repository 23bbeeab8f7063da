// Sparkplug B and Neuron tag streams through real brokers into a real SQLite file (issue 12): the events
// derived from the simulator's Sparkplug edge nodes are the simulator's own events (same ts, result, cycle
// time, states); births missed are asked for again (NCMD rebirth through the broker); the primary host's
// STATE is retained on the broker; tag streams through mosquitto, tag errors counted.
import path from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { configOrThrow, type Config } from '../../shared/config.ts';
import { createPipeline } from '../../main/core/ingest/pipeline.ts';
import { startIngest, type IngestTiming } from '../../main/core/ingest/mqtt-ingest.ts';
import { Store } from '../../main/core/store/store.ts';
import { createFormat, createSimulator, inputsFor, runSimulate } from '../../main/core/simulator/index.ts';
import { requireBinary, startAedes, startMosquitto } from '../helpers/brokers.ts';
import { useTempDirs } from '../helpers/tmp.ts';
import { waitFor } from '../helpers/wait.ts';

const tempDir = useTempDirs();
const FAST: Partial<IngestTiming> = { reconnectMinMs: 50, reconnectMaxMs: 400, retryMinMs: 50, retryMaxMs: 200, connectTimeoutMs: 3000 };

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.reverse()) await fn();
  cleanups = [];
});

let ids = 0;
function plant(format: 'sparkplug' | 'tags', extra: Record<string, unknown> = {}): Config {
  const base = {
    site: 'sim',
    timezone: 'UTC',
    broker: { clientId: `inputs-it-${process.pid}-${++ids}`, protocolVersion: 4, keepaliveS: 5 },
    lines: [
      { id: 'cell-1', name: 'Cells', targetTaktS: 1, outputStation: 'grade', stations: ['coat', 'wind', 'grade'] },
      { id: 'veh-1', name: 'Vehicles', targetTaktS: 60, outputStation: 'eol', stations: ['body', 'eol'] },
    ],
    shifts: [{ name: 'All', start: '00:00', end: '00:00' }],
  };
  const inputs = inputsFor(configOrThrow(base), format).map((i) => ({ ...i, ...extra }));
  return configOrThrow({ ...base, inputs });
}

function app(url: string, config: Config) {
  const store = Store.open(path.join(tempDir('inputs-it'), 'db.sqlite'), { synchronous: 'NORMAL', quarantineRows: 1000 });
  const pipeline = createPipeline({ config, store });
  const ingest = startIngest({ config, brokerUrl: url, pipeline, onConnection: () => undefined, onAlert: () => undefined, timing: FAST });
  cleanups.push(async () => {
    await ingest.stop();
    store.close();
  });
  return { store, pipeline, ingest };
}

type Row = { line: string; station: string; kind: string; ts: number; ok: number | null; cycle_ms: number | null; state: string | null; reason: string | null };
const what = (r: Pick<Row, 'line' | 'station' | 'kind' | 'ts' | 'ok' | 'cycle_ms' | 'state' | 'reason'>) => `${r.line}/${r.station} ${r.kind} ${r.ts} ${r.ok ?? ''} ${r.cycle_ms ?? ''} ${r.state ?? ''} ${r.reason ?? ''}`;

describe('Sparkplug B through aedes', () => {
  it("the derived events are the simulator's own: every unit at its ts with its result and cycle time, every state", async () => {
    const broker = await startAedes();
    cleanups.push(() => broker.stop());
    const config = plant('sparkplug', { primaryHostId: 'taktboard-it' });
    const a = app(broker.url, config);
    await waitFor('connected', () => a.ingest.state().status === 'connected', 5000);
    await new Promise((r) => setTimeout(r, 200));

    // Twenty minutes of the plant, as Sparkplug edge nodes (one connection per line), QoS 1.
    const startTs = Date.now() - 20 * 60_000;
    const sim = createSimulator(config, { seed: 11, startTs });
    const native = createSimulator(config, { seed: 11, startTs });
    const fmt = createFormat(config, 'sparkplug', { qos: 1, bdSeq: 7 });
    const clients = await Promise.all(config.lines.map((_, i) => mqtt.connectAsync(broker.url, { clientId: `edge-${i}-${process.pid}`, protocolVersion: 4, will: fmt.will(i)! })));
    cleanups.push(async () => {
      for (const c of clients) await c.endAsync(true);
    });
    const until = Date.now() - 1000;
    const wire = [...fmt.start(startTs - 1), ...fmt.encode(sim.advanceTo(until))];
    for (const m of wire) await clients[m.client].publishAsync(m.topic, m.payload as Buffer, { qos: 1 });
    const expected = native.advanceTo(until).map((m) => m.event);

    // A Sparkplug source says its state, not every repetition of it: the simulator's state events collapse to
    // the changes (a repeated state, or a reason given with running, says nothing new); the birth's state
    // comes a millisecond before the first events.
    const last = new Map<string, string>(config.lines.flatMap((l) => l.stations.map((st) => [`${l.id}/${st}`, 'running null'] as [string, string])));
    const want: string[] = [];
    for (const e of expected) {
      const row = { line: e.line, station: e.station, kind: e.kind, ts: e.ts, ok: e.kind === 'cycle' ? (e.ok === false ? 0 : 1) : null, cycle_ms: e.cycleMs ?? null, state: e.state ?? null, reason: e.kind === 'cycle' || e.state === 'running' ? null : (e.reason ?? null) };
      if (e.kind === 'state') {
        const k = `${e.line}/${e.station}`;
        const v = `${row.state} ${row.reason}`;
        if (last.get(k) === v) continue;
        last.set(k, v);
      }
      want.push(what(row));
    }
    // The births' five states (a millisecond before) besides.
    await waitFor('every event stored', () => a.pipeline.counters().stored >= want.length + 5, 20_000);
    const rows = (a.store.db.prepare('SELECT line, station, kind, ts, ok, cycle_ms, state, reason FROM events').all() as Row[]).filter((r) => r.ts >= startTs);
    expect(rows.map(what).sort()).toEqual(want.sort());
    const c = a.pipeline.counters();
    expect(c).toMatchObject({ duplicates: 0, gapsMissing: 0 });
    const status = a.pipeline.inputs.status().inputs[0];
    expect(status.counts).toMatchObject({ quarantined: 0, seqGaps: 0, births: 2 + 5, rebirthRequests: 0 });
    expect(status.nodes.map((n) => [n.node, n.online, n.bdSeq])).toEqual([
      ['cell-1', true, 7],
      ['veh-1', true, 7],
    ]);
    expect(status.primaryHost).toMatchObject({ hostId: 'taktboard-it', online: true });

    // The primary host's STATE is retained on the broker.
    const probe = await mqtt.connectAsync(broker.url, { clientId: `probe-${process.pid}`, protocolVersion: 4 });
    cleanups.push(() => probe.endAsync(true));
    const state = new Promise<string>((resolve) => probe.on('message', (t, p) => t === 'spBv1.0/STATE/taktboard-it' && resolve(p.toString())));
    await probe.subscribeAsync('spBv1.0/STATE/taktboard-it', { qos: 1 });
    expect(JSON.parse(await state)).toMatchObject({ online: true });

    // An edge node that drops off the network: its will (NDEATH with the bdSeq of its birth) marks it offline.
    clients[1].stream.destroy();
    await waitFor('veh-1 dead', () => a.pipeline.inputs.status().inputs[0].nodes.find((n) => n.node === 'veh-1')?.online === false, 10_000);
  }, 60_000);

  it('births it missed are asked for again: NCMD rebirth through the broker, answered by the edge node, then data flows', async () => {
    const broker = await startAedes();
    cleanups.push(() => broker.stop());
    const config = plant('sparkplug');
    const stop = new AbortController();
    // The simulator's edge nodes are born before Taktboard subscribes: their aliases are unknown to it.
    const simulating = runSimulate({ brokerUrl: broker.url, config, format: 'sparkplug', seed: 5, signal: stop.signal, tickMs: 100 });
    cleanups.push(async () => {
      stop.abort();
      await simulating;
    });
    await new Promise((r) => setTimeout(r, 1500));
    const a = app(broker.url, config);
    // The cell line publishes every second (the vehicle line once a minute: it is asked when it speaks).
    await waitFor('cell-1 born again', () => a.pipeline.inputs.status().inputs[0].nodes.some((n) => n.node === 'cell-1' && n.online && n.birthAt !== null), 20_000);
    const status = a.pipeline.inputs.status().inputs[0];
    expect(status.counts.rebirthRequests).toBeGreaterThanOrEqual(1);
    expect(status.counts.unknownAliases).toBeGreaterThanOrEqual(1);
    expect(a.store.reads.quarantineItems(1)[0].reason).toMatch(/alias no birth defined .*rebirth requested/);
    const stored = a.pipeline.counters().stored;
    await waitFor('data after the rebirth', () => a.pipeline.counters().stored > stored + 5, 15_000);
    expect(a.pipeline.inputs.status().inputs[0].sources.filter((s) => s.line === 'cell-1' && s.online && s.units > 0).length).toBe(3);
  }, 60_000);
});

describe.skipIf(!requireBinary('mosquitto'))('tag JSON through mosquitto', () => {
  it('the Neuron stream of the simulator is stored; tag errors are counted and shown; no gap, no duplicate', async () => {
    // The backfill goes out as fast as mosquitto acknowledges it; with its default queue (1 000) a loaded
    // machine's subscriber falls that far behind and mosquitto drops the rest (RELIABILITY row 9).
    const broker = await startMosquitto({ extraConf: 'max_queued_messages 0' });
    cleanups.push(() => broker.stop());
    const config = plant('tags');
    const a = app(broker.url, config);
    await waitFor('connected', () => a.ingest.state().status === 'connected', 5000);
    await new Promise((r) => setTimeout(r, 300));
    const summary = await runSimulate({ brokerUrl: broker.url, config, format: 'tags', seed: 3, backfillMs: 10 * 60_000, durationMs: 500 });
    expect(summary.failed).toBe(0);
    const published = summary.backfilled + summary.live;
    await waitFor('every tag message handled', () => a.pipeline.inputs.status().inputs[0].counts.messages >= published, 40_000);
    const status = a.pipeline.inputs.status().inputs[0];
    expect(status.counts).toMatchObject({ quarantined: 0, seqGaps: 0, duplicates: 0 });
    expect(status.counts.tagErrors).toBeGreaterThan(0);
    expect(status.sources.flatMap((s) => s.tagErrors.map((e) => e.tag))).toContain('temperature');
    expect(a.pipeline.counters()).toMatchObject({ duplicates: 0, gapsMissing: 0 });
    // Every station's units are its counter's increase since its first sample.
    for (const s of status.sources) {
      const n = a.store.db.prepare("SELECT COUNT(*) FROM events WHERE line = ? AND station = ? AND kind = 'cycle'").pluck().get(s.line, s.station) as number;
      expect(n).toBe(s.units);
      expect(n).toBeGreaterThan(0);
    }
  }, 60_000);
});
