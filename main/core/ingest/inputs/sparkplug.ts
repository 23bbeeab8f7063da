// Sparkplug B 3.0 as an input: a host application (optionally the primary one) on the plant's broker.
//
// - Subscribes to spBv1.0/{group}/# for the configured groups (and, as primary host, to its own STATE topic).
// - NBIRTH / DBIRTH give each metric's name, alias and datatype; they are stored, so NDATA / DDATA by alias
//   still decode after a restart. Birth values are samples like any other.
// - NDEATH (with the bdSeq of the node's current birth) / DDEATH mark the node or device offline.
// - The 0–255 `seq` is checked per edge node (NBIRTH is 0, every later message of the node and its devices
//   is +1, 255 wraps to 0): a jump is a gap of that many lost messages, recorded in the store's gaps (in the
//   node's own unwrapped numbering) and shown like any gap; a rebirth is requested (NCMD Node Control/Rebirth
//   = true, QoS 0, at most every rebirthEveryS per node). So is one when an alias is unknown.
// - A node's messages that cannot be read are quarantined with the reason: undecodable bytes, a metric
//   value of the wrong type, data by an alias no birth defined (and nothing else in it), a timestamp out of range.
import type { SparkplugInputConfig } from '../../../../shared/config.ts';
import type { Words } from '../../../../shared/words.ts';
import type { Db } from '../../store/db.ts';
import { decodeSparkplug, encodeSparkplug, type SpMetric, type SpPayload } from './codec.ts';
import { applySample, Counts, newBoot, seqBoot, tsProblem, type InputSink, type Outcome, type Target } from './common.ts';
import { rolesByName, type Role, type Sample, type SourceState } from './derive.ts';
import { BirthRows, KeyedRows, type Birth } from './persist.ts';

export const NAMESPACE = 'spBv1.0';
const REBIRTH_METRIC = 'Node Control/Rebirth';
/** Edge nodes remembered per input (mapped or not): beyond, a new node's messages are quarantined. */
const MAX_NODES = 2000;
/** Metrics kept per birth certificate. */
const MAX_BIRTH_METRICS = 5000;
const MESSAGE_TYPES = new Set(['NBIRTH', 'NDEATH', 'DBIRTH', 'DDEATH', 'NDATA', 'DDATA', 'NCMD', 'DCMD']);

export interface NodeState {
  group: string;
  node: string;
  bdSeq: number | null;
  /** The last seq seen, null before any. */
  seq: number | null;
  /** Messages counted since the node was first seen: the seq unwrapped, what gaps are numbered in. */
  msgNo: number;
  online: boolean;
  birthAt: number | null;
  deathAt: number | null;
  lastAt: number;
  devices: Record<string, { online: boolean; birthAt: number | null; deathAt: number | null; lastAt: number }>;
}

export interface Publisher {
  publish(topic: string, payload: Buffer, options: { qos: 0 | 1; retain: boolean }): void;
}

interface Mapping extends Target {
  roles: Map<string, Role[]>;
}

export type SparkplugCount =
  | 'messages'
  | 'births'
  | 'deaths'
  | 'staleDeaths'
  | 'commands'
  | 'decodeErrors'
  | 'badValues'
  | 'unknownAliases'
  | 'rebirthRequests'
  | 'seqGaps'
  | 'seqMissing'
  | 'duplicates'
  | 'quarantined'
  | 'events'
  | 'counterResets'
  | 'counterJumps';

export class SparkplugInput {
  readonly id: string;
  readonly kind = 'sparkplug' as const;
  readonly config: SparkplugInputConfig;
  readonly nodes: KeyedRows<NodeState>;
  readonly sources: KeyedRows<SourceState>;
  readonly births: BirthRows;
  readonly counts = new Counts<SparkplugCount>();
  private readonly groups: Set<string>;
  private readonly mappings = new Map<string, Mapping>();
  /** The first mapped source of each edge node: where its seq gaps are shown. */
  private readonly gapTarget = new Map<string, Target>();
  private readonly stateTopic: string | null;
  private readonly lastRebirth = new Map<string, number>();
  private outbox: { node: string; topic: string; payload: Buffer }[] = [];
  private publisher: Publisher | null = null;
  /** The STATE birth's timestamp of the current connection (the will carries the same). */
  private hostTs = 0;
  unmappedStateValues = new Map<string, number>();

