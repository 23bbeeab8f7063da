// Tag JSON from a PLC gateway as an input: EMQX Neuron's upload format
//   {"timestamp": 1764568800123, "node": "plc-1", "group": "press", "values": {"count": 42}, "errors": {"temp": 2014}}
// or a flat object {"timestamp": …, "count": 42, "state": 1} whose node and group come from the topic.
// One message is one sample of the (node, group) source it names; per-tag errors are counted and shown
// (the tag's value is then absent from the sample). A `seqTag` that goes up by one per sample makes a lost
// sample a gap, recorded and shown like any gap.
import type { TagsInputConfig } from '../../../../shared/config.ts';
import type { Words } from '../../../../shared/words.ts';
import type { Db } from '../../store/db.ts';
import { applySample, Counts, newBoot, seqBoot, tsProblem, type InputSink, type Outcome, type Target } from './common.ts';
import { rolesByName, type Role, type Sample, type SourceState } from './derive.ts';
import { KeyedRows } from './persist.ts';

/** Tag names remembered per source for Diagnostics; sources seen that no mapping takes. */
const MAX_TAGS_SHOWN = 200;
const MAX_UNMAPPED = 100;
const RESERVED = new Set(['timestamp', 'node', 'group', 'values', 'errors', 'metas']);

interface Mapping extends Target {
  node?: string;
  group?: string;
  roles: Map<string, Role[]>;
  specificity: number;
}

export interface TagSeen {
  tags: Set<string>;
  lastAt: number;
  mapped: boolean;
}

export type TagsCount = 'messages' | 'tagErrors' | 'badValues' | 'decodeErrors' | 'duplicates' | 'quarantined' | 'events' | 'unmapped' | 'seqGaps' | 'seqMissing' | 'counterResets' | 'counterJumps';

export class TagsInput {
  readonly id: string;
  readonly kind = 'tags' as const;
  readonly config: TagsInputConfig;
  readonly sources: KeyedRows<SourceState>;
  readonly counts = new Counts<TagsCount>();
  private readonly levels: string[];
  private readonly mappings: Mapping[];
  /** Per source key: the tags seen (Diagnostics), and the per-tag errors: code and how often. */
  readonly seen = new Map<string, TagSeen>();
  readonly tagErrors = new Map<string, { code: string; count: number; lastAt: number }>();
  readonly unmappedStateValues = new Map<string, number>();
  private readonly strictUtf8 = new TextDecoder('utf-8', { fatal: true });
  private unmappedSeen = 0;

  constructor(config: TagsInputConfig, db: Db) {
    this.id = config.id;
    this.config = config;
    this.levels = config.topic.split('/');
    this.mappings = config.sources
      .map((s) => ({ line: s.line, station: s.station, signals: s.signals, node: s.node, group: s.group, roles: rolesByName(s.signals), specificity: (s.node ? 2 : 0) + (s.group ? 1 : 0) }))
      .sort((a, b) => b.specificity - a.specificity);
    this.sources = new KeyedRows<SourceState>(db, 'input_sources', config.id);
  }

  filters(): string[] {
    return [this.levels.map((l) => (l === '{node}' || l === '{group}' ? '+' : l)).join('/')];
  }

  /** The node and group the topic names (when its pattern has them), or null when it is not this input's. */
  match(topic: string): { node?: string; group?: string } | null {
    const parts = topic.split('/');
    const lv = this.levels;
    const multi = lv[lv.length - 1] === '#';
    if (multi ? parts.length < lv.length - 1 : parts.length !== lv.length) return null;
    const out: { node?: string; group?: string } = {};
    for (let i = 0; i < lv.length; i++) {
      const l = lv[i];
      if (l === '#') break;
      const v = parts[i];
      if (l === '+') continue;
      if (l === '{node}') out.node = v;
      else if (l === '{group}') out.group = v;
      else if (l !== v) return null;
    }
    return out;
  }

  claims(topic: string): boolean {
    return this.match(topic) !== null;
  }

  endBatch(now: number): void {
    this.sources.flush(now);
  }

  committed(): void {
    this.counts.committed();
  }

  rolledBack(): void {
    this.counts.rolledBack();
    this.sources.reload();
  }

