// From samples of a source's signals (part counter, reject counter, state, reason, cycle time, product) to
// the `cycle` and `state` events everything else understands. Deterministic: the same stored source state
// and the same sample give the same events with the same identities, which is what makes a redelivered
// sample a duplicate (its timestamps are not newer than what is stored) and never double units.
//
// Identity of a derived event: (line, station, boot, seq, ts) with `boot` the source's own (made once, when
// the source is first seen, and stored with it) and `seq` the source's running event number (cycle and state
// events share it, +1 per event, stored with the source in the same transaction as the events). A counter
// jump too large to be units (maxUnitsPerSample) skips that many seq numbers, so the store records it as a
// gap of that many events: visible, never silent, never invented units.
import type { InputSignals } from '../../../../shared/config.ts';
import { STATION_STATES, type StationState, type TelemetryEvent } from '../../../../shared/telemetry.ts';
import type { SignalRole } from '../../../../shared/inputs-status.ts';
import type { WordParam, Words } from '../../../../shared/words.ts';

/** A counter's last reading. */
export interface Reading {
  value: number;
  ts: number;
}

/** What is stored per source (input_sources.state). */
export interface SourceState {
  boot: string;
  /** The seq of the next derived event. */
  nextSeq: number;
  counter: Reading | null;
  rejects: Reading | null;
  /** Rejects counted but not yet given to a unit (partCounterCounts "all"). */
  pendingRejects: number;
  /** The state and reason last emitted, and when. */
  state: StationState | null;
  reason: string | null;
  stateTs: number;
  /** The newest raw state / reason / cycle time / product values and their timestamps. */
  stateValue: string | null;
  reasonValue: string | null;
  reasonTs: number;
  cycleMs: number | null;
  cycleTs: number;
  product: string | null;
  productTs: number;
  /** Counted for Diagnostics. */
  resets: number;
  rejectResets: number;
  jumps: number;
  jumpUnits: number;
  units: number;
  lastSampleTs: number;
  /** Tag streams with a seqTag: its last value, and how often it started again (each start a gap stream of its own). */
  seqLast: number | null;
  seqEpoch: number;
}

export function newSourceState(boot: string): SourceState {
  return {
    boot,
    nextSeq: 0,
    counter: null,
    rejects: null,
    pendingRejects: 0,
    state: null,
    reason: null,
    stateTs: 0,
    stateValue: null,
    reasonValue: null,
    reasonTs: 0,
    cycleMs: null,
    cycleTs: 0,
    product: null,
    productTs: 0,
    resets: 0,
    rejectResets: 0,
    jumps: 0,
    jumpUnits: 0,
    units: 0,
    lastSampleTs: 0,
    seqLast: null,
    seqEpoch: 0,
  };
}

/** A signal's raw value in one message and its timestamp (the metric's own, else the message's). */
export interface Value {
  value: unknown;
  ts: number;
}

export type Role = SignalRole;
export const ROLES: readonly Role[] = ['partCounter', 'rejectCounter', 'state', 'reason', 'cycleTime', 'product'];

/** One message's values for one source, by role. */
export type Sample = Partial<Record<Role, Value>>;

/** signal name → roles it plays for a source (one metric may be both state and reason). */
export function rolesByName(signals: InputSignals): Map<string, Role[]> {
  const out = new Map<string, Role[]>();
  for (const role of ROLES) {
    const name = signals[role];
    if (typeof name !== 'string') continue;
    out.set(name, [...(out.get(name) ?? []), role]);
  }
  return out;
}

export interface Derived {
  events: TelemetryEvent[];
  /** Every value in the sample was not newer than what the source already has: a redelivery. */
  duplicate: boolean;
  /** A value of the wrong type or range: the message is refused (quarantined) with this reason, nothing derived. */
  bad: Words | null;
  /** Raw state values no stateValues entry maps (counted, shown; the state is then left as it was). */
  unmappedState: string | null;
  resets: number;
  jumps: number;
}