  constructor(config: SparkplugInputConfig, db: Db) {
    this.id = config.id;
    this.config = config;
    this.groups = new Set(config.groups);
    this.stateTopic = config.primaryHostId ? `${NAMESPACE}/STATE/${config.primaryHostId}` : null;
    for (const s of config.sources) {
      const key = sourceKey(s.group, s.node, s.device ?? '');
      this.mappings.set(key, { line: s.line, station: s.station, signals: s.signals, roles: rolesByName(s.signals) });
      const nk = nodeKey(s.group, s.node);
      if (!this.gapTarget.has(nk)) this.gapTarget.set(nk, { line: s.line, station: s.station, signals: s.signals });
    }
    this.nodes = new KeyedRows<NodeState>(db, 'input_nodes', config.id);
    this.sources = new KeyedRows<SourceState>(db, 'input_sources', config.id);
    this.births = new BirthRows(db, config.id);
  }

  filters(): string[] {
    const out = this.config.groups.map((g) => `${NAMESPACE}/${g}/#`);
    if (this.stateTopic) out.push(this.stateTopic);
    return out;
  }

  claims(topic: string): boolean {
    if (!topic.startsWith(NAMESPACE + '/')) return false;
    if (topic === this.stateTopic) return true;
    const end = topic.indexOf('/', NAMESPACE.length + 1);
    return end > 0 && this.groups.has(topic.slice(NAMESPACE.length + 1, end));
  }

  mappingOf(group: string, node: string, device: string): Mapping | undefined {
    return this.mappings.get(sourceKey(group, node, device));
  }

  // ---- the connection --------------------------------------------------------------------------

  /** Sparkplug 3.0 primary host: the will of the connection, with the timestamp its STATE birth repeats. */
  will(now: number): { topic: string; payload: Buffer; qos: 1; retain: true } | null {
    if (!this.stateTopic) return null;
    this.hostTs = now;
    return { topic: this.stateTopic, payload: Buffer.from(JSON.stringify({ online: false, timestamp: now })), qos: 1, retain: true };
  }

  online(publisher: Publisher): void {
    this.publisher = publisher;
    this.publishHostState();
  }

  offline(): void {
    this.publisher = null;
  }

  hostState(): { hostId: string; online: boolean; since: number } | null {
    return this.config.primaryHostId ? { hostId: this.config.primaryHostId, online: this.publisher !== null, since: this.hostTs } : null;
  }

  private publishHostState(): void {
    if (!this.stateTopic || !this.publisher) return;
    if (!this.hostTs) this.hostTs = Date.now();
    this.publisher.publish(this.stateTopic, Buffer.from(JSON.stringify({ online: true, timestamp: this.hostTs })), { qos: 1, retain: true });
  }

  // ---- the batch ---------------------------------------------------------------------------------

  endBatch(now: number): void {
    this.nodes.flush(now);
    this.sources.flush(now);
    this.births.flush();
  }

  committed(): void {
    this.counts.committed();
    const out = this.outbox;
    this.outbox = [];
    if (!this.publisher) return;
    const now = Date.now();
    for (const m of out) {
      const last = this.lastRebirth.get(m.node) ?? -Infinity;
      if (now - last < this.config.rebirthEveryS * 1000) continue;
      this.lastRebirth.set(m.node, now);
      this.publisher.publish(m.topic, m.payload, { qos: 0, retain: false });
    }
  }

  rolledBack(): void {
    this.counts.rolledBack();
    this.outbox = [];
    this.nodes.reload();
    this.sources.reload();
    this.births.reload();
  }

  // ---- one message ---------------------------------------------------------------------------------

