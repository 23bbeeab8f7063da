// The demo is restarted as often as an operator likes: history is filled in once, never twice.
import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { startRuntime } from '../../main/core/runtime.ts';
import { READER } from '../helpers/callers.ts';
import { tempDir } from '../helpers/tmp.ts';
import { QUIET_BACKFILL_MS, roundTheClockConfig } from '../fixtures/round-the-clock.ts';

describe('demo restart', () => {
  it('fills in history only after what the database holds', async () => {
    const db = path.join(tempDir('demo-restart'), 'demo.sqlite');
    const opts = { demo: true, config: roundTheClockConfig(), dbPath: db, backfillMs: QUIET_BACKFILL_MS };
    const first = await startRuntime(opts);
    const stored1 = (await first.core.handlers.live({}, READER)).counters.stored;
    await first.stop();
    expect(stored1).toBeGreaterThan(20 * 60 * 4);

    const second = await startRuntime(opts);
    const snap = await second.core.handlers.live({}, READER);
    await second.stop();
    // Only the seconds between the two starts were added, not another 20 minutes.
    expect(snap.counters.stored - stored1).toBeLessThan(200);
    const cell = snap.lines.find((l) => l.id === 'yibin-cell-1')!;
    expect(cell.actualTaktS).not.toBeNull();
    expect(cell.actualTaktS!).toBeGreaterThan(0.9);
    expect(cell.actualTaktS!).toBeLessThan(1.1);
  });
});
