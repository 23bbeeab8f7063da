// The ingest seam Taktboard owns (mqtt-session.ts + group-commit.ts), through a real broker: bursts are
// committed together, no PUBACK leaves before the commit that holds its message, PUBACKs keep arrival
// order, nothing is acknowledged across a reconnect, a message that can never be committed is isolated.
// PUBACKs are observed where they arrive: aedes's 'ack' event, on the broker side.
import { afterEach, describe, expect, it, vi } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import type { Client } from 'aedes';
import { createGroupCommit, type GroupCommit } from '../../main/core/ingest/group-commit.ts';
import { SubscriberSession, type Inbound } from '../../main/core/ingest/mqtt-session.ts';
import type { Message } from '../../main/core/ingest/pipeline.ts';
import { startAedes, type AedesHandle } from '../helpers/brokers.ts';

const TOPIC = 'gc/test';
const RECEIVER = 'gc-receiver';
let broker: AedesHandle | undefined;
const clients: MqttClient[] = [];
const sessions: SubscriberSession[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) await c.endAsync(true);
  for (const s of sessions.splice(0)) await s.end();
  await broker?.stop();
  broker = undefined;
});

const storageFull = () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
const isStorage = (err: unknown) => typeof (err as { code?: unknown })?.code === 'string';

interface Harness {
  gc: GroupCommit;
  session: () => SubscriberSession;
  /** Connects a new session (after the last one closed). */
  reconnect(): Promise<void>;
  committed: number[][];
  /** Each PUBACK the broker received: the message's payload, with the number of commits done by then. */
  acks: Array<{ value: number; afterCommits: number }>;
  poisoned: number[];
  failed: ReturnType<typeof vi.fn>;
  recovered: ReturnType<typeof vi.fn>;
  received: Inbound[];
}

async function harness(commit: (batch: readonly Message[]) => void = () => {}, maxBatch = 1000, maxCommit = 1000): Promise<Harness> {
  broker ??= await startAedes();
  const committed: number[][] = [];
  const acks: Harness['acks'] = [];
  const poisoned: number[] = [];
  const received: Inbound[] = [];
  const failed = vi.fn();
  const recovered = vi.fn();
  const value = (m: { payload: Uint8Array }) => Number(Buffer.from(m.payload).toString());
  const gc = createGroupCommit({
    maxBatch,
    maxCommit,
    retryMinMs: 20,
    retryMaxMs: 80,
    commit(batch) {
      commit(batch);
      committed.push(batch.map(value));
    },
    isStorageFailure: isStorage,
    quarantinePoison: (m) => void poisoned.push(value(m)),
    failed,
    recovered,
  });
  broker.broker.on('ack', (packet, client: Client) => {
    const payload = (packet as { payload?: Buffer | string } | null)?.payload;
    if (client?.id === RECEIVER && payload !== undefined) acks.push({ value: Number(payload.toString()), afterCommits: committed.length });
  });
  let current: SubscriberSession;
  const connect = () =>
    new Promise<void>((resolve, reject) => {
      const s: SubscriberSession = new SubscriberSession(
        {
          url: broker!.url,
          clientId: RECEIVER,
          protocolVersion: 4,
          keepaliveS: 10,
          sessionExpiryS: 3600,
          tls: { rejectUnauthorized: true },
          connectTimeoutMs: 5000,
          receiveMaximum: 1000,
          maximumPacketBytes: 20 * 1024,
        },
        {
          connected: () => s.subscribe(TOPIC, (err) => (err ? reject(err) : resolve())),
          received: (batch) => {
            received.push(...batch);
            gc.receive(s, batch);
          },
          disconnected: () => {},
          closed: (err) => reject(err ?? new Error('closed')),
        },
      );
      current = s;
      sessions.push(s);
      s.open();
    });
  await connect();
  return { gc, session: () => current, reconnect: connect, committed, acks, poisoned, failed, recovered, received };
}

async function publish(values: Iterable<number>, qos: 0 | 1 = 1): Promise<void> {
  const pub = await mqtt.connectAsync(broker!.url, { clientId: `gc-pub-${Math.random()}`, protocolVersion: 4 });
  clients.push(pub);
  await Promise.all([...values].map((v) => pub.publishAsync(TOPIC, String(v), { qos })));
}

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

/** Which commit (1-based) held the message with this value. */
function commitOf(h: Harness, value: number): number {
  return h.committed.findIndex((b) => b.includes(value)) + 1;
}