  handle(topic: string, payload: Uint8Array, size: number, receivedAt: number, sink: InputSink): Outcome {
    const counts = this.counts;
    counts.bump('messages');
    // Sparkplug payloads are protobuf: the quarantine shows them as hex. STATE is JSON text.
    const refuse = (reason: Words, binary = topic !== this.stateTopic): Outcome => {
      counts.bump('quarantined');
      return sink.quarantine(topic, payload, reason, receivedAt, binary);
    };
    if (size > this.config.maxPayloadBytes) {
      return refuse({ key: 'quarantine.spb_too_large', params: { bytes: size, input: this.id, max: this.config.maxPayloadBytes } });
    }
    if (topic === this.stateTopic) return this.onHostState(payload, refuse);

    const parts = topic.split('/');
    const type = parts[2];
    if (!MESSAGE_TYPES.has(type)) return refuse({ key: 'quarantine.spb_unknown_type', params: { type: type ?? '' } });
    const device = type[0] === 'D';
    if (parts.length !== (device ? 5 : 4) || parts.some((p) => p === '')) {
      const pattern = `${NAMESPACE}/group/${type}/edge_node${device ? '/device' : ''}`;
      return refuse({ key: 'quarantine.spb_topic_levels', params: { type, pattern, levels: parts.length } });
    }
    if (type === 'NCMD' || type === 'DCMD') {
      // Commands to the nodes (ours among them): nothing to store.
      counts.bump('commands');
      return 'stored';
    }
    const group = parts[1];
    const nodeId = parts[3];
    const deviceId = device ? parts[4] : '';
    let p: SpPayload;
    try {
      p = decodeSparkplug(payload);
    } catch (err) {
      counts.bump('decodeErrors');
      return refuse({ key: 'quarantine.spb_undecodable', params: { detail: (err as Error).message.slice(0, 120) } });
    }
    const nk = nodeKey(group, nodeId);
    let node = this.nodes.get(nk);
    if (!node) {
      if (this.nodes.size >= MAX_NODES) return refuse({ key: 'quarantine.spb_too_many_nodes', params: { max: MAX_NODES, node: nk } });
      node = { group, node: nodeId, bdSeq: null, seq: null, msgNo: 0, online: false, birthAt: null, deathAt: null, lastAt: 0, devices: {} };
    }
    // Changed in place: a failed commit reads every row again from the file (rolledBack).
    node.lastAt = receivedAt;
    const ts = p.timestamp ?? receivedAt;

    if (type === 'NDEATH') {
      const bd = bdSeqOf(p);
      // A death whose bdSeq is not the current birth's is an older connection's will: the node is still up.
      if (node.bdSeq !== null && bd !== null && bd !== node.bdSeq) {
        counts.bump('staleDeaths');
        this.nodes.set(nk, node);
        return 'stored';
      }
      counts.bump('deaths');
      node.online = false;
      node.deathAt = ts;
      for (const d of Object.keys(node.devices)) node.devices[d] = { ...node.devices[d], online: false, deathAt: node.devices[d].online ? ts : node.devices[d].deathAt };
      this.nodes.set(nk, node);
      return 'stored';
    }

    // Every other message of the node carries its seq.
    const seqWhy = this.checkSeq(node, type, p.seq, receivedAt, sink);
    if (seqWhy === 'rebirth') this.requestRebirth(node);
    const duplicateMessage = seqWhy === 'duplicate';

    if (type === 'NBIRTH' || type === 'DBIRTH') {
      counts.bump('births');
      const metrics: Birth['metrics'] = [];
      for (const m of p.metrics) if (m.name !== null && metrics.length < MAX_BIRTH_METRICS) metrics.push([m.name, m.alias, m.type]);
      this.births.set(nk, deviceId, { metrics, bornAt: ts });
      if (type === 'NBIRTH') {
        node.bdSeq = bdSeqOf(p);
        node.online = true;
        node.birthAt = ts;
        // The devices are born again after their node (DBIRTH follows).
        for (const d of Object.keys(node.devices)) node.devices[d] = { ...node.devices[d], online: false };
      } else {
        node.devices[deviceId] = { online: true, birthAt: ts, deathAt: node.devices[deviceId]?.deathAt ?? null, lastAt: receivedAt };
      }
    } else if (type === 'DDEATH') {
      counts.bump('deaths');
      node.devices[deviceId] = { online: false, birthAt: node.devices[deviceId]?.birthAt ?? null, deathAt: ts, lastAt: receivedAt };
      this.nodes.set(nk, node);
      return duplicateMessage ? 'duplicate' : 'stored';
    } else if (device) {
      const d = node.devices[deviceId];
      node.devices[deviceId] = d ? { ...d, lastAt: receivedAt } : { online: true, birthAt: null, deathAt: null, lastAt: receivedAt };
    }
    this.nodes.set(nk, node);

    // The values: by name, or by the alias of the newest birth.
    const birth = this.births.get(nk, deviceId);
    let byAlias: Map<number, string> | null = null;
    const named: { name: string; m: SpMetric }[] = [];
    let unknown = 0;
    let firstUnknown: number | null = null;
    for (const m of p.metrics) {
      let name = m.name;
      if (name === null && m.alias !== null) {
        byAlias ??= aliasMap(birth);
        name = byAlias.get(m.alias) ?? null;
        if (name === null) {
          unknown++;
          firstUnknown ??= m.alias;
          continue;
        }
      }
      if (name !== null) named.push({ name, m });
    }
    if (unknown > 0) {
      counts.bump('unknownAliases', unknown);
      this.requestRebirth(node);
      if (named.length === 0) {
        return refuse({ key: 'quarantine.spb_unknown_alias', params: { type, alias: `${firstUnknown}`, source: `${nk}${deviceId ? '/' + deviceId : ''}` } });
      }
    }

    const mapping = this.mappingOf(group, nodeId, deviceId);
    if (!mapping) return duplicateMessage ? 'duplicate' : 'stored';
    const sample: Sample = {};
    for (const { name, m } of named) {
      const roles = mapping.roles.get(name);
      if (!roles) continue;
      const at = m.ts ?? ts;
      const why = tsProblem(at, sink);
      if (why) return refuse({ key: 'quarantine.spb_metric', params: { name, problem: why } });
      for (const role of roles) sample[role] = { value: m.value, ts: at };
    }
    const key = sourceKey(group, nodeId, deviceId);
    const applied = applySample(this.sources, key, () => newBoot('spb', this.id, key, sink.now()), mapping, sample, receivedAt, sink);
    if (applied.refusal !== null) {
      counts.bump('badValues');
      return refuse({ key: 'quarantine.spb_values', params: { type, source: key, reason: applied.refusal } });
    }
    if (applied.unmappedState !== null) this.unmappedStateValues.set(`${key}\u0000${applied.unmappedState}`, (this.unmappedStateValues.get(`${key}\u0000${applied.unmappedState}`) ?? 0) + 1);
    counts.bump('events', applied.stored);
    counts.bump('counterResets', applied.resets);
    counts.bump('counterJumps', applied.jumps);
    if (applied.outcome === 'duplicate' || (duplicateMessage && applied.stored === 0)) {
      counts.bump('duplicates');
      return 'duplicate';
    }
    return 'stored';
  }