  handle(topic: string, payload: Uint8Array, size: number, receivedAt: number, sink: InputSink): Outcome {
    const counts = this.counts;
    counts.bump('messages');
    const refuse = (reason: Words, binary = false): Outcome => {
      counts.bump('quarantined');
      return sink.quarantine(topic, payload, reason, receivedAt, binary);
    };
    /** "<field>: <problem>", as the native payloads' schema issues are said. */
    const badField = (field: string, problem: Words): Outcome => refuse({ key: 'quarantine.field', params: { field, problem } });
    if (size > this.config.maxPayloadBytes) {
      return refuse({ key: 'quarantine.tags_too_large', params: { bytes: size, input: this.id, max: this.config.maxPayloadBytes } });
    }
    const fromTopic = this.match(topic) ?? {};
    let json: unknown;
    try {
      json = JSON.parse(this.strictUtf8.decode(payload));
    } catch (err) {
      counts.bump('decodeErrors');
      const binary = err instanceof TypeError;
      return refuse({ key: binary ? 'quarantine.not_utf8' : 'quarantine.invalid_json' }, binary);
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      counts.bump('decodeErrors');
      return refuse({ key: 'quarantine.not_object' });
    }
    const o = json as Record<string, unknown>;
    const tsField = this.config.timestampField;
    const ts = this.timestampOf(o[tsField]);
    if (typeof ts !== 'number') return badField(tsField, ts);
    const why = tsProblem(ts, sink);
    if (why) return badField(tsField, why);

    let values: Record<string, unknown>;
    let errors: Record<string, unknown> = {};
    let node = fromTopic.node;
    let group = fromTopic.group;
    if (this.config.format === 'neuron') {
      if (typeof o.node === 'string') node = o.node;
      if (typeof o.group === 'string') group = o.group;
      if (typeof o.values !== 'object' || o.values === null || Array.isArray(o.values)) return badField('values', { key: 'problem.tag_values' });
      values = o.values as Record<string, unknown>;
      if (o.errors !== undefined) {
        if (typeof o.errors !== 'object' || o.errors === null || Array.isArray(o.errors)) return badField('errors', { key: 'problem.tag_errors' });
        errors = o.errors as Record<string, unknown>;
      }
    } else {
      values = {};
      for (const k of Object.keys(o)) if (k !== tsField) values[k] = o[k];
    }

    const mapping = this.mappingOf(node, group);
    const key = `${node ?? ''}/${group ?? ''}`;
    this.note(key, values, errors, receivedAt, mapping !== undefined);
    if (!mapping) {
      counts.bump('unmapped');
      return 'stored';
    }

    const sample: Sample = {};
    for (const [name, roles] of mapping.roles) {
      if (!Object.prototype.hasOwnProperty.call(values, name)) continue;
      for (const role of roles) sample[role] = { value: values[name], ts };
    }

    // A sequence tag: a jump is that many lost samples (a gap); a fall is the gateway counting again.
    const seqName = this.config.seqTag;
    let gap: [number, number] | null = null;
    let seqValue: number | null = null;
    if (seqName !== undefined && Object.prototype.hasOwnProperty.call(values, seqName)) {
      const v = values[seqName];
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) return badField(seqName, { key: 'problem.seq_tag' });
      seqValue = v;
    }

    const applied = applySample(this.sources, key, () => newBoot('tags', this.id, key, sink.now()), mapping, sample, receivedAt, sink);
    if (applied.refusal !== null) {
      counts.bump('badValues');
      return refuse({ key: 'quarantine.tags_values', params: { source: key, reason: applied.refusal } });
    }
    if (seqValue !== null && applied.outcome !== 'duplicate') {
      const s = this.sources.get(key)!;
      const last = s.seqLast;
      if (last !== null && seqValue > last + 1) gap = [last + 1, seqValue - 1];
      if (last !== null && seqValue < last) s.seqEpoch = (s.seqEpoch ?? 0) + 1;
      s.seqLast = seqValue;
      this.sources.set(key, s);
      if (gap) {
        counts.bump('seqGaps');
        counts.bump('seqMissing', gap[1] - gap[0] + 1);
        sink.recordGap(mapping.line, mapping.station, seqBoot('tags', this.id, key, s.seqEpoch ?? 0), gap[0], gap[1], receivedAt);
      }
    }
    if (applied.unmappedState !== null) this.unmappedStateValues.set(`${key}\u0000${applied.unmappedState}`, (this.unmappedStateValues.get(`${key}\u0000${applied.unmappedState}`) ?? 0) + 1);
    counts.bump('events', applied.stored);
    counts.bump('counterResets', applied.resets);
    counts.bump('counterJumps', applied.jumps);
    if (applied.outcome === 'duplicate') {
      counts.bump('duplicates');
      return 'duplicate';
    }
    return 'stored';
  }

  mappingOf(node: string | undefined, group: string | undefined): Mapping | undefined {
    return this.mappings.find((m) => (m.node === undefined || m.node === node) && (m.group === undefined || m.group === group));
  }

  /** Epoch ms, or why not (a field's problem). */
  private timestampOf(v: unknown): number | Words {
    if (v === undefined || v === null) return { key: 'problem.missing' };
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return { key: 'problem.not_number' };
      return Math.round(this.config.timestampUnit === 's' ? v * 1000 : v);
    }
    if (typeof v === 'string') {
      const ms = Date.parse(v);
      return /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(ms) ? ms : { key: 'problem.ts_epoch_or_text' };
    }
    return { key: 'problem.ts_epoch_or_text' };
  }

  /** Tags seen and per-tag errors, for Diagnostics (bounded). Not transactional: what arrived, not what was stored. */
  private note(key: string, values: Record<string, unknown>, errors: Record<string, unknown>, at: number, mapped: boolean): void {
    let seen = this.seen.get(key);
    if (!seen) {
      if (!mapped && this.unmappedSeen >= MAX_UNMAPPED) return;
      if (!mapped) this.unmappedSeen++;
      seen = { tags: new Set(), lastAt: at, mapped };
      this.seen.set(key, seen);
    }
    seen.lastAt = at;
    if (seen.tags.size < MAX_TAGS_SHOWN) {
      for (const t of Object.keys(values)) if (!RESERVED.has(t) && seen.tags.size < MAX_TAGS_SHOWN) seen.tags.add(t);
      for (const t of Object.keys(errors)) if (seen.tags.size < MAX_TAGS_SHOWN) seen.tags.add(t);
    }
    for (const [tag, code] of Object.entries(errors)) {
      const k = `${key}\u0000${tag}`;
      const e = this.tagErrors.get(k);
      if (e) {
        e.count++;
        e.code = String(code);
        e.lastAt = at;
      } else if (this.tagErrors.size < 10_000) this.tagErrors.set(k, { code: String(code), count: 1, lastAt: at });
      this.counts.bump('tagErrors');
    }
  }
}
