// What both adapters share: the sink they write through (the pipeline's, inside its group commit), the
// per-batch counters that only count once the batch is committed, and applying a sample to a source.
import { createHash } from 'node:crypto';
import type { InputSignals } from '../../../../shared/config.ts';
import { MAX_FUTURE_MS, type TelemetryEvent } from '../../../../shared/telemetry.ts';
import type { Words } from '../../../../shared/words.ts';
import { derive, newSourceState, type Sample, type SourceState } from './derive.ts';
import type { KeyedRows } from './persist.ts';

export type Outcome = 'stored' | 'duplicate' | 'quarantined';

/** The pipeline's side, inside the open group commit. */
export interface InputSink {
  /** Stores a derived event: 'stored', 'duplicate', or why it is refused (too many unknown stations or lines). */
  commit(event: TelemetryEvent, receivedAt: number): 'stored' | 'duplicate' | { refused: Words };
  /** Keeps the message in the quarantine with its reason (stored as words and as their English); returns 'quarantined'. */
  quarantine(topic: string, payload: Uint8Array, reason: Words, receivedAt: number, binary?: boolean): Outcome;
  recordGap(line: string, station: string, boot: string, fromSeq: number, toSeq: number, detectedAt: number): void;
  /** The receiving machine's clock, and the oldest ts the raw-data retention keeps. */
  now(): number;
  oldestTs(): number;
}

/** Counters of one input that move only when the batch that moved them is committed. */
export class Counts<K extends string> {
  private readonly total = new Map<string, number>();
  private readonly pending = new Map<string, number>();

  bump(key: K | string, n = 1): void {
    this.pending.set(key, (this.pending.get(key) ?? 0) + n);
  }

  get(key: K | string): number {
    return this.total.get(key) ?? 0;
  }

  /** Keys starting with `prefix`, with their totals. */
  withPrefix(prefix: string): [string, number][] {
    return [...this.total].filter(([k]) => k.startsWith(prefix));
  }

  committed(): void {
    for (const [k, n] of this.pending) this.total.set(k, (this.total.get(k) ?? 0) + n);
    this.pending.clear();
  }

  rolledBack(): void {
    this.pending.clear();
  }
}

/** The events' boot of a new source: short, unique to it, fixed once stored. */
export function newBoot(kind: 'spb' | 'tags', input: string, source: string, now: number): string {
  const h = createHash('sha256').update(`${input}\u0000${source}`).digest('base64url').slice(0, 6);
  return `${kind}-${h}-${now.toString(36)}`;
}

/** A short stable name for a transport sequence's gap stream (Sparkplug seq of an edge node, a tag stream's seqTag). */
export function seqBoot(kind: 'spb' | 'tags', input: string, source: string, epoch = 0): string {
  const h = createHash('sha256').update(`${input}\u0000${source}`).digest('base64url').slice(0, 8);
  return `${kind}-seq-${h}${epoch ? `.${epoch}` : ''}`;
}

/** Why a timestamp cannot be taken (a 'problem.ts_*'), or null. */
export function tsProblem(ts: number, sink: InputSink): Words | null {
  if (!Number.isSafeInteger(ts) || ts < 0) return { key: 'problem.ts_not_epoch_ms', params: { ts } };
  if (ts > sink.now() + MAX_FUTURE_MS) return { key: 'problem.ts_future', params: { time: ts <= 8.64e15 ? new Date(ts).toISOString() : ts } };
  if (ts < sink.oldestTs()) return { key: ts < 1e11 ? 'problem.ts_too_old_seconds' : 'problem.ts_too_old' };
  return null;
}

export interface Target {
  line: string;
  station: string;
  signals: InputSignals;
}

export interface Applied {
  outcome: Outcome;
  /** Set when the message must be refused (bad value, refused station): nothing was changed or stored. */
  refusal: Words | null;
  stored: number;
  resets: number;
  jumps: number;
  unmappedState: string | null;
}

/**
 * Derives and stores the events of one sample of one source. On a refusal nothing is changed: the caller
 * quarantines the message. A refused station (too many unknown ones) refuses the sample the same way.
 */
export function applySample(rows: KeyedRows<SourceState>, key: string, boot: () => string, target: Target, sample: Sample, receivedAt: number, sink: InputSink): Applied {
  const existing = rows.get(key);
  // A shallow copy is enough: derive replaces the readings, it never changes them in place.
  const state: SourceState = existing ? { ...existing } : newSourceState(boot());
  const d = derive(state, target.signals, sample, target);
  const none = { stored: 0, resets: 0, jumps: 0, unmappedState: null };
  if (d.bad !== null) return { outcome: 'quarantined', refusal: d.bad, ...none };
  let stored = 0;
  for (const e of d.events) {
    const r = sink.commit(e, receivedAt);
    if (r === 'stored') stored++;
    else if (r !== 'duplicate') {
      // Only the first event of a new station can be refused, before anything of this sample was written.
      return { outcome: 'quarantined', refusal: r.refused, ...none };
    }
  }
  rows.set(key, state);
  return { outcome: d.duplicate ? 'duplicate' : 'stored', refusal: null, stored, resets: d.resets, jumps: d.jumps, unmappedState: d.unmappedState };
}