const MAX_REASON = 128;
const MAX_PRODUCT = 128;
const DAY_MS = 86_400_000;

function counterValue(v: unknown): number | null {
  const n = typeof v === 'bigint' ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : null;
}

function textOf(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return String(v);
  return null;
}

/**
 * Applies one message's sample to `s` (changed in place) and returns the events it gives, in seq order.
 * `s` is left unchanged when the sample is refused (bad).
 */
export function derive(s: SourceState, signals: InputSignals, sample: Sample, where: { line: string; station: string }): Derived {
  const out: Derived = { events: [], duplicate: false, bad: null, unmappedState: null, resets: 0, jumps: 0 };
  // Check every value before changing anything.
  const c = sample.partCounter;
  const r = sample.rejectCounter;
  const cValue = c ? counterValue(c.value) : null;
  const rValue = r ? counterValue(r.value) : null;
  if (c && cValue === null) return { ...out, bad: badField(signals.partCounter, 'problem.counter', c.value) };
  if (r && rValue === null) return { ...out, bad: badField(signals.rejectCounter, 'problem.counter', r.value) };
  const st = sample.state;
  const stText = st ? textOf(st.value) : null;
  if (st && stText === null) return { ...out, bad: badField(signals.state, 'problem.state_value', st.value) };
  const re = sample.reason;
  const reText = re ? (re.value === null || re.value === undefined ? '' : textOf(re.value)) : null;
  if (re && reText === null) return { ...out, bad: badField(signals.reason, 'problem.reason_value', re.value) };
  const ct = sample.cycleTime;
  let ctMs: number | null = null;
  if (ct) {
    const n = typeof ct.value === 'bigint' ? Number(ct.value) : ct.value;
    ctMs = typeof n === 'number' && Number.isFinite(n) ? (signals.cycleTimeUnit === 's' ? n * 1000 : n) : Number.NaN;
    if (!(ctMs >= 0 && ctMs < DAY_MS)) return { ...out, bad: badField(signals.cycleTime, 'problem.cycle_time', ct.value) };
  }
  const pr = sample.product;
  const prText = pr ? textOf(pr.value) : null;

  let fresh = 0;
  let stale = 0;
  const newer = (v: Value | undefined, last: number): boolean => {
    if (!v) return false;
    if (v.ts > last) {
      fresh++;
      return true;
    }
    stale++;
    return false;
  };

  // Cycle time and product first: the units of this sample carry them.
  if (ct && newer(ct, s.cycleTs)) {
    s.cycleMs = Math.round(ctMs! * 1000) / 1000;
    s.cycleTs = ct.ts;
  }
  if (pr && newer(pr, s.productTs)) {
    s.product = prText === null ? null : prText.slice(0, MAX_PRODUCT);
    s.productTs = pr.ts;
  }

  interface Pending {
    ts: number;
    event?: Omit<TelemetryEvent, 'seq'>;
    /** seq numbers skipped here (a jump). */
    skip?: number;
  }
  const pending: Pending[] = [];
  const base = { line: where.line, station: where.station, boot: s.boot };
  const cycleMs = s.cycleMs ?? undefined;

  /** k units spread evenly over (from, to], the last at `to`; ng for the last `ng` of them. */
  const units = (k: number, from: number, to: number, ng: number) => {
    for (let i = 1; i <= k; i++) {
      const ts = i === k ? to : from + Math.round(((to - from) * i) / k);
      pending.push({ ts, event: { ...base, kind: 'cycle', ts, cycleMs, ok: i <= k - ng } });
    }
  };

  /** The increase of a counter from its last reading, with resets and jumps counted. */
  const increase = (last: Reading | null, value: number, ts: number, which: 'parts' | 'rejects'): { k: number; from: number } => {
    if (last === null) return { k: 0, from: ts };
    let k = value - last.value;
    if (k < 0) {
      if (which === 'parts') s.resets++;
      else s.rejectResets++;
      out.resets++;
      k = signals.onReset === 'from-zero' ? value : 0;
    }
    if (k > signals.maxUnitsPerSample) {
      s.jumps++;
      s.jumpUnits += k;
      out.jumps++;
      pending.push({ ts, skip: k });
      k = 0;
    }
    return { k, from: last.ts };
  };

  // Rejects before parts: with partCounterCounts "all" they mark the newest units of this sample.
  if (r && newer(r, s.rejects?.ts ?? 0)) {
    const { k, from } = increase(s.rejects, rValue!, r.ts, 'rejects');
    s.rejects = { value: rValue!, ts: r.ts };
    if (signals.partCounterCounts === 'good') units(k, from, r.ts, k);
    else s.pendingRejects = Math.min(s.pendingRejects + k, 1_000_000);
  }
  if (c && newer(c, s.counter?.ts ?? 0)) {
    const { k, from } = increase(s.counter, cValue!, c.ts, 'parts');
    s.counter = { value: cValue!, ts: c.ts };
    let ng = 0;
    if (signals.partCounterCounts === 'all' && s.pendingRejects > 0) {
      ng = Math.min(s.pendingRejects, k);
      s.pendingRejects -= ng;
    }
    units(k, from, c.ts, ng);
  }

  // State: emitted when the mapped state, or the reason of a state other than running, changes.
  let stateAt = 0;
  if (st && newer(st, s.stateTs)) {
    s.stateValue = stText;
    stateAt = st.ts;
  }
  if (re && newer(re, s.reasonTs)) {
    s.reasonValue = reText === '' ? null : reText;
    s.reasonTs = re.ts;
    stateAt = Math.max(stateAt, re.ts);
  }
  if (stateAt > 0 && s.stateValue !== null) {
    const mapped = signals.stateValues ? signals.stateValues[s.stateValue] : (STATION_STATES as readonly string[]).includes(s.stateValue) ? (s.stateValue as StationState) : undefined;
    if (mapped === undefined) {
      if (st && st.ts === stateAt) out.unmappedState = s.stateValue;
    } else {
      const rawReason = s.reasonValue === null ? null : (signals.reasonValues?.[s.reasonValue] ?? s.reasonValue).slice(0, MAX_REASON);
      const reason = mapped === 'running' ? null : rawReason;
      if (mapped !== s.state || reason !== s.reason) {
        s.state = mapped;
        s.reason = reason;
        pending.push({ ts: stateAt, event: { ...base, kind: 'state', ts: stateAt, state: mapped, reason: reason ?? undefined } });
      }
    }
    s.stateTs = Math.max(s.stateTs, stateAt);
  }

  // A value that could be newer made the sample count; only stale ones make it a duplicate.
  out.duplicate = fresh === 0 && stale > 0;
  const last = Math.max(c?.ts ?? 0, r?.ts ?? 0, st?.ts ?? 0, re?.ts ?? 0, ct?.ts ?? 0, pr?.ts ?? 0);
  if (fresh > 0 && last > s.lastSampleTs) s.lastSampleTs = last;

  // seq in time order (a stable sort keeps units before the state of the same instant).
  pending.sort((a, b) => a.ts - b.ts);
  for (const p of pending) {
    if (p.skip !== undefined) {
      s.nextSeq += p.skip;
      continue;
    }
    const e = p.event! as TelemetryEvent;
    e.seq = s.nextSeq++;
    if (e.kind === 'cycle') s.units++;
    out.events.push(e);
  }
  return out;
}

/** A value as a message shows it: text quoted (and cut), an array or object by what it is. */
function show(v: unknown): WordParam {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'object') return { key: Array.isArray(v) ? 'value.array' : 'value.object' };
  return String(v);
}

/** "<signal>: <what it must be>, got <value>": the words of a sample's bad value. */
function badField(signal: string | undefined, problem: 'problem.counter' | 'problem.state_value' | 'problem.reason_value' | 'problem.cycle_time', value: unknown): Words {
  return { key: 'quarantine.field', params: { field: `${signal}`, problem: { key: problem, params: { got: show(value) } } } };
}
