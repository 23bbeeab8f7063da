// The input adapters of a configuration (config.inputs), behind one object the ingest uses:
// - mqtt-ingest subscribes to filters() on every connect (besides the native topic pattern), gives will()
//   to the connection, and tells online()/offline() so the adapters can publish (STATE, rebirth requests);
// - the pipeline routes a topic claims() takes to handle(), inside its group commit, writes the adapters'
//   state with endBatch() in that same transaction, and calls committed() or rolledBack() after it;
// - status() is what Diagnostics shows, as plain data.
import type { Config } from '../../../../shared/config.ts';
import type { StationState } from '../../../../shared/telemetry.ts';
import type { Db } from '../../store/db.ts';
import type { InputSink, Outcome } from './common.ts';
import { ROLES, type Role } from './derive.ts';
import { SparkplugInput, nodeKey, sourceKey, type Publisher } from './sparkplug.ts';
import { TagsInput } from './tags.ts';
import type { InputStatus, InputsStatus, NodeStatus, SignalStatus, SourceStatus } from '../../../../shared/inputs-status.ts';

export type { InputSink, Outcome } from './common.ts';
export type { Publisher } from './sparkplug.ts';
export { INPUTS_MIGRATION } from './migration.ts';

export interface Will {
  topic: string;
  payload: Buffer;
  qos: 1;
  retain: true;
}

/** One metric or tag of a source: as its birth (or the tags seen) has it, and what it is mapped to. */
export type { SignalStatus, SourceStatus, NodeStatus, InputStatus, InputsStatus } from '../../../../shared/inputs-status.ts';

export interface Inputs {
  readonly enabled: boolean;
  /** Extra subscriptions, QoS 1. */
  filters(): string[];
  /** The largest payload an adapter reads (births can be large); 0 without adapters. */
  maxPayloadBytes(): number;
  claims(topic: string): boolean;
  /** Inside the group commit. */
  handle(topic: string, payload: Uint8Array, size: number, receivedAt: number, sink: InputSink): Outcome;
  /** At the end of a batch, inside its transaction: the adapters' changed state rows. */
  endBatch(now: number): void;
  committed(): void;
  rolledBack(): void;
  /** The will for the next connection (the primary host's STATE death), or null. */
  will(now: number): Will | null;
  online(publisher: Publisher): void;
  offline(): void;
  status(): InputsStatus;
}

type Adapter = SparkplugInput | TagsInput;

export function createInputs(config: Config, db: Db): Inputs {
  const adapters: Adapter[] = (config.inputs ?? []).map((c) => (c.kind === 'sparkplug' ? new SparkplugInput(c, db) : new TagsInput(c, db)));
  // The last adapter a topic went to answers first next time: a stream mostly comes from one.
  let last: Adapter | null = null;
  const route = (topic: string): Adapter | null => {
    if (last?.claims(topic)) return last;
    for (const a of adapters) {
      if (a.claims(topic)) return (last = a);
    }
    return null;
  };
  let touched = new Set<Adapter>();
  return {
    enabled: adapters.length > 0,
    filters: () => [...new Set(adapters.flatMap((a) => a.filters()))],
    maxPayloadBytes: () => Math.max(0, ...adapters.map((a) => a.config.maxPayloadBytes)),
    claims: (topic) => adapters.length > 0 && route(topic) !== null,
    handle(topic, payload, size, receivedAt, sink) {
      const a = route(topic)!;
      touched.add(a);
      return a.handle(topic, payload, size, receivedAt, sink);
    },
    endBatch(now) {
      for (const a of touched) a.endBatch(now);
    },
    committed() {
      for (const a of touched) a.committed();
      touched = new Set();
    },
    rolledBack() {
      for (const a of touched) a.rolledBack();
      touched = new Set();
    },
    will(now) {
      for (const a of adapters) {
        const w = a.kind === 'sparkplug' ? a.will(now) : null;
        if (w) return w;
      }
      return null;
    },
    online(publisher) {
      for (const a of adapters) if (a.kind === 'sparkplug') a.online(publisher);
    },
    offline() {
      for (const a of adapters) if (a.kind === 'sparkplug') a.offline();
    },
    status: () => ({ inputs: adapters.map((a) => (a.kind === 'sparkplug' ? sparkplugStatus(a) : tagsStatus(a))) }),
  };
}

function countsOf(a: Adapter, keys: readonly string[]): Record<string, number> {
  return Object.fromEntries(keys.map((k) => [k, a.counts.get(k)]));
}

const COMMON_COUNTS = ['messages', 'events', 'duplicates', 'quarantined', 'decodeErrors', 'badValues', 'counterResets', 'counterJumps', 'seqGaps', 'seqMissing'] as const;

