// A generated production day for the History figures: the product's own simulator (10 cell lines, every
// station cycling at the ~1 s line pace, states with breakdowns, breaks and rejects) written through the
// product's Store.commitEvents, the path the demo's backfill takes. The day runs from the first shift's
// start to the last shift's end, so every shift of the date and the daily CSV have a full day behind them.
import fs from 'node:fs';
import { type Config, configOrThrow } from '../../shared/config.ts';
import { shiftInstancesOfDate } from '../../shared/shifts.ts';
import { createSimulator } from '../../main/core/simulator/simulator.ts';
import { Store } from '../../main/core/store/store.ts';
import { benchConfig } from './plant.ts';

const CHUNK_MS = 15 * 60_000;

export interface DayInfo {
  date: string;
  from: number;
  to: number;
  events: number;
  cycles: number;
  states: number;
  rejects: number;
  generateMs: number;
  dbBytes: number;
}

export function dayConfig(brokerUrl: string): Config {
  return configOrThrow(benchConfig({ clientId: 'taktboard-bench-history', brokerUrl }));
}

export function generateDay(file: string, config: Config, date: string, seed = 20261201): DayInfo {
  const t0 = performance.now();
  const shifts = shiftInstancesOfDate(config, date);
  const from = Math.min(...shifts.map((s) => s.start));
  const to = Math.max(...shifts.map((s) => s.end));
  const sim = createSimulator(config, { startTs: from, seed, boot: `day-${date}` });
  const store = Store.open(file, { synchronous: config.storage.synchronous, quarantineRows: config.retention.quarantineRows });
  let events = 0;
  let cycles = 0;
  let states = 0;
  let rejects = 0;
  try {
    for (let t = from; t < to; ) {
      t = Math.min(to - 1, t + CHUNK_MS);
      const batch = sim.advanceTo(t).map((m) => m.event);
      for (const e of batch) {
        if (e.kind === 'cycle') {
          cycles++;
          if (e.ok === false) rejects++;
        } else states++;
      }
      events += store.writer.commitEvents(batch, to + 1000).stored;
      if (t >= to - 1) break;
    }
    store.db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    store.close();
  }
  return { date, from, to, events, cycles, states, rejects, generateMs: performance.now() - t0, dbBytes: fs.statSync(file).size };
}