describe('group commit on the owned session', () => {
  it('commits a burst in one transaction and sends each PUBACK only after its commit, in arrival order', async () => {
    const h = await harness();
    await publish(range(500));
    await vi.waitFor(() => expect(h.acks).toHaveLength(500), { timeout: 10_000 });
    const all = h.committed.flat();
    expect([...all].sort((a, b) => a - b)).toEqual(range(500));
    expect(h.committed.length).toBeLessThan(500);
    expect(Math.max(...h.committed.map((b) => b.length))).toBeGreaterThan(1);
    for (const ack of h.acks) {
      // A PUBACK that reached the broker after k commits may only be for a message in one of those k commits.
      expect(commitOf(h, ack.value)).toBeGreaterThan(0);
      expect(commitOf(h, ack.value)).toBeLessThanOrEqual(ack.afterCommits);
    }
    // PUBACKs in the order the PUBLISHes arrived (MQTT 3.1.1 §4.6).
    expect(h.acks.map((a) => a.value)).toEqual(all);
  });

  it('acknowledges nothing while storage fails, holds reading, and acknowledges all once a commit works', async () => {
    let failures = 3;
    const h = await harness(() => {
      if (failures > 0) {
        failures--;
        throw storageFull();
      }
    });
    await publish(range(50));
    await vi.waitFor(() => expect(h.acks).toHaveLength(50), { timeout: 10_000 });
    expect(h.failed).toHaveBeenCalledTimes(3);
    // Backoff doubles up to the maximum.
    expect(h.failed.mock.calls.map((c) => c[1])).toEqual([20, 40, 80]);
    expect(h.recovered).toHaveBeenCalledTimes(1);
    expect(h.committed.flat().sort((a, b) => a - b)).toEqual(range(50));
    // Nothing was acknowledged before the first commit that worked, and nothing was quarantined.
    expect(h.acks.every((a) => a.afterCommits >= 1)).toBe(true);
    expect(h.poisoned).toEqual([]);
  });

  it('never acknowledges on a new connection what arrived on a closed one', async () => {
    let hold = true;
    const h = await harness(() => {
      if (hold) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    });
    await publish([7]);
    await vi.waitFor(() => expect(h.failed).toHaveBeenCalled());
    // The link drops while the message waits for storage; the session (clean: false) keeps it at the broker.
    h.session().destroy(Object.assign(new Error('link lost'), { code: 'ECONNRESET' }));
    await vi.waitFor(() => expect(h.session().connected).toBe(false));
    hold = false;
    await vi.waitFor(() => expect(h.committed.flat()).toContain(7));
    await new Promise((r) => setTimeout(r, 100));
    expect(h.acks).toHaveLength(0);
    // Reconnected, the broker sends it again; now it is committed (again: the store drops the duplicate) and acknowledged.
    await h.reconnect();
    await vi.waitFor(() => expect(h.acks).toHaveLength(1), { timeout: 10_000 });
    expect(h.committed.flat()).toEqual([7, 7]);
  });

  it('isolates a message whose commit always fails: the rest of its burst is stored and everything is acknowledged', async () => {
    const h = await harness((batch) => {
      if (batch.some((m) => Buffer.from(m.payload).toString() === '137')) throw new Error('CHECK constraint failed (injected)');
    });
    await publish(range(300));
    await vi.waitFor(() => expect(h.acks).toHaveLength(300), { timeout: 10_000 });
    expect(h.poisoned).toEqual([137]);
    expect(h.committed.flat().sort((a, b) => a - b)).toEqual(range(300).filter((v) => v !== 137));
    // Isolation is not a storage failure: no banner, no backoff.
    expect(h.failed).not.toHaveBeenCalled();
    expect(h.acks.map((a) => a.value)).toEqual(h.received.map((m) => Number(m.payload.toString())));
    // And ingest goes on.
    await publish([1000]);
    await vi.waitFor(() => expect(h.acks.at(-1)?.value).toBe(1000));
  });

  it('stores QoS 0 messages in the same bursts and never waits for anything to send them', async () => {
    const h = await harness();
    await publish(range(200), 0);
    await vi.waitFor(() => expect(h.committed.flat()).toHaveLength(200), { timeout: 10_000 });
    expect(h.committed.length).toBeLessThan(200);
    expect(h.acks).toHaveLength(0);
  });

  it('reads on after each commit when bursts reach a small maxBatch: all 200 committed and acknowledged', async () => {
    const h = await harness(() => {}, 10);
    await publish(range(200));
    await vi.waitFor(() => expect(h.acks).toHaveLength(200), { timeout: 10_000 });
    // Reading is held at 10 pending, but one socket read may already hold more than that.
    expect(h.committed.flat()).toHaveLength(200);
  });

  it('commits a burst larger than maxCommit in parts, in arrival order, each acknowledged after its own commit', async () => {
    const h = await harness(() => {}, 1000, 50);
    await publish(range(600));
    await vi.waitFor(() => expect(h.acks).toHaveLength(600), { timeout: 10_000 });
    expect(Math.max(...h.committed.map((b) => b.length))).toBe(50);
    expect(h.committed.flat()).toEqual(range(600));
    expect(h.acks.map((a) => a.value)).toEqual(range(600));
    for (const ack of h.acks) expect(commitOf(h, ack.value)).toBeLessThanOrEqual(ack.afterCommits);
  });

  it('keeps only the head of a publish larger than the packet limit', async () => {
    const h = await harness();
    const pub = await mqtt.connectAsync(broker!.url, { clientId: 'gc-big', protocolVersion: 4 });
    clients.push(pub);
    const big = Buffer.alloc(3 * 1024 * 1024, 0x41);
    await pub.publishAsync(TOPIC, big, { qos: 1 });
    await publish([5]);
    await vi.waitFor(() => expect(h.received).toHaveLength(2), { timeout: 10_000 });
    const [first, second] = h.received;
    expect(first.size).toBe(big.length);
    expect(first.payload.length).toBe(1024);
    expect(first.topic).toBe(TOPIC);
    expect(second.payload.toString()).toBe('5');
    // Both acknowledged: the big one is bad input (quarantined by the pipeline), not a reason to stop.
    await vi.waitFor(() => expect(h.acks).toHaveLength(2));
  });
});
