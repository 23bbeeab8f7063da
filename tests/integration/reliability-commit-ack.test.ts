// RELIABILITY row 5: serve dies after committing messages and before acknowledging them. The broker
// redelivers them; each redelivery is counted as a duplicate and the rows are unchanged.
// The queued messages arrive as one burst, and a burst is committed in one transaction (group commit),
// so the crash comes after the commit that holds the 5th message: at least 5 are committed, none acknowledged.
import { describe, it, expect, afterAll, vi } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { requireBinary, startMosquitto } from '../helpers/brokers.ts';
import { tempDir } from '../helpers/tmp.ts';
import { startServe, type Served } from '../helpers/serve.ts';

const config = {
  site: 'yibin',
  broker: { clientId: 'taktboard-it-commit-ack', protocolVersion: 5 },
  lines: [{ id: 'l1', name: 'Line 1', targetTaktS: 1, outputStation: 'out', stations: ['out'] }],
  shifts: [{ name: 'All day', start: '00:00', end: '00:00' }],
};

describe.skipIf(!requireBinary('mosquitto'))('crash between commit and acknowledgement', () => {
  let broker: Awaited<ReturnType<typeof startMosquitto>>;
  let served: Served | undefined;
  afterAll(async () => {
    await served?.stop();
    await broker?.stop();
  });

  it('redelivers the committed but unacknowledged message, counts it as a duplicate, stores it once', async () => {
    broker = await startMosquitto({ persistence: true });
    const dir = tempDir('commit-ack');
    const cfg = path.join(dir, 'plant.json');
    const db = path.join(dir, 'plant.sqlite');
    writeFileSync(cfg, JSON.stringify(config));
    const args = ['--config', cfg, '--db', db, '--broker', broker.url];

    // First start only to create the persistent session, so the broker queues for it while it is down.
    served = await startServe(args);
    // Connected means subscribed too: the SUBSCRIBE is written on connect, ahead of the DISCONNECT.
    await vi.waitFor(async () => expect(await (await fetch(served!.url + 'api/health')).json()).toMatchObject({ broker: 'connected' }), { timeout: 10_000 });
    const firstExit = await served.stop();
    expect(firstExit, served.output()).toBe(0);

    const pub = await mqtt.connectAsync(broker.url, { clientId: 'commit-ack-pub', protocolVersion: 5 });
    const base = Date.now() - 10_000;
    for (let i = 0; i < 10; i++) await pub.publishAsync('factory/yibin/l1/out/cycle', JSON.stringify({ ts: base + i * 1000, seq: i }), { qos: 1 });
    await pub.endAsync();

    served = await startServe(args, { TAKTBOARD_FAULT_KILL_AFTER_COMMIT: '5' });
    // The fault point kills the process itself: no exit code, the signal SIGKILL.
    const proc = served.proc;
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve({ code: proc.exitCode, signal: proc.signalCode });
      proc.once('exit', (code, signal) => resolve({ code, signal }));
    });
    expect(exit, served.output()).toEqual({ code: null, signal: 'SIGKILL' });

    const mid = new Database(db, { readonly: true });
    const committed = (mid.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
    mid.close();
    expect(committed).toBeGreaterThanOrEqual(5);

    served = await startServe(args);
    const deadline = Date.now() + 20_000;
    let live = await (await fetch(served.url + 'api/live')).json();
    // The fatal commit held the 5th message; up to 4 before it may have been committed and acknowledged
    // in an earlier burst. Everything of the fatal commit comes again.
    const unacknowledged = Math.max(1, committed - 4);
    while ((live.counters.stored < 10 || live.counters.duplicates < unacknowledged) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      live = await (await fetch(served.url + 'api/live')).json();
    }
    expect(live.counters.stored).toBe(10);
    expect(live.counters.duplicates).toBeGreaterThanOrEqual(unacknowledged);
    expect(live.counters.duplicates).toBeLessThanOrEqual(committed);
    expect(await served.stop()).toBe(0);
    served = undefined;
    const after = new Database(db, { readonly: true });
    try {
      expect(after.prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT seq) AS d FROM events').get()).toEqual({ n: 10, d: 10 });
      expect(after.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      after.close();
    }
  });
});
