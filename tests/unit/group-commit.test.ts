// Group commit on the installed mqtt.js, through a real broker: bursts are committed together, and no
// PUBACK leaves before the commit that holds its message. These tests also pin the mqtt.js internals the
// group commit relies on (the PUBACK sent from handleMessage's callback through `_sendPacket`): an
// upgrade that changes them fails here, not silently in a plant.
import { afterEach, describe, expect, it, vi } from 'vitest';
import mqtt, { type MqttClient, type Packet } from 'mqtt';
import { installGroupCommit, internalSend, type GroupCommit, type Received } from '../../main/core/ingest/group-commit.ts';
import { startAedes, type AedesHandle } from '../helpers/brokers.ts';

const TOPIC = 'gc/test';
let broker: AedesHandle | undefined;
const clients: MqttClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) await c.endAsync(true);
  await broker?.stop();
  broker = undefined;
});

interface Harness {
  receiver: MqttClient;
  gc: GroupCommit;
  committed: number[][];
  /** Each PUBACK's message id with the number of commits done when it was written. */
  acks: Array<{ id: number; afterCommits: number }>;
  idsOf: Map<string, number>;
}

async function harness(commit: (batch: readonly Received[]) => void = () => {}): Promise<Harness & { failed: ReturnType<typeof vi.fn>; recovered: ReturnType<typeof vi.fn> }> {
  broker ??= await startAedes();
  const receiver = mqtt.connect(broker.url, { clientId: 'gc-receiver', clean: false, protocolVersion: 4, manualConnect: true });
  clients.push(receiver);
  const committed: number[][] = [];
  const acks: Harness['acks'] = [];
  const idsOf = new Map<string, number>();
  const failed = vi.fn();
  const recovered = vi.fn();
  const gc = installGroupCommit(receiver, {
    maxBatch: 1000,
    retryMinMs: 20,
    retryMaxMs: 80,
    commit(batch) {
      commit(batch);
      committed.push(batch.map((m) => Number(m.payload.toString())));
    },
    failed,
    recovered,
  });
  receiver.on('message', (_t, payload, packet) => idsOf.set(payload.toString(), packet.messageId!));
  receiver.on('packetsend', (p: Packet) => {
    if (p.cmd === 'puback') acks.push({ id: p.messageId!, afterCommits: committed.length });
  });
  receiver.connect();
  await new Promise<void>((resolve) => receiver.once('connect', () => resolve()));
  await receiver.subscribeAsync(TOPIC, { qos: 1 });
  return { receiver, gc, committed, acks, idsOf, failed, recovered };
}

async function publish(n: number, from = 0): Promise<void> {
  const pub = await mqtt.connectAsync(broker!.url, { clientId: `gc-pub-${from}`, protocolVersion: 4 });
  clients.push(pub);
  await Promise.all(Array.from({ length: n }, (_, i) => pub.publishAsync(TOPIC, String(from + i), { qos: 1 })));
}

/** Which commit (1-based) held the message with this payload. */
function commitOf(h: Harness, value: number): number {
  return h.committed.findIndex((b) => b.includes(value)) + 1;
}

describe('group commit', () => {
  it('finds the mqtt.js send path it holds PUBACKs back on', async () => {
    const h = await harness();
    expect(internalSend(h.receiver)).toBeTypeOf('function');
  });

  it('commits a burst in one transaction and sends each PUBACK only after its commit, in order', async () => {
    const h = await harness();
    await publish(500);
    await vi.waitFor(() => expect(h.acks).toHaveLength(500), { timeout: 10_000 });
    const all = h.committed.flat();
    expect([...all].sort((a, b) => a - b)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(h.committed.length).toBeLessThan(500);
    expect(Math.max(...h.committed.map((b) => b.length))).toBeGreaterThan(1);
    expect(h.acks).toHaveLength(500);
    const byId = new Map([...h.idsOf].map(([payload, id]) => [id, Number(payload)]));
    for (const ack of h.acks) {
      // A PUBACK written after k commits may only be for a message in one of those k commits.
      expect(commitOf(h, byId.get(ack.id)!)).toBeGreaterThan(0);
      expect(commitOf(h, byId.get(ack.id)!)).toBeLessThanOrEqual(ack.afterCommits);
    }
    // PUBACKs in the order the PUBLISHes arrived (MQTT 3.1.1 §4.6).
    expect(h.acks.map((a) => byId.get(a.id))).toEqual(all);
  });

  it('acknowledges nothing while commits fail, holds the connection, and acknowledges all once one works', async () => {
    let failures = 3;
    const h = await harness(() => {
      if (failures > 0) {
        failures--;
        throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      }
    });
    await publish(50);
    await vi.waitFor(() => expect(h.acks).toHaveLength(50), { timeout: 10_000 });
    expect(h.failed).toHaveBeenCalledTimes(3);
    // Backoff doubles up to the maximum.
    expect(h.failed.mock.calls.map((c) => c[1])).toEqual([20, 40, 80]);
    expect(h.recovered).toHaveBeenCalledTimes(1);
    expect(h.committed.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    // Nothing was acknowledged before the first commit that worked.
    expect(h.acks.every((a) => a.afterCommits >= 1)).toBe(true);
    expect(h.acks).toHaveLength(50);
  });

  it('never acknowledges on a new connection what arrived on a closed one', async () => {
    let hold = true;
    const h = await harness(() => {
      if (hold) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    });
    const pub = await mqtt.connectAsync(broker!.url, { clientId: 'gc-pub-x', protocolVersion: 4 });
    clients.push(pub);
    await pub.publishAsync(TOPIC, '7', { qos: 1 });
    await vi.waitFor(() => expect(h.failed).toHaveBeenCalled());
    // The link drops while the message waits for storage; the session (clean: false) keeps it at the broker.
    h.receiver.stream.destroy();
    h.gc.connectionClosed();
    await new Promise<void>((resolve) => h.receiver.once('close', () => resolve()));
    hold = false;
    await vi.waitFor(() => expect(h.committed.flat()).toContain(7));
    expect(h.acks).toHaveLength(0);
    // Reconnected, the broker sends it again; now it is committed (again: the store drops the duplicate) and acknowledged.
    h.receiver.reconnect();
    await vi.waitFor(() => expect(h.acks).toHaveLength(1), { timeout: 10_000 });
    expect(h.committed.flat()).toEqual([7, 7]);
  });
});
