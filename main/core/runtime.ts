// Starts the engine the way a shell needs it: with a plant configuration, or — with nothing
// configured — the embedded demo (in-process broker, simulated lines, a day of history).
import type { Config } from '../../shared/config.ts';
import { demoConfig } from '../../shared/config.ts';
import type { Core } from './core-types.ts';
import { startCore } from './service.ts';
import { openStore } from './store/store.ts';
import { startEmbeddedBroker } from './embedded-broker.ts';
import { createSimulator, inputsFor, runSimulate, startPublishing, type SimFormat } from './simulator/index.ts';
import { logger } from './log.ts';
import { newToken } from './tokens.ts';
import type { Role } from '../../shared/api.ts';
import mqtt from 'mqtt';

const log = logger('runtime');
const DAY_MS = 24 * 3600_000;
const BACKFILL_CHUNK_MS = 3600_000;

export interface Runtime {
  core: Core;
  demo: boolean;
  brokerUrl: string;
  /**
   * The demo's own tokens when its configuration has none, new at every start: without them nobody could
   * try coding a stop or acknowledging an alert in the browser (writes need an operator's token).
   */
  demoTokens: DemoToken[];
  stop(): Promise<void>;
}

export interface DemoToken {
  name: string;
  role: Role;
  token: string;
}

const DEMO_TOKEN_ROLES: readonly Role[] = ['operator', 'supervisor'];

export interface RuntimeOptions {
  /** Absent: the demo runs (unless brokerUrl is given, then the demo lines are watched on that broker). */
  config?: Config;
  /**
   * Run the embedded broker and simulator even though a config is given: an integrator previews
   * their own lines, shifts and timezone before the plant's broker is connected.
   */
  demo?: boolean;
  dbPath: string;
  brokerUrl?: string;
  brokerPassword?: string;
  /** Demo only: how much history to fill in when the database has none (default 24 h). */
  backfillMs?: number;
  /** Who records the configuration as a version (`serve`, `desktop`). */
  recordedBy?: string;
  /** Why the demo runs although a plant configuration exists (it could not be used): every screen says so. */
  demoReason?: string;
  /** Keeps what Settings save (a plant configuration only; the demo's is never written anywhere). */
  persistConfig?: (config: Config) => Promise<void> | void;
  /**
   * Demo only: how the simulated stations publish. native (CONTRACT §1, the default), or as a PLC
   * gateway would: sparkplug (Sparkplug B edge nodes) or tags (EMQX Neuron), read through the input
   * adapters the demo configures for them (issue 12).
   */
  format?: SimFormat;
}

export async function startRuntime(opts: RuntimeOptions): Promise<Runtime> {
  if (opts.demo && opts.brokerUrl) throw new Error('the demo runs its own broker: a broker URL cannot be given with it');
  if (opts.format && opts.format !== 'native' && !opts.demo && (opts.config || opts.brokerUrl)) throw new Error('a simulated format is for the demo only');
  if (!opts.demo && (opts.config || opts.brokerUrl)) {
    const config = opts.config ?? demoConfig();
    const core = await startCore({ config, dbPath: opts.dbPath, brokerUrl: opts.brokerUrl, brokerPassword: opts.brokerPassword, recordedBy: opts.recordedBy, persistConfig: opts.persistConfig });
    return { core, demo: false, brokerUrl: opts.brokerUrl ?? config.broker.url, demoTokens: [], stop: () => core.stop() };
  }
  return startDemo(opts);
}

