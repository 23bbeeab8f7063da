// RELIABILITY.md row 17 through the service: a database file damaged while the app was down. startCore must not
// crash (and so not crash-loop): the file is moved aside, the newest backup restored or a new database started,
// the user told ('db_recovered' in the live snapshot's alerts, in words) and quick_check recorded in Diagnostics.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import Database from 'better-sqlite3';
import { type Config, configOrThrow } from '../../shared/config.ts';
import type { Core } from '../../main/core/core-types.ts';
import { startCore } from '../../main/core/service.ts';
import { damageMarkerOf, listBackups, startMaintenance } from '../../main/core/store/maintenance.ts';
import { Store } from '../../main/core/store/store.ts';
import { READER } from '../helpers/callers.ts';
import { useTempDirs } from '../helpers/tmp.ts';

const tempDir = useTempDirs();
const T0 = Date.UTC(2026, 11, 1, 6, 0, 0);
// Nothing listens here: the core stays offline and retries, which is all these tests need from the broker side.
const NO_BROKER = 'mqtt://127.0.0.1:1';
let cores: Core[] = [];
afterEach(async () => {
  for (const c of cores) await c.stop();
  cores = [];
});

function config(): Config {
  return configOrThrow({
    site: 'rec',
    lines: [{ id: 'l1', name: 'L1', targetTaktS: 1, outputStation: 'out', stations: ['out'] }],
    shifts: [{ name: 'A', start: '06:00', end: '18:00' }],
  });
}

async function start(dbPath: string, syncCheckMaxBytes?: number): Promise<Core> {
  const core = await startCore({ config: config(), dbPath, brokerUrl: NO_BROKER, syncCheckMaxBytes });
  cores.push(core);
  return core;
}

const alertsOf = async (c: Core) => (await c.handlers.live({}, READER)).alerts;
const diagnostics = async (c: Core) => await c.handlers.diagnostics({}, READER);

/** A database with `n` events, closed; optionally with one backup taken after `backedUp` of them. */
async function prepare(dir: string, n: number, backedUp?: number): Promise<string> {
  const file = path.join(dir, 'taktboard.sqlite');
  const s = Store.open(file, { synchronous: 'NORMAL', quarantineRows: 10 });
  const m = startMaintenance({ store: s, config: config(), onAlert: () => {}, tickMs: 1e9 });
  for (let seq = 1; seq <= n; seq++) {
    s.writer.commitEvent({ line: 'l1', station: 'out', kind: 'cycle', ts: T0 + seq * 1000, seq, boot: '', cycleMs: 900, ok: true }, T0);
    if (seq === backedUp) await m.backupNow();
  }
  await m.stop();
  s.close();
  return file;
}

function flipPages(file: string): void {
  const buf = fs.readFileSync(file);
  for (let i = 4096; i < buf.length; i++) buf[i] ^= 0xff;
  fs.writeFileSync(file, buf);
}

describe('damaged database at start (row 17)', () => {
  it('moves it aside, restores the backup, starts, and tells the user', async () => {
    const dir = tempDir('recover');
    const file = await prepare(dir, 40, 25);
    flipPages(file);

    const core = await start(file);
    const alert = (await alertsOf(core)).find((a) => a.code === 'db_recovered');
    expect(alert?.message).toMatch(/database file was damaged.*moved aside to taktboard\.sqlite\.corrupt-.*backup of .* was restored/);
    const d = (await diagnostics(core));
    expect(d.counters.stored).toBe(25);
    expect(d.db.lastQuickCheck).toMatchObject({ ok: true, detail: 'ok' });
    expect(d.db.lastBackup?.path).toBe(listBackups(file)[0].file);
    expect(fs.readdirSync(dir).filter((f) => /^taktboard\.sqlite\.corrupt-\d{8}-\d{6}-\d{3}$/.test(f))).toHaveLength(1);

    // Next start: the restored file is fine, no second move, no banner.
    await core.stop();
    cores = [];
    const again = await start(file);
    expect((await alertsOf(again)).find((a) => a.code === 'db_recovered')).toBeUndefined();
    expect((await diagnostics(again)).counters.stored).toBe(25);
    expect(fs.readdirSync(dir).filter((f) => f.includes('.corrupt-'))).toHaveLength(1);
  });

  it('starts a new database when there is no backup, and says the history is not shown', async () => {
    const dir = tempDir('recover');
    const file = await prepare(dir, 10);
    flipPages(file);

    const core = await start(file);
    const alert = (await alertsOf(core)).find((a) => a.code === 'db_recovered');
    expect(alert?.message).toMatch(/no usable backup.*new, empty database/);
    const d = (await diagnostics(core));
    expect(d.counters.stored).toBe(0);
    expect(d.db.lastQuickCheck?.ok).toBe(true);
    expect(d.db.lastBackup).toBeNull();
  });

  it('records quick_check for a good file and raises nothing', async () => {
    const file = await prepare(tempDir('recover'), 5);
    const core = await start(file);
    expect((await alertsOf(core))).toEqual([]);
    expect((await diagnostics(core)).db.lastQuickCheck).toMatchObject({ ok: true });
  });
});

