// Deterministic plant telemetry on a virtual clock. The same generator backfills a day in well under a
// second and then keeps going live, so history and live data join without a seam or a seq jump.
import type { Config, LineConfig } from '../../../shared/config.ts';
import type { StationState, TelemetryEvent } from '../../../shared/telemetry.ts';
import { createCalendar, type StopWindow } from './calendar.ts';
import { between, createRng, exponential, hash32, pick, type Rng } from './prng.ts';
import { createCellSerials, createVinSerials } from './serials.ts';

export interface SimMessage {
  topic: string;
  /**
   * JSON text exactly as published (CONTRACT §1). Built on first read: a backfill straight into the
   * store only needs `event`, and encoding 400 000 payloads a day would triple the generation time.
   * So a spread copy (`{...m}`) has no payload; JSON.stringify(m) and reading `m.payload` do.
   */
  readonly payload: string;
  /** What a correct receiver makes of `payload`: equal to parsePayload's result for this topic. */
  event: TelemetryEvent;
  retain?: false;
}

export interface SimulatorOptions {
  seed?: number;
  /** The `boot` id of every station; default derived from seed and startTs. */
  boot?: string;
  /** Epoch ms where history begins: every station reports its state here, with seq 0. */
  startTs: number;
}

export interface Simulator {
  /**
   * All messages with ts in (last target, ts] in ts order (ties: configured line, then station order).
   * The first call also includes the messages at startTs. Going back in time returns nothing.
   */
  advanceTo(ts: number): SimMessage[];
  /** The last target passed to advanceTo (startTs − 1 before the first call). */
  readonly clock: number;
}

// Behaviour of the plant, tuned so a dashboard shows a line that mostly makes its takt but not always.
/** Lines are run a little faster than takt so small losses don't put them behind. */
const SPEED = 0.97;
/** Half-width of the triangular takt jitter. */
const JITTER = 0.04;
/** Bottleneck station's work time as a share of the line's pace; the rest sit well below it. */
const BOTTLENECK_LOAD = 0.93;
const OTHER_LOAD_MIN = 0.55;
const OTHER_LOAD_MAX = 0.85;
/** Per-station work time noise (± half of this). Small enough that the bottleneck never swaps. */
const STATION_NOISE = 0.03;
const REJECT_P = 0.005;
/** Productive time between breakdowns of a line: roughly every couple of hours, never in bursts. */
const DOWN_GAP_MIN_MS = 45 * 60_000;
const DOWN_GAP_MAX_MS = 195 * 60_000;
const DOWN_MIN_MS = 90_000;
const DOWN_MEAN_EXTRA_MS = 180_000;
const DOWN_MAX_MS = 15 * 60_000;
/** A line faster than this is treated as a cell/part line, slower as a vehicle/assembly line. */
const FAST_TAKT_MS = 10_000;

interface Profile {
  microStopP: number;
  microStopMinMs: number;
  microStopMaxMs: number;
  rejectReasons: readonly string[];
  downReasons: readonly string[];
}

const CELL_PROFILE: Profile = {
  microStopP: 1 / 400,
  microStopMinMs: 2_000,
  microStopMaxMs: 6_000,
  rejectReasons: ['OCV out of range', 'capacity low', 'IR high', 'self-discharge K high', 'vision: tab defect', 'weld strength low'],
  downReasons: ['E-STOP', 'jam', 'vision fault', 'servo alarm', 'electrolyte fill fault', 'tab weld fault', 'material shortage'],
};

function vehicleProfile(taktMs: number): Profile {
  return {
    microStopP: 1 / 30,
    microStopMinMs: 0.2 * taktMs,
    microStopMaxMs: 0.75 * taktMs,
    rejectReasons: ['water leak', 'wheel alignment out of spec', 'brake test fail', 'ADAS calibration fail', 'paint defect', 'squeak and rattle'],
    downReasons: ['E-STOP', 'conveyor jam', 'robot fault', 'vision fault', 'torque tool fault', 'andon: material shortage'],
  };
}

let lastBoot = '';
let lastBootJson = '""';

