// Database care against real SQLite files: online backups (self-contained, only the newest N kept, on a
// schedule), retention of raw events in small batches with the rollups kept, and recovery from a damaged file
// at open (moved aside, newest good backup restored or a new database, words for the user).
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { TelemetryEvent } from '../../shared/telemetry.ts';
import { type Config, configOrThrow } from '../../shared/config.ts';
import { listBackups, openStoreChecked, startMaintenance, type Maintenance } from '../../main/core/store/maintenance.ts';
import { Store } from '../../main/core/store/store.ts';
import { useTempDirs } from '../helpers/tmp.ts';

const tempDir = useTempDirs();
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 1, 6, 0, 0);
const stores: Store[] = [];
const schedules: Maintenance[] = [];
afterEach(async () => {
  for (const m of schedules.splice(0)) await m.stop();
  for (const s of stores.splice(0)) if (s.db.open) s.close();
});

function makeConfig(over: Record<string, unknown> = {}): Config {
  return configOrThrow({
    site: 'care',
    lines: [{ id: 'l1', name: 'L1', targetTaktS: 1, outputStation: 'out', stations: ['out'] }],
    shifts: [{ name: 'A', start: '06:00', end: '18:00' }],
    ...over,
  });
}

function cycle(seq: number, ts: number): TelemetryEvent {
  return { line: 'l1', station: 'out', kind: 'cycle', ts, seq, boot: '', cycleMs: 900, ok: true };
}

function storeAt(file: string): Store {
  const s = Store.open(file, { synchronous: 'NORMAL', quarantineRows: 10 });
  stores.push(s);
  return s;
}

const count = (s: Store, sql = 'SELECT COUNT(*) FROM events') => s.db.prepare(sql).pluck().get() as number;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** XOR every byte of pages 2..n: b-tree pages that no reader or quick_check can take for valid ones. */
function damagePages(file: string): void {
  const buf = fs.readFileSync(file);
  const pageSize = buf.readUInt16BE(16) === 1 ? 65536 : buf.readUInt16BE(16);
  for (let i = pageSize; i < buf.length; i++) buf[i] ^= 0xff;
  fs.writeFileSync(file, buf);
}

describe('backups', () => {
  it('takes online backups as single self-contained files and keeps only the newest backupsKept', async () => {
    const dir = tempDir('care');
    const file = path.join(dir, 'taktboard.sqlite');
    const s = storeAt(file);
    for (let i = 1; i <= 20; i++) s.writer.commitEvent(cycle(i, NOW - i * 1000), NOW);
    let t = NOW;
    const m = startMaintenance({ store: s, config: makeConfig({ storage: { backupsKept: 2 } }), onAlert: () => {}, now: () => t, tickMs: 1e9 });
    schedules.push(m);
    const made: string[] = [];
    for (let k = 0; k < 4; k++) {
      t += 3_600_000;
      made.push(await m.backupNow());
    }
    const kept = listBackups(file);
    expect(kept.map((b) => b.file)).toEqual([made[3], made[2]]);
    expect(kept.every((b) => path.dirname(b.file) === path.join(dir, 'backups'))).toBe(true);
    expect(fs.readdirSync(path.join(dir, 'backups')).sort()).toEqual(kept.map((b) => path.basename(b.file)).sort());
    expect(s.care.info().lastBackup).toMatchObject({ path: made[3] });
    const copy = new Database(made[3], { readonly: true });
    try {
      expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
      expect(copy.pragma('quick_check', { simple: true })).toBe('ok');
      expect(copy.prepare('SELECT COUNT(*) FROM events').pluck().get()).toBe(20);
    } finally {
      copy.close();
    }
  });

  it('backs up on the storage.backupEveryH schedule while commits go on', async () => {
    const file = path.join(tempDir('care'), 'db.sqlite');
    const s = storeAt(file);
    // 0.0001 h = 360 ms.
    const m = startMaintenance({ store: s, config: makeConfig({ storage: { backupEveryH: 0.0001, backupsKept: 3 } }), onAlert: () => {}, tickMs: 40 });
    schedules.push(m);
    const deadline = Date.now() + 8000;
    for (let seq = 1; Date.now() < deadline && listBackups(file).length < 3; seq++) {
      s.writer.commitEvent(cycle(seq, NOW + seq), NOW);
      await sleep(5);
    }
    expect(listBackups(file).length).toBe(3);
    await sleep(1000);
    expect(listBackups(file).length).toBe(3);
    expect(s.care.info().lastBackup?.path).toBe(listBackups(file)[0].file);
  }, 20_000);

  it('takes none when backupEveryH or backupsKept is 0', async () => {
    const file = path.join(tempDir('care'), 'db.sqlite');
    const s = storeAt(file);
    const m = startMaintenance({ store: s, config: makeConfig({ storage: { backupEveryH: 0 } }), onAlert: () => {}, tickMs: 20 });
    schedules.push(m);
    await sleep(200);
    expect(listBackups(file)).toEqual([]);
  });
});