/**
 * Damages two leaf pages of the events table: the file still opens. The oldest events are read by nothing
 * at start, so only quick_check finds them; the newest are what the live view reads first.
 */
function damageEventPages(file: string, which: 'oldest' | 'newest'): void {
  const db = new Database(file, { readonly: true });
  const pages = db.prepare("SELECT pageno, (SELECT page_size FROM pragma_page_size) AS size FROM dbstat WHERE name = 'events' AND pagetype = 'leaf'").all() as { pageno: number; size: number }[];
  db.close();
  const buf = fs.readFileSync(file);
  for (const { pageno, size } of which === 'oldest' ? pages.slice(1, 3) : pages.slice(-2)) for (let i = (pageno - 1) * size + 8; i < pageno * size; i++) buf[i] ^= 0xa5;
  fs.writeFileSync(file, buf);
}

describe('a large file is quick_checked in the background (row 17 without holding up ingest)', () => {
  it('records the result in Diagnostics when the file is good', async () => {
    const file = await prepare(tempDir('bg-check'), 50);
    const core = await start(file, 0);
    await vi.waitFor(async () => expect((await diagnostics(core)).db.lastQuickCheck).toMatchObject({ ok: true, detail: 'ok' }), { timeout: 10_000 });
    expect(await alertsOf(core)).toEqual([]);
    expect(fs.existsSync(damageMarkerOf(file))).toBe(false);
  });

  it('damage found while running stops writes, says so, and the next start recovers from the backup', async () => {
    const dir = tempDir('bg-check');
    const file = await prepare(dir, 3000, 2000);
    damageEventPages(file, 'oldest');

    const core = await start(file, 0);
    // The file opened: the core runs on it until the worker's quick_check reports.
    await vi.waitFor(async () => expect((await alertsOf(core)).map((a) => a.code)).toContain('db_damaged'), { timeout: 10_000 });
    const alert = (await alertsOf(core)).find((a) => a.code === 'db_damaged')!;
    expect(alert.message).toMatch(/database file is damaged \(quick_check: .+\)\. Nothing more is stored or acknowledged.*Restart Taktboard/);
    expect((await diagnostics(core)).db.lastQuickCheck?.ok).toBe(false);
    expect(fs.existsSync(damageMarkerOf(file))).toBe(true);
    await core.stop();
    cores = [];

    // The next start trusts the marker: moved aside, newest good backup restored, the marker gone.
    const again = await start(file, 0);
    const recovered = (await alertsOf(again)).find((a) => a.code === 'db_recovered');
    expect(recovered?.message).toMatch(/quick_check: .*moved aside to taktboard\.sqlite\.corrupt-.*backup of .* was restored/);
    expect((await diagnostics(again)).counters.stored).toBe(2000);
    expect(fs.existsSync(damageMarkerOf(file))).toBe(false);
    expect(fs.readdirSync(dir).filter((f) => f.includes('.corrupt-'))).toHaveLength(1);
  });

  it('damage the start-up reads meet is recovered at once, as with the check before start', async () => {
    const dir = tempDir('bg-check');
    const file = await prepare(dir, 3000, 2000);
    damageEventPages(file, 'newest');
    const core = await start(file, 0);
    expect((await alertsOf(core)).find((a) => a.code === 'db_recovered')?.message).toMatch(/malformed.*backup of .* was restored/);
    expect((await diagnostics(core)).counters.stored).toBe(2000);
    expect(fs.existsSync(damageMarkerOf(file))).toBe(false);
  });
});
