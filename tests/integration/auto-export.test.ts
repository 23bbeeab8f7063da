// Each finished production day lands in autoExportDir with the bytes of `taktboard export`, only after the
// broker's backlog has drained, and late telemetry that changes a day gives a revised file beside the first
// one, never an overwrite. The reads are the product's own (createReadHandlers on a real SQLite file).
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { configOrThrow } from '../../shared/config.ts';
import type { TelemetryEvent } from '../../shared/telemetry.ts';
import { singleVersion } from '../../shared/versions.ts';
import { Store } from '../../main/core/store/store.ts';
import { finishedDates, startAutoExport } from '../../main/core/auto-export.ts';
import { createReadHandlers, type ReadName } from '../../main/core/reads/read-handlers.ts';
import { tempDir } from '../helpers/tmp.ts';
import { knownDayConfig } from '../fixtures/known-day.ts';

describe('automatic daily export', () => {
  const dir = tempDir('auto-export');
  const config = configOrThrow({ ...knownDayConfig, autoExportDir: path.join(dir, 'out') });
  const versions = singleVersion(config);

  it('counts a day as finished only when its night shift has ended', () => {
    // The Night shift of 2026-11-20 ends 2026-11-21 06:00 in Chicago (12:00 UTC).
    expect(finishedDates(versions, Date.parse('2026-11-21T11:59:00Z'))).not.toContain('2026-11-20');
    expect(finishedDates(versions, Date.parse('2026-11-21T12:00:00Z'))).toContain('2026-11-20');
  });

  it('waits for the backlog to drain, writes each day once, and a revision when late telemetry changes it', async () => {
    const store = Store.open(path.join(dir, 'db.sqlite'), { synchronous: 'NORMAL', quarantineRows: 100 });
    try {
      const reads = createReadHandlers(store.reads, () => versions);
      const pool = { call: async <N extends ReadName>(name: N, args: Parameters<(typeof reads)[N]>[0]) => (reads[name] as (a: unknown) => unknown)(args) as never };
      let now = Date.parse('2026-11-21T13:00:00Z');
      let idle = false;
      const listeners: ((e: TelemetryEvent) => void)[] = [];
      const auto = startAutoExport({
        config,
        pool,
        versions: () => versions,
        ingestIdle: () => idle,
        pipeline: { onEvent: (l) => (listeners.push(l), () => undefined) },
        now: () => now,
        everyMs: 3_600_000,
      });
      const out = config.autoExportDir!;
      const day = path.join(out, 'taktboard-daily-2026-11-20.csv');
      const expected = () => reads.dailyCsv({ date: '2026-11-20', now }).csv;

      // Still delivering the backlog: nothing is written.
      expect(await auto.run()).toEqual([]);
      idle = true;
      expect(await auto.run()).toEqual([]);
      now += 11_000;
      const written = await auto.run();
      expect(written.map((f) => path.basename(f))).toContain('taktboard-daily-2026-11-20.csv');
      expect(readFileSync(day, 'utf8')).toBe(expected());

      // Nothing new: no second file.
      now += 60_000;
      expect(await auto.run()).toEqual([]);

      // A late unit of that day arrives (the broker delivered it after a reconnect).
      const late: TelemetryEvent = { line: 'L1', station: 'out', kind: 'cycle', ts: Date.parse('2026-11-20T15:00:00Z'), seq: 999_999, boot: 'late', ok: true };
      store.writer.commitEvent(late, now);
      for (const l of listeners) l(late);
      now += 11_000;
      const revised = await auto.run();
      expect(revised.map((f) => path.basename(f))).toEqual(['taktboard-daily-2026-11-20-rev2.csv']);
      expect(readFileSync(revised[0], 'utf8')).toBe(expected());
      expect(readFileSync(day, 'utf8')).not.toBe(expected());
      expect(readdirSync(out).some((f) => f.endsWith('.tmp'))).toBe(false);
      auto.stop();
    } finally {
      store.close();
    }
  });
});