describe('retention', () => {
  it('prunes raw events older than retention.rawDays in small batches and keeps the rollups', async () => {
    const file = path.join(tempDir('care'), 'db.sqlite');
    const s = storeAt(file);
    const old = Array.from({ length: 1000 }, (_, i) => cycle(i + 1, NOW - 40 * DAY + i * 1000));
    const recent = Array.from({ length: 50 }, (_, i) => cycle(2000 + i, NOW - DAY + i * 1000));
    s.writer.commitEvents([...old, ...recent], NOW);
    const rollupUnits = () => count(s, 'SELECT SUM(units) FROM rollups');
    expect(rollupUnits()).toBe(1050);
    const m = startMaintenance({ store: s, config: makeConfig({ retention: { rawDays: 35 } }), onAlert: () => {}, now: () => NOW, tickMs: 1e9, pruneBatchRows: 100 });
    schedules.push(m);
    expect(await m.pruneNow()).toBe(1000);
    expect(count(s)).toBe(50);
    expect(count(s, `SELECT MIN(ts) FROM events`)).toBe(NOW - DAY);
    expect(rollupUnits()).toBe(1050);
    expect(s.reads.rollups('l1', s.reads.stationsSeen('l1'), NOW - 41 * DAY, NOW - 39 * DAY).length).toBeGreaterThan(0);
    expect(await m.pruneNow()).toBe(0);
  });

  it('runs on the timer', async () => {
    const file = path.join(tempDir('care'), 'db.sqlite');
    const s = storeAt(file);
    s.writer.commitEvents(Array.from({ length: 300 }, (_, i) => cycle(i + 1, Date.now() - 10 * DAY + i)), Date.now());
    s.writer.commitEvent(cycle(1000, Date.now()), Date.now());
    const m = startMaintenance({ store: s, config: makeConfig({ retention: { rawDays: 1 }, storage: { backupEveryH: 0 } }), onAlert: () => {}, tickMs: 20, pruneBatchRows: 50 });
    schedules.push(m);
    const deadline = Date.now() + 5000;
    while (count(s) > 1 && Date.now() < deadline) await sleep(20);
    expect(count(s)).toBe(1);
    expect(count(s, 'SELECT SUM(units) FROM rollups')).toBe(301);
  });
});

describe('a damaged file at open (RELIABILITY row 17)', () => {
  it('keeps a good file and records quick_check', () => {
    const file = path.join(tempDir('care'), 'ok.sqlite');
    const { store, recovery } = openStoreChecked(file, makeConfig());
    stores.push(store);
    expect(recovery).toBeNull();
    expect(store.care.info().lastQuickCheck).toMatchObject({ ok: true, detail: 'ok' });
  });

  it('moves a file with damaged pages aside and restores the newest good backup', async () => {
    const config = makeConfig();
    const dir = tempDir('care');
    const file = path.join(dir, 'taktboard.sqlite');
    const s = Store.open(file, { synchronous: 'NORMAL', quarantineRows: 10 });
    for (let i = 1; i <= 30; i++) s.writer.commitEvent(cycle(i, NOW + i * 1000), NOW);
    let t = NOW;
    const m = startMaintenance({ store: s, config, onAlert: () => {}, now: () => t, tickMs: 1e9 });
    const older = await m.backupNow();
    for (let i = 31; i <= 40; i++) s.writer.commitEvent(cycle(i, NOW + i * 1000), NOW);
    t += 60_000;
    const newer = await m.backupNow();
    await m.stop();
    s.close();
    damagePages(newer); // the newest backup is bad too: the one before it is used
    damagePages(file);

    const { store, recovery } = openStoreChecked(file, config, () => NOW + DAY);
    stores.push(store);
    expect(recovery?.restoredFrom).toBe(older);
    expect(recovery?.movedTo).toMatch(/taktboard\.sqlite\.corrupt-20261202-060000-000$/);
    expect(fs.existsSync(recovery!.movedTo)).toBe(true);
    expect(recovery?.message).toMatch(/damaged.*moved aside to taktboard\.sqlite\.corrupt-.*backup of 2026-12-01 06:00 UTC was restored/);
    expect(store.writer.counters().stored).toBe(30);
    expect(store.care.info().lastQuickCheck?.ok).toBe(true);
    // A second start finds a good file: nothing moved again.
    store.close();
    const again = openStoreChecked(file, config);
    stores.push(again.store);
    expect(again.recovery).toBeNull();
    expect(fs.readdirSync(dir).filter((f) => f.includes('.corrupt-'))).toHaveLength(1);
  });

  it('starts a new database when a file that is not a database has no backup', () => {
    const dir = tempDir('care');
    const file = path.join(dir, 'taktboard.sqlite');
    const s = Store.open(file, { synchronous: 'NORMAL', quarantineRows: 10 });
    s.writer.commitEvent(cycle(1, NOW), NOW);
    s.close();
    const buf = fs.readFileSync(file);
    for (let i = 0; i < 16; i++) buf[i] ^= 0x5a; // the header: "SQLite format 3"
    fs.writeFileSync(file, buf);

    const { store, recovery } = openStoreChecked(file, makeConfig());
    stores.push(store);
    expect(recovery?.restoredFrom).toBeNull();
    expect(recovery?.message).toMatch(/no usable backup.*new, empty database/);
    expect(store.writer.counters().stored).toBe(0);
    expect(fs.readFileSync(recovery!.movedTo).equals(buf)).toBe(true);
    store.writer.commitEvent(cycle(1, NOW), NOW);
    expect(store.writer.counters().stored).toBe(1);
  });

  it('does not move aside a file it cannot open for other reasons (a newer build’s schema)', () => {
    const file = path.join(tempDir('care'), 'taktboard.sqlite');
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    expect(() => openStoreChecked(file, makeConfig())).toThrow(/newer than this Taktboard build/);
    expect(fs.readdirSync(path.dirname(file)).filter((f) => f.includes('.corrupt-'))).toEqual([]);
  });
});
