// `serve --demo --config FILE`: an integrator previews their own lines, shifts and timezone on the
// embedded broker and simulator before connecting the plant.
import { describe, it, expect, afterEach, vi } from 'vitest';
import { writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { tempDir } from '../helpers/tmp.ts';
import { startServe, type Served } from '../helpers/serve.ts';
import type { LiveSnapshot } from '../../shared/api.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const taktboard = (...args: string[]) => run(process.execPath, [path.join(ROOT, 'bin/taktboard.mjs'), ...args]).catch((e) => e);

const plant = {
  site: 'yibin',
  timezone: 'America/Chicago',
  lines: [
    { id: 'pack-7', name: '模组线 7', targetTaktS: 2, outputStation: 'eol', stations: ['stack', 'weld', 'eol'] },
  ],
  shifts: [{ name: 'Day', start: '00:00', end: '00:00' }],
};

describe('serve --demo with a plant config', () => {
  let served: Served | undefined;
  afterEach(async () => {
    if (!served) return;
    expect(await served.stop()).toBe(0);
    served = undefined;
  });

  it("simulates the config's own lines on the embedded broker, with the history asked for", async () => {
    const dir = tempDir('demo-config');
    const cfg = path.join(dir, 'plant.json');
    writeFileSync(cfg, JSON.stringify(plant));
    served = await startServe(['--demo', '--config', cfg, '--backfill', '10m', '--db', path.join(dir, 'preview.sqlite')]);
    await vi.waitFor(() => expect(served!.output()).toMatch(/Demo mode: embedded broker mqtt:\/\/127\.0\.0\.1:\d+/));
    const live = (await (await fetch(served.url + 'api/live')).json()) as LiveSnapshot;
    expect(live.lines.map((l) => [l.id, l.name])).toEqual([['pack-7', '模组线 7']]);
    // Ten minutes of a 2 s line with three stations, filled in before the URL was printed.
    expect(live.counters.stored).toBeGreaterThan(3 * 250);
    await vi.waitFor(
      async () => {
        const health = await (await fetch(served!.url + 'api/health')).json();
        expect(health).toMatchObject({ ok: true, broker: 'connected' });
      },
      { timeout: 10_000 },
    );
  });

  it('refuses a broker or a backfill where they make no sense', async () => {
    const dir = tempDir('demo-config-usage');
    const cfg = path.join(dir, 'plant.json');
    writeFileSync(cfg, JSON.stringify(plant));
    const withBroker = await taktboard('serve', '--demo', '--broker', 'mqtt://127.0.0.1:1883', '--port', '0');
    expect(withBroker.code).toBe(2);
    expect(withBroker.stderr).toMatch(/--demo runs its own broker/);
    const backfillReal = await taktboard('serve', '--config', cfg, '--backfill', '1h', '--port', '0', '--db', path.join(dir, 'x.sqlite'));
    expect(backfillReal.code).toBe(2);
    expect(backfillReal.stderr).toMatch(/--backfill is for the demo only/);
    const badDuration = await taktboard('serve', '--demo', '--backfill', 'yesterday', '--port', '0', '--db', path.join(dir, 'y.sqlite'));
    expect(badDuration.code).toBe(2);
    expect(badDuration.stderr).toMatch(/--backfill: bad duration "yesterday"/);
    const formatReal = await taktboard('serve', '--config', cfg, '--format', 'sparkplug', '--port', '0', '--db', path.join(dir, 'z.sqlite'));
    expect(formatReal.code).toBe(2);
    expect(formatReal.stderr).toMatch(/--format is for the demo only/);
    const badFormat = await taktboard('serve', '--demo', '--format', 'opcua', '--port', '0', '--db', path.join(dir, 'w.sqlite'));
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toMatch(/--format must be native, sparkplug, tags, got "opcua"/);
  });
});