/** The JSON text of a simulated event, in the field order a station controller would send. */
export function encodePayload(e: TelemetryEvent): string {
  if (e.boot !== lastBoot) {
    lastBoot = e.boot;
    lastBootJson = JSON.stringify(e.boot);
  }
  const reason = e.reason === undefined ? '' : `,"reason":${JSON.stringify(e.reason)}`;
  if (e.kind === 'state') return `{"ts":${e.ts},"seq":${e.seq},"boot":${lastBootJson},"state":"${e.state}"${reason}}`;
  const unit = e.unit === undefined ? '' : `,"unit":${JSON.stringify(e.unit)}`;
  const cycle = e.cycleMs === undefined ? '' : `,"cycle_ms":${e.cycleMs}`;
  return `{"ts":${e.ts},"seq":${e.seq},"boot":${lastBootJson}${unit}${cycle},"result":"${e.ok === false ? 'ng' : 'ok'}"${reason}}`;
}

class Message implements SimMessage {
  readonly topic: string;
  readonly event: TelemetryEvent;
  #payload: string | undefined;
  constructor(topic: string, event: TelemetryEvent) {
    this.topic = topic;
    this.event = event;
  }
  get payload(): string {
    return (this.#payload ??= encodePayload(this.event));
  }
  toJSON(): { topic: string; payload: string; event: TelemetryEvent } {
    return { topic: this.topic, payload: this.payload, event: this.event };
  }
}

export function topicFor(pattern: string, site: string, line: string, station: string, event: 'cycle' | 'state'): string {
  const values: Record<string, string> = { '{site}': site, '{line}': line, '{station}': station, '{event}': event };
  return pattern
    .split('/')
    .map((level) => values[level] ?? level)
    .join('/');
}

interface LineSim {
  /** Appends this line's messages with ts ≤ target, in order, to `out`. */
  advance(target: number, out: SimMessage[]): void;
}

function createLineSim(config: Config, line: LineConfig, seed: number, boot: string, startTs: number): LineSim {
  // Each line draws from its own stream, so adding a line to the config doesn't change the others' history.
  const rng: Rng = createRng(hash32(line.id, seed >>> 0));
  const n = line.stations.length;
  const taktMs = line.targetTaktS * 1000;
  const fast = taktMs < FAST_TAKT_MS;
  const profile = fast ? CELL_PROFILE : vehicleProfile(taktMs);
  const outIdx = line.stations.indexOf(line.outputStation);
  const pattern = config.broker.topicPattern;
  const cycleTopics = line.stations.map((s) => topicFor(pattern, config.site, line.id, s, 'cycle'));
  const stateTopics = line.stations.map((s) => topicFor(pattern, config.site, line.id, s, 'state'));
  const seq = new Array<number>(n).fill(0);
  const bottleneck = Math.floor(rng() * n);
  const load = line.stations.map((_, i) => (i === bottleneck ? BOTTLENECK_LOAD : between(rng, OTHER_LOAD_MIN, OTHER_LOAD_MAX)));
  const nextSerial = fast
    ? createCellSerials(config.timezone)
    : createVinSerials(config.timezone, 'ABCDEFGHJKLMNPRSTVWXYZ'[hash32(line.id) % 22], 100_000 + Math.floor(rng() * 800_000));
  const calendar = createCalendar(config, startTs);
  const lineId = line.id;

  // The line starts full: the unit furthest downstream is the oldest.
  const inLine = new Array<string>(n);
  for (let j = n - 1; j >= 0; j--) inLine[j] = nextSerial(startTs);

  const queue: SimMessage[] = [];
  let head = 0;
  let started = false;
  /** No shift ever: the line sits in planned_stop and produces nothing more. */
  let parked = false;
  /** Time of the last unit transfer or restart. */
  let t = startTs;
  /** Productive time left until the next breakdown. */
  let toDown = between(rng, DOWN_GAP_MIN_MS, DOWN_GAP_MAX_MS);

  const pushState = (ts: number, j: number, state: StationState, reason?: string) => {
    const s = seq[j]++;
    queue.push(new Message(stateTopics[j], { line: lineId, station: line.stations[j], kind: 'state', ts, seq: s, boot, state, reason }));
  };

  const allStations = (ts: number, state: StationState) => {
    for (let j = 0; j < n; j++) pushState(ts, j, state);
  };

  // An indexing line: every station releases its unit at the same moment and takes the next one.
  const pushCycles = (ts: number, paceMs: number) => {
    for (let j = 0; j < n; j++) {
      const s = seq[j]++;
      const cycleMs = Math.round(paceMs * load[j] * (1 + STATION_NOISE * (rng() - 0.5)));
      const unit = inLine[j];
      let ok = true;
      let reason: string | undefined;
      if (j === outIdx && rng() < REJECT_P) {
        ok = false;
        reason = pick(rng, profile.rejectReasons);
      }
      queue.push(new Message(cycleTopics[j], { line: lineId, station: line.stations[j], kind: 'cycle', ts, seq: s, boot, unit, cycleMs, ok, reason }));
    }
    for (let j = n - 1; j > 0; j--) inLine[j] = inLine[j - 1];
    inLine[0] = nextSerial(ts);
  };

  const plannedStop = (stop: StopWindow, from: number) => {
    allStations(from, 'planned_stop');
    if (!Number.isFinite(stop.end)) {
      parked = true;
      return;
    }
    allStations(stop.end, 'running');
    t = stop.end;
  };

  const step = () => {
    if (!started) {
      started = true;
      const stop = calendar.stopAfter(startTs);
      if (stop && stop.start <= startTs) plannedStop(stop, startTs);
      else allStations(startTs, 'running');
      return;
    }
    const pace = Math.round(taktMs * SPEED * (1 + JITTER * (rng() + rng() - 1)));
    let interval = pace;
    if (rng() < profile.microStopP) interval += Math.round(between(rng, profile.microStopMinMs, profile.microStopMaxMs));
    const stop = calendar.stopAfter(t);

    if (toDown < interval) {
      const downAt = t + Math.max(1, Math.round(toDown));
      if (!stop || downAt < stop.start) {
        const failed = Math.floor(rng() * n);
        const reason = pick(rng, profile.downReasons);
        const upAt = downAt + Math.round(Math.min(DOWN_MAX_MS, DOWN_MIN_MS + exponential(rng, DOWN_MEAN_EXTRA_MS)));
        // Upstream stations can't pass units on, downstream ones get none: what an andon board shows.
        for (let j = 0; j < n; j++) {
          if (j === failed) pushState(downAt, j, 'down', reason);
          else pushState(downAt, j, j < failed ? 'blocked' : 'starved');
        }
        toDown = between(rng, DOWN_GAP_MIN_MS, DOWN_GAP_MAX_MS);
        // A repair that runs into a break finishes during it; the line restarts after the break.
        if (stop && upAt >= stop.start) plannedStop(stop, stop.start);
        else {
          allStations(upAt, 'running');
          t = upAt;
        }
        return;
      }
    }

    if (stop && t + interval >= stop.start) {
      toDown -= stop.start - t;
      // A breakdown that was due during the break happens soon after restart, not at the restart instant.
      if (toDown <= 0) toDown = between(rng, 60_000, 600_000);
      plannedStop(stop, stop.start);
      return;
    }

    toDown -= interval;
    t += interval;
    pushCycles(t, pace);
  };

  return {
    advance(target, out) {
      for (;;) {
        while (head < queue.length) {
          const m = queue[head];
          if (m.event.ts > target) return;
          out.push(m);
          head++;
        }
        queue.length = 0;
        head = 0;
        if (parked) return;
        step();
      }
    },
  };
}

export function createSimulator(config: Config, options: SimulatorOptions): Simulator {
  const { startTs } = options;
  if (!Number.isSafeInteger(startTs) || startTs < 0) throw new Error(`startTs must be integer epoch milliseconds, got ${startTs}`);
  const seed = (options.seed ?? 1) >>> 0;
  const boot = options.boot ?? `sim-${seed.toString(36)}-${startTs.toString(36)}`;
  if (boot.length > 64) throw new Error('boot must be at most 64 characters');
  const lines = config.lines.map((l) => createLineSim(config, l, seed, boot, startTs));
  let clock = startTs - 1;
  const byTs = (a: SimMessage, b: SimMessage) => a.event.ts - b.event.ts;

  return {
    get clock() {
      return clock;
    },
    advanceTo(ts) {
      if (!(ts > clock)) return [];
      clock = ts;
      const out: SimMessage[] = [];
      for (const l of lines) l.advance(ts, out);
      // Each line's part is already sorted: the stable sort only merges the runs and keeps line order on ties.
      if (lines.length > 1) out.sort(byTs);
      return out;
    },
  };
}
