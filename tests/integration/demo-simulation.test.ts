// The demo as an integrator tries it: `serve --demo --format sparkplug|tags` (issue 12) publishes as a PLC
// gateway would, read back through the adapters it configures; a line added in Settings is simulated too.
import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { startRuntime, type Runtime } from '../../main/core/runtime.ts';
import { READER, SUPERVISOR } from '../helpers/callers.ts';
import { localDate } from '../../shared/shifts.ts';
import type { LiveLine } from '../../shared/api.ts';
import { tempDir } from '../helpers/tmp.ts';
import { waitFor } from '../helpers/wait.ts';
import { QUIET_BACKFILL_MS, roundTheClockConfig } from '../fixtures/round-the-clock.ts';

async function liveLines(runtime: Runtime) {
  return (await runtime.core.handlers.live({}, READER)).lines;
}

describe.each(['sparkplug', 'tags'] as const)('demo --format %s', (format) => {
  it('shows the configured lines live, every station fed through its adapter', async () => {
    const config = roundTheClockConfig();
    const runtime = await startRuntime({ demo: true, config, format, dbPath: path.join(tempDir(`demo-${format}`), 'demo.sqlite'), backfillMs: QUIET_BACKFILL_MS });
    try {
      const before = new Map((await liveLines(runtime)).map((l) => [l.id, l.shiftUnits]));
      const stations = config.lines.flatMap((l) => l.stations.map((s) => `${l.id}/${s}`));
      // The 1 s line's stations count units within seconds; the 60 s line's have at least reported.
      const cellStations = stations.filter((s) => s.startsWith('yibin-cell-1/'));
      let status = (await runtime.core.handlers.diagnostics({}, READER)).inputs;
      await waitFor(`every station is fed through the ${format} adapter`, () => {
        void Promise.resolve(runtime.core.handlers.diagnostics({}, READER)).then((d) => (status = d.inputs));
        const sources = status.inputs.flatMap((i) => i.sources);
        const sampled = new Set(sources.filter((s) => s.lastSampleAt !== null).map((s) => `${s.line}/${s.station}`));
        const counting = new Set(sources.filter((s) => s.units > 0).map((s) => `${s.line}/${s.station}`));
        return stations.every((s) => sampled.has(s)) && cellStations.every((s) => counting.has(s));
      }, 30_000);
      expect(status.inputs.map((i) => i.kind)).toEqual([format]);
      if (format === 'sparkplug') expect(status.inputs[0].nodes.filter((n) => n.online).map((n) => n.node).sort()).toEqual(config.lines.map((l) => l.id).sort());

      // Live units go on after the natively filled-in history, at the lines' own pace.
      await new Promise((r) => setTimeout(r, 3000));
      const lines = await liveLines(runtime);
      expect(lines.map((l) => l.id).sort()).toEqual(config.lines.map((l) => l.id).sort());
      const cell = lines.find((l) => l.id === 'yibin-cell-1')!;
      expect(cell.configured).toBe(true);
      expect(cell.shiftUnits).toBeGreaterThan(before.get('yibin-cell-1')!);
      expect(cell.actualTaktS).not.toBeNull();
      expect(cell.actualTaktS!).toBeGreaterThan(0.8);
      expect(cell.actualTaktS!).toBeLessThan(1.25);
      const counters = (await runtime.core.handlers.live({}, READER)).counters;
      expect(counters.quarantined).toBe(0);
    } finally {
      await runtime.stop();
    }
  }, 60_000);
});

describe('demo and Settings', () => {
  it('simulates a line added in Settings, so the Overview shows it receiving telemetry', async () => {
    const config = roundTheClockConfig();
    const runtime = await startRuntime({ demo: true, config, dbPath: path.join(tempDir('demo-added-line'), 'demo.sqlite'), backfillMs: 60_000 });
    try {
      const added = { id: 'pack-2', name: '模组线 2', targetTaktS: 2, outputStation: 'eol', stations: ['stack', 'eol'] };
      const next = { ...runtime.core.config, lines: [...runtime.core.config.lines, added] };
      const saved = await runtime.core.handlers.applyConfig({ config: next, effectiveFrom: localDate(config.timezone, Date.now()) }, SUPERVISOR);
      expect(saved.ok).toBe(true);
      let line: LiveLine | undefined;
      await waitFor('the added line makes units', () => {
        void Promise.resolve(runtime.core.handlers.live({}, READER)).then((s) => (line = s.lines.find((l) => l.id === 'pack-2')));
        return (line?.shiftUnits ?? 0) >= 2;
      }, 20_000);
      expect(line).toMatchObject({ configured: true, name: '模组线 2', targetTaktS: 2 });
      expect(line!.stations.map((s) => [s.id, s.configured])).toEqual([['stack', true], ['eol', true]]);
    } finally {
      await runtime.stop();
    }
  }, 40_000);
});

describe('demo --format', () => {
  it('is for the demo only', async () => {
    await expect(startRuntime({ config: roundTheClockConfig(), format: 'sparkplug', dbPath: path.join(tempDir('demo-format-plant'), 'p.sqlite') })).rejects.toThrow(/demo only/);
  });
});
