// The benchmark plant: 10 battery-cell lines, each with 4 stations plus its output station, 1 s takt,
// the demo's three shifts. One message generator feeds the publisher, the SQLite baseline and the
// memory run, so every figure is measured on the same rows.
import fs from 'node:fs';
import path from 'node:path';
import type { ConfigInput } from '../../shared/config.ts';

export const LINES = 10;
export const STATIONS = ['coating', 'winding', 'assembly', 'formation', 'grading'] as const;
export const OUTPUT_STATION = 'grading';
/** The plant `serve` watches. */
export const SITE = 'plant';
/** The raw subscriber's site: the same topic length, a topic `serve` does not subscribe to. */
export const RAW_SITE = 'rawbk';
export const TIMEZONE = 'Asia/Shanghai';

export const lineIds = Array.from({ length: LINES }, (_, i) => `cell-${String(i + 1).padStart(2, '0')}`);

export interface PlantOptions {
  clientId: string;
  brokerUrl: string;
  /** The first N of the plant's lines (default all LINES): the month-old database's smaller plant. */
  lines?: number;
  /** Top-level sections merged in (retention, storage, …). */
  extra?: Partial<ConfigInput>;
}

export function benchConfig(opts: PlantOptions): ConfigInput {
  return {
    site: SITE,
    timezone: TIMEZONE,
    broker: { url: opts.brokerUrl, clientId: opts.clientId, protocolVersion: 5, keepaliveS: 30 },
    lines: lineIds.slice(0, opts.lines ?? LINES).map((id, i) => ({
      id,
      name: `Cell line ${i + 1}`,
      targetTaktS: 1,
      outputStation: OUTPUT_STATION,
      stations: [...STATIONS],
    })),
    shifts: [
      { name: 'A', start: '06:00', end: '14:00', breaks: [{ start: '10:00', end: '10:30' }] },
      { name: 'B', start: '14:00', end: '22:00', breaks: [{ start: '18:00', end: '18:30' }] },
      { name: 'C', start: '22:00', end: '06:00', breaks: [{ start: '02:00', end: '02:30' }] },
    ],
    ...opts.extra,
  };
}

export function writeConfig(dir: string, opts: PlantOptions): string {
  const file = path.join(dir, `${opts.clientId}.json`);
  fs.writeFileSync(file, JSON.stringify(benchConfig(opts), null, 2));
  return file;
}

const REJECT_REASONS = ['OCV out of range', 'capacity low', 'IR high'];

/**
 * Round-robin over the 50 (line, station) streams (or those of the first `lines` lines) with per-stream
 * seq counters: every message is a new identity (never a duplicate) and no seq is skipped (no gaps). 1 in
 * 200 output units is a reject, and every 500th message is a `state` event, as a running plant sends them.
 */
export class MessageSource {
  private readonly seq: Float64Array;
  private readonly topicsCycle: string[];
  private readonly topicsState: string[];
  private readonly boot: string;
  private i = 0;
  private serial = 0;

  constructor(site: string, boot: string, lines = LINES) {
    this.boot = JSON.stringify(boot);
    this.seq = new Float64Array(lines * STATIONS.length);
    this.topicsCycle = [];
    this.topicsState = [];
    for (const line of lineIds.slice(0, lines)) {
      for (const st of STATIONS) {
        this.topicsCycle.push(`factory/${site}/${line}/${st}/cycle`);
        this.topicsState.push(`factory/${site}/${line}/${st}/state`);
      }
    }
  }

  /** How many messages were generated so far. */
  get count(): number {
    return this.i;
  }

  next(ts: number): { topic: string; payload: string } {
    const k = this.i % this.seq.length;
    const seq = this.seq[k]++;
    const n = this.i++;
    if (n % 500 === 499) {
      return { topic: this.topicsState[k], payload: `{"ts":${ts},"seq":${seq},"boot":${this.boot},"state":"running"}` };
    }
    const isOutput = k % STATIONS.length === STATIONS.length - 1;
    const ng = isOutput && n % 200 === 199;
    const unit = `C2612${String(10_000_000 + (this.serial++ % 90_000_000))}`;
    const cycle = 880 + ((n * 7919) % 97);
    const reason = ng ? `,"reason":"${REJECT_REASONS[n % REJECT_REASONS.length]}"` : '';
    return {
      topic: this.topicsCycle[k],
      payload: `{"ts":${ts},"seq":${seq},"boot":${this.boot},"unit":"${unit}","cycle_ms":${cycle},"result":"${ng ? 'ng' : 'ok'}"${reason}}`,
    };
  }
}