function sourceFields(
  s: import('./derive.ts').SourceState | undefined,
): Omit<SourceStatus, 'source' | 'group' | 'node' | 'device' | 'line' | 'station' | 'online' | 'signals' | 'unmappedStateValues' | 'tagErrors'> {
  return {
    lastSampleAt: s && s.lastSampleTs > 0 ? s.lastSampleTs : null,
    counter: s?.counter?.value ?? null,
    rejects: s?.rejects?.value ?? null,
    state: s?.state ?? null,
    reason: s?.reason ?? null,
    product: s?.product ?? null,
    cycleMs: s?.cycleMs ?? null,
    units: s?.units ?? 0,
    counterResets: s?.resets ?? 0,
    rejectResets: s?.rejectResets ?? 0,
    counterJumps: s?.jumps ?? 0,
    jumpUnits: s?.jumpUnits ?? 0,
  };
}

function unmappedOf(map: Map<string, number>, key: string): { value: string; count: number }[] {
  const out: { value: string; count: number }[] = [];
  for (const [k, count] of map) {
    const at = k.indexOf('\u0000');
    if (k.slice(0, at) === key) out.push({ value: k.slice(at + 1), count });
  }
  return out;
}

function sparkplugStatus(a: SparkplugInput): InputStatus {
  const nodes: NodeStatus[] = [];
  const keys = new Map<string, { group: string; node: string; device: string }>();
  for (const s of a.config.sources) keys.set(sourceKey(s.group, s.node, s.device ?? ''), { group: s.group, node: s.node, device: s.device ?? '' });
  for (const [, n] of a.nodes.entries()) {
    const devices = Object.entries(n.devices).map(([device, d]) => ({ device, ...d }));
    nodes.push({ group: n.group, node: n.node, online: n.online, bdSeq: n.bdSeq, birthAt: n.birthAt, deathAt: n.deathAt, lastAt: n.lastAt, lastSeq: n.seq, devices });
    if (a.births.get(nodeKey(n.group, n.node), '')) keys.set(sourceKey(n.group, n.node, ''), { group: n.group, node: n.node, device: '' });
    for (const d of devices) keys.set(sourceKey(n.group, n.node, d.device), { group: n.group, node: n.node, device: d.device });
  }
  const sources: SourceStatus[] = [];
  for (const [key, { group, node, device }] of keys) {
    const mapping = a.mappingOf(group, node, device);
    const n = a.nodes.get(nodeKey(group, node));
    const online = n ? (device ? (n.devices[device]?.online ?? false) : n.online) : false;
    const birth = a.births.get(nodeKey(group, node), device);
    const signals: SignalStatus[] = (birth?.metrics ?? []).map(([name, alias, type]) => ({ name, alias, type, roles: mapping?.roles.get(name) ?? null, seen: true }));
    if (mapping) {
      for (const [name, roles] of mapping.roles) if (!signals.some((x) => x.name === name)) signals.push({ name, alias: null, type: null, roles, seen: false });
    }
    sources.push({
      source: key,
      group,
      node,
      device: device || null,
      line: mapping?.line ?? null,
      station: mapping?.station ?? null,
      online,
      ...sourceFields(a.sources.get(key)),
      signals,
      unmappedStateValues: unmappedOf(a.unmappedStateValues, key),
      tagErrors: [],
    });
  }
  return {
    id: a.id,
    kind: 'sparkplug',
    filters: a.filters(),
    counts: countsOf(a, [...COMMON_COUNTS, 'births', 'deaths', 'staleDeaths', 'commands', 'unknownAliases', 'rebirthRequests']),
    primaryHost: a.hostState(),
    nodes,
    sources,
  };
}

function tagsStatus(a: TagsInput): InputStatus {
  const keys = new Set<string>(a.seen.keys());
  for (const [k] of a.sources.entries()) keys.add(k);
  const sources: SourceStatus[] = [];
  for (const key of keys) {
    const cut = key.indexOf('/');
    const node = key.slice(0, cut) || undefined;
    const group = key.slice(cut + 1) || undefined;
    const mapping = a.mappingOf(node, group);
    const seen = a.seen.get(key);
    const signals: SignalStatus[] = [...(seen?.tags ?? [])].map((name) => ({ name, alias: null, type: null, roles: mapping?.roles.get(name) ?? null, seen: true }));
    if (mapping) for (const [name, roles] of mapping.roles) if (!seen?.tags.has(name)) signals.push({ name, alias: null, type: null, roles, seen: false });
    const tagErrors: SourceStatus['tagErrors'] = [];
    for (const [k, e] of a.tagErrors) {
      const at = k.indexOf('\u0000');
      if (k.slice(0, at) === key) tagErrors.push({ tag: k.slice(at + 1), ...e });
    }
    sources.push({
      source: key,
      group: group ?? null,
      node: node ?? null,
      device: null,
      line: mapping?.line ?? null,
      station: mapping?.station ?? null,
      online: null,
      ...sourceFields(a.sources.get(key)),
      signals,
      unmappedStateValues: unmappedOf(a.unmappedStateValues, key),
      tagErrors,
    });
  }
  return { id: a.id, kind: 'tags', filters: a.filters(), counts: countsOf(a, [...COMMON_COUNTS, 'tagErrors', 'unmapped']), primaryHost: null, nodes: [], sources };
}

export { ROLES };