  /**
   * Checks a node message's seq against the last one: 'ok', 'duplicate' (the same seq again: a redelivery),
   * or 'rebirth' (a gap, recorded; or no birth known). NBIRTH starts the count again at its own seq.
   */
  private checkSeq(node: NodeState, type: string, seq: number | null, receivedAt: number, sink: InputSink): 'ok' | 'duplicate' | 'rebirth' {
    if (seq === null || !Number.isInteger(seq) || seq < 0 || seq > 255) return 'ok';
    if (type === 'NBIRTH') {
      node.msgNo += 1;
      node.seq = seq;
      return 'ok';
    }
    if (node.seq === null) {
      // No birth of this node seen yet (or ever stored): its aliases are unknown until it is born again.
      node.msgNo += 1;
      node.seq = seq;
      return node.bdSeq === null ? 'rebirth' : 'ok';
    }
    if (seq === node.seq) return 'duplicate';
    const d = (seq - node.seq + 256) % 256;
    if (d >= 128) {
      // Far behind: an older message again (a redelivery after a reconnect), not a gap of 200 messages.
      return 'duplicate';
    }
    const from = node.msgNo + 1;
    node.msgNo += d;
    node.seq = seq;
    if (d === 1) return 'ok';
    this.counts.bump('seqGaps');
    this.counts.bump('seqMissing', d - 1);
    const target = this.gapTarget.get(nodeKey(node.group, node.node));
    if (target) sink.recordGap(target.line, target.station, seqBoot('spb', this.id, nodeKey(node.group, node.node)), from, node.msgNo - 1, receivedAt);
    return 'rebirth';
  }

  private requestRebirth(node: NodeState): void {
    const nk = nodeKey(node.group, node.node);
    if (this.outbox.some((m) => m.node === nk)) return;
    this.counts.bump('rebirthRequests');
    const payload = Buffer.from(encodeSparkplug({ timestamp: Date.now(), metrics: [{ name: REBIRTH_METRIC, type: 'Boolean', value: true }] }));
    this.outbox.push({ node: nk, topic: `${NAMESPACE}/${node.group}/NCMD/${node.node}`, payload });
  }

  private onHostState(payload: Uint8Array, refuse: (reason: Words) => Outcome): Outcome {
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(payload).toString('utf8'));
    } catch {
      return refuse({ key: 'quarantine.spb_state_not_json' });
    }
    // Sparkplug 3.0: a primary host that sees itself declared offline while connected says it is online again.
    if (typeof json === 'object' && json !== null && (json as { online?: unknown }).online === false && this.publisher) this.publishHostState();
    return 'stored';
  }
}

export function nodeKey(group: string, node: string): string {
  return `${group}/${node}`;
}

export function sourceKey(group: string, node: string, device: string): string {
  return device ? `${group}/${node}/${device}` : `${group}/${node}`;
}

function bdSeqOf(p: SpPayload): number | null {
  const m = p.metrics.find((x) => x.name === 'bdSeq');
  const v = m?.value;
  return typeof v === 'number' && Number.isInteger(v) ? v : null;
}

const aliasMaps = new WeakMap<Birth, Map<number, string>>();
const NO_ALIASES = new Map<number, string>();

/** alias → metric name of a birth certificate, built once per birth. */
function aliasMap(birth: Birth | undefined): Map<number, string> {
  if (!birth) return NO_ALIASES;
  let out = aliasMaps.get(birth);
  if (!out) {
    out = new Map();
    for (const [name, alias] of birth.metrics) if (alias !== null) out.set(alias, name);
    aliasMaps.set(birth, out);
  }
  return out;
}
