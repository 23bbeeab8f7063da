// Each finished production day lands in autoExportDir once, with the same bytes as `taktboard export`.
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { configOrThrow } from '../../shared/config.ts';
import { Store } from '../../main/core/store/store.ts';
import { exportFinishedDays, finishedDates } from '../../main/core/auto-export.ts';
import { dailyCsvOf } from '../../main/core/history.ts';
import { tempDir } from '../helpers/tmp.ts';
import { knownDayConfig } from '../fixtures/known-day.ts';

describe('automatic daily export', () => {
  const dir = tempDir('auto-export');
  const config = configOrThrow({ ...knownDayConfig, autoExportDir: path.join(dir, 'out') });

  it('counts a day as finished only when its night shift has ended', () => {
    // The Night shift of 2026-11-20 ends 2026-11-21 06:00 in Chicago (12:00 UTC).
    expect(finishedDates(config, Date.parse('2026-11-21T11:59:00Z'))).not.toContain('2026-11-20');
    expect(finishedDates(config, Date.parse('2026-11-21T12:00:00Z'))).toContain('2026-11-20');
  });

  it('writes each finished day once, byte for byte the daily CSV, and never overwrites', () => {
    const store = Store.open(path.join(dir, 'db.sqlite'), { synchronous: 'NORMAL', quarantineRows: 100 });
    try {
      const now = Date.parse('2026-11-21T13:00:00Z');
      const written = exportFinishedDays(store, config, config.autoExportDir!, now);
      expect(written.map((f) => path.basename(f))).toContain('taktboard-daily-2026-11-20.csv');
      const file = path.join(config.autoExportDir!, 'taktboard-daily-2026-11-20.csv');
      expect(readFileSync(file, 'utf8')).toBe(dailyCsvOf(store, config, '2026-11-20').csv);
      writeFileSync(file, 'kept');
      expect(exportFinishedDays(store, config, config.autoExportDir!, now)).toEqual([]);
      expect(readFileSync(file, 'utf8')).toBe('kept');
      expect(readdirSync(config.autoExportDir!).some((f) => f.endsWith('.tmp'))).toBe(false);
    } finally {
      store.close();
    }
  });
});