async function startDemo(opts: RuntimeOptions): Promise<Runtime> {
  const broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0 });
  const base = opts.config ?? demoConfig();
  // aedes here speaks MQTT 3.1.1 on loopback, without TLS or passwords; only the topic layout is kept.
  const plain = demoConfig().broker;
  const format = opts.format ?? 'native';
  const demoTokens = base.access.tokens.length ? [] : DEMO_TOKEN_ROLES.map((role) => ({ name: `demo-${role}`, role, ...newToken() }));
  const config: Config = {
    ...base,
    access: demoTokens.length ? { tokens: demoTokens.map(({ name, role, sha256 }) => ({ name, role, sha256 })) } : base.access,
    broker: { ...plain, topicPattern: base.broker.topicPattern, url: broker.url, protocolVersion: 4 },
    // The gateway formats arrive through the adapters a plant would configure for them.
    inputs: format === 'native' ? base.inputs : [...base.inputs, ...inputsFor(base, format)],
  };
  const now = Date.now();
  // History is filled in only after what the file already holds: a restarted demo has a new
  // simulator boot, so refilling the same hours would count them twice.
  const from = Math.max(now - (opts.backfillMs ?? DAY_MS), (latestEventTs(opts.dbPath, config) ?? 0) + 1);
  const sim = createSimulator(config, { startTs: from, seed: now % 100_000 });
  backfill(opts.dbPath, config, sim, from, now);
  const live = [] as LivePublishing[];
  // A line added in Settings gets simulated stations of its own, so the demo shows it receiving telemetry.
  const simulated = new Set(config.lines.map((l) => l.id));
  const onApplied = (next: Config) => {
    const added = next.lines.filter((l) => !simulated.has(l.id));
    if (added.length === 0) return;
    for (const l of added) simulated.add(l.id);
    const more = createSimulator({ ...next, lines: added }, { startTs: Date.now(), seed: Date.now() % 100_000 });
    live.push(publishNative(broker.url, more, `${live.length}`));
    log.info('demo simulates added lines', { lines: added.map((l) => l.id) });
  };
  const core = await startCore({ config, dbPath: opts.dbPath, recordedBy: 'demo', mode: 'demo', modeReason: opts.demoReason ?? null, onApplied });
  live.push(format === 'native' ? publishNative(broker.url, sim, '') : publishFormat(broker.url, config, format));
  log.info('demo running', { broker: broker.url, format, lines: config.lines.map((l) => l.id) });
  return {
    core,
    demo: true,
    brokerUrl: broker.url,
    demoTokens: demoTokens.map(({ name, role, token }) => ({ name, role, token })),
    async stop() {
      await Promise.all(live.map((l) => l.stop()));
      await core.stop();
      await broker.stop();
    },
  };
}

interface LivePublishing {
  stop(): Promise<void>;
}

/** The native demo goes on from the simulator that filled in the history. */
function publishNative(brokerUrl: string, sim: ReturnType<typeof createSimulator>, clientSuffix: string): LivePublishing {
  const client = mqtt.connect(brokerUrl, { clientId: `taktboard-demo-sim-${process.pid}${clientSuffix ? `-${clientSuffix}` : ''}`, protocolVersion: 4, clean: true });
  const publishing = startPublishing(sim, client, { tickMs: 200 });
  return {
    async stop() {
      publishing.stop();
      // The simulated stations just stop: a graceful end would wait for in-flight QoS 1 acks that a
      // broker shutting down may never send.
      await client.endAsync(true);
    },
  };
}

/**
 * A gateway format is what `taktboard simulate --format` publishes (births, aliases, seq, wills), from
 * now on; the history before it was filled in natively, since the adapters derive the same events.
 */
function publishFormat(brokerUrl: string, config: Config, format: SimFormat): LivePublishing {
  const abort = new AbortController();
  const running = runSimulate({ brokerUrl, config, format, signal: abort.signal, password: null }).catch((err: Error) => {
    log.error('demo simulator stopped', { format, error: err.message });
  });
  return {
    async stop() {
      abort.abort();
      await running;
    },
  };
}

function latestEventTs(dbPath: string, config: Config): number | null {
  const store = openStore(dbPath, config);
  try {
    let latest: number | null = null;
    for (const line of config.lines) {
      for (const st of store.reads.lastEventPerStation(line.id)) {
        if (st.lastTs !== null && (latest === null || st.lastTs > latest)) latest = st.lastTs;
      }
    }
    return latest;
  } finally {
    store.close();
  }
}

/**
 * The demo's history is written straight to the store (the same commit path as ingest, in large
 * transactions), so a day of a 1 s line is there in seconds, not the hours MQTT would take.
 * Events already in the file are kept: the identity makes this idempotent.
 */
function backfill(dbPath: string, config: Config, sim: ReturnType<typeof createSimulator>, from: number, until: number): void {
  const store = openStore(dbPath, config);
  const t0 = performance.now();
  let stored = 0;
  try {
    for (let to = from; to < until; ) {
      to = Math.min(until, to + BACKFILL_CHUNK_MS);
      stored += store.writer.commitEvents(sim.advanceTo(to).map((m) => m.event), null).stored;
    }
    log.info('demo history filled in', { events: stored, ms: Math.round(performance.now() - t0) });
  } finally {
    store.close();
  }
}
