// The store against a real SQLite file: identity, gaps, rollups, reads, quarantine bound, counters that
// survive a reopen, migrations from an older file, and failed commits (disk full, locked) that leave
// nothing behind, neither in the file nor in the store's memory.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { TelemetryEvent } from '../../shared/telemetry.ts';
import { MIGRATIONS, SCHEMA_VERSION, migrate, openDatabase } from '../../main/core/store/db.ts';
import { DB_DAMAGED, Store, reasonKey } from '../../main/core/store/store.ts';
import { storageAlert } from '../../main/core/ingest/words.ts';
import { setLogLevel, setLogSink, type Level } from '../../main/core/log.ts';
import { useTempDirs } from '../helpers/tmp.ts';

const tempDir = useTempDirs();
const T0 = Date.UTC(2026, 11, 1, 6, 0, 0);
const open: Store[] = [];

function newStore(file = path.join(tempDir('store'), 'taktboard.sqlite'), quarantineRows = 1000): Store {
  const s = Store.open(file, { synchronous: 'NORMAL', quarantineRows });
  open.push(s);
  return s;
}

afterEach(() => {
  for (const s of open.splice(0)) if (s.db.open) s.close();
});

function cycle(seq: number, over: Partial<TelemetryEvent> = {}): TelemetryEvent {
  return { line: 'l1', station: 'out', kind: 'cycle', ts: T0 + seq * 1000, seq, boot: '', cycleMs: 900, ok: true, ...over };
}

function state(seq: number, st: TelemetryEvent['state'], ts: number, over: Partial<TelemetryEvent> = {}): TelemetryEvent {
  return { line: 'l1', station: 'out', kind: 'state', ts, seq, boot: '', state: st, ...over };
}

const rows = (s: Store) => s.db.prepare('SELECT COUNT(*) FROM events').pluck().get() as number;

describe('identity and gaps', () => {
  it('stores 1,2,2,4,3 as four rows, one duplicate, and no gap left', () => {
    const s = newStore();
    const results = [1, 2, 2, 4, 3].map((n) => s.writer.commitEvent(cycle(n), T0));
    expect(results).toEqual(['stored', 'stored', 'duplicate', 'stored', 'stored']);
    expect(rows(s)).toBe(4);
    expect(s.reads.gaps()).toEqual([]);
    expect(s.writer.counters()).toEqual({ received: 5, stored: 4, duplicates: 1, quarantined: 0, gapsMissing: 0 });
  });

  it('records 10 → 20 as the gap 11–19; a new boot starting at 0 is a new stream, not duplicates or a gap', () => {
    const s = newStore();
    s.writer.commitEvent(cycle(10), T0 + 1);
    s.writer.commitEvent(cycle(20), T0 + 2);
    expect(s.reads.gaps()).toEqual([{ line: 'l1', station: 'out', boot: '', fromSeq: 11, toSeq: 19, missing: 9, detectedAt: T0 + 2 }]);
    expect(s.writer.commitEvent(cycle(0, { boot: 'b2', ts: T0 + 30_000 }), T0 + 3)).toBe('stored');
    expect(s.writer.commitEvent(cycle(1, { boot: 'b2', ts: T0 + 31_000 }), T0 + 4)).toBe('stored');
    expect(s.reads.gaps()).toHaveLength(1);
    expect(s.writer.counters()).toMatchObject({ stored: 4, duplicates: 0, gapsMissing: 9 });
  });

  it('never opens a gap for the first message of a stream', () => {
    const s = newStore();
    s.writer.commitEvent(cycle(1000), T0);
    expect(s.reads.gaps()).toEqual([]);
  });

  it('shrinks a gap from either end and splits it when a late message lands inside', () => {
    const s = newStore();
    s.writer.commitEvent(cycle(10), T0);
    s.writer.commitEvent(cycle(20), T0);
    s.writer.commitEvent(cycle(11), T0);
    s.writer.commitEvent(cycle(19), T0);
    expect(s.reads.gaps().map((g) => [g.fromSeq, g.toSeq])).toEqual([[12, 18]]);
    s.writer.commitEvent(cycle(15), T0);
    expect(s.reads.gaps().map((g) => [g.fromSeq, g.toSeq]).sort((a, b) => a[0] - b[0])).toEqual([[12, 14], [16, 18]]);
    expect(s.writer.counters().gapsMissing).toBe(6);
    for (const n of [12, 13, 14, 16, 17, 18]) s.writer.commitEvent(cycle(n), T0);
    expect(s.reads.gaps()).toEqual([]);
    expect(s.writer.counters().gapsMissing).toBe(0);
  });

  it('treats cycle and state as one seq counter per station', () => {
    const s = newStore();
    s.writer.commitEvent(cycle(1), T0);
    s.writer.commitEvent(state(2, 'down', T0 + 1500), T0);
    s.writer.commitEvent(cycle(3), T0);
    expect(s.reads.gaps()).toEqual([]);
  });

  it('rebuilds the highest seq and open gaps at open, so gaps continue across a restart', () => {
    const file = path.join(tempDir('reopen'), 'db.sqlite');
    let s = newStore(file);
    s.writer.commitEvent(cycle(1), T0);
    s.writer.commitEvent(cycle(5), T0);
    s.close();
    s = newStore(file);
    expect(s.writer.counters()).toEqual({ received: 2, stored: 2, duplicates: 0, quarantined: 0, gapsMissing: 3 });
    s.writer.commitEvent(cycle(3), T0);
    s.writer.commitEvent(cycle(8), T0);
    expect(s.reads.gaps().map((g) => [g.fromSeq, g.toSeq]).sort((a, b) => a[0] - b[0])).toEqual([[2, 2], [4, 4], [6, 7]]);
    expect(s.writer.commitEvent(cycle(5), T0)).toBe('duplicate');
  });

  it('commits a batch in one transaction with the same rules', () => {
    const s = newStore();
    const r = s.writer.commitEvents([cycle(1), cycle(2), cycle(2), cycle(5)], T0);
    expect(r).toEqual({ stored: 3, duplicates: 1 });
    expect(s.writer.counters()).toMatchObject({ stored: 3, duplicates: 1, gapsMissing: 2 });
  });
});

describe('reads', () => {
  it('rolls cycles up per minute and station, keeping the rollups when raw events are pruned', () => {
    const s = newStore();
    s.writer.commitEvent(cycle(1, { ts: T0 + 1000, cycleMs: 800 }), T0);
    s.writer.commitEvent(cycle(2, { ts: T0 + 2000, ok: false, cycleMs: undefined }), T0);
    s.writer.commitEvent(cycle(3, { ts: T0 + 61_000, cycleMs: 1000 }), T0);
    s.writer.commitEvent(cycle(1, { station: 'in', ts: T0 + 3000, cycleMs: 500 }), T0);
    s.writer.commitEvent(state(4, 'down', T0 + 4000), T0);
    const expected = [
      { station: 'in', minute: T0, units: 1, good: 1, rejects: 0, cycleMsSum: 500, cycleMsCount: 1 },
      { station: 'out', minute: T0, units: 2, good: 1, rejects: 1, cycleMsSum: 800, cycleMsCount: 1 },
      { station: 'out', minute: T0 + 60_000, units: 1, good: 1, rejects: 0, cycleMsSum: 1000, cycleMsCount: 1 },
    ];
    expect(s.reads.rollups('l1', s.reads.stationsSeen('l1'), T0, T0 + 120_000)).toEqual(expected);
    expect(s.reads.rollups('l1', s.reads.stationsSeen('l1'), T0 + 60_000, T0 + 120_000)).toEqual(expected.slice(2));

    expect(s.writer.pruneRaw(T0 + 60_000)).toBe(4);
    expect(s.reads.cycles('l1', s.reads.stationsSeen('l1'), 0, T0 + 1e6).map((c) => c.ts)).toEqual([T0 + 61_000]);
    expect(s.reads.rollups('l1', s.reads.stationsSeen('l1'), T0, T0 + 120_000)).toEqual(expected);
    expect(s.writer.counters().stored).toBe(5);
  });

  it('prunes in bounded batches', () => {
    const s = newStore();
    s.writer.commitEvents(Array.from({ length: 30 }, (_, i) => cycle(i + 1)), T0);
    expect(s.writer.pruneRaw(T0 + 100_000, 12)).toBe(12);
    expect(s.writer.pruneRaw(T0 + 100_000, 12)).toBe(12);
    expect(s.writer.pruneRaw(T0 + 100_000)).toBe(6);
    expect(rows(s)).toBe(0);
  });

  it('reads cycles of all stations of a line by ts in [from, to), and output times of one station', () => {
    const s = newStore();
    s.writer.commitEvent(cycle(1, { station: 'b', ts: T0 + 2000, cycleMs: undefined }), T0);
    s.writer.commitEvent(cycle(1, { station: 'a', ts: T0 + 1000, cycleMs: 700 }), T0);
    s.writer.commitEvent(cycle(2, { station: 'a', ts: T0 + 3000, ok: false }), T0);
    s.writer.commitEvent(cycle(1, { line: 'other', station: 'a', ts: T0 + 1500 }), T0);
    expect(s.reads.cycles('l1', s.reads.stationsSeen('l1'), T0 + 1000, T0 + 3000)).toEqual([
      { station: 'a', ts: T0 + 1000, ok: true, cycleMs: 700 },
      { station: 'b', ts: T0 + 2000, ok: true },
    ]);
    expect(s.reads.cycles('l1', ['a'], T0, T0 + 4000).map((c) => [c.ts, c.ok])).toEqual([
      [T0 + 1000, true],
      [T0 + 3000, false],
    ]);
    expect(s.reads.outputTimes('l1', 'a', T0, T0 + 10_000)).toEqual([T0 + 1000, T0 + 3000]);
  });

  it('reads states in a window with each station’s last state before it', () => {
    const s = newStore();
    s.writer.commitEvent(state(1, 'running', T0 - 3600_000, { station: 'a' }), T0);
    s.writer.commitEvent(state(2, 'down', T0 - 60_000, { station: 'a' }), T0);
    s.writer.commitEvent(state(1, 'idle', T0 - 10_000, { station: 'b' }), T0);
    s.writer.commitEvent(state(3, 'running', T0 + 5000, { station: 'a' }), T0);
    s.writer.commitEvent(state(2, 'down', T0 + 7000, { station: 'b' }), T0);
    s.writer.commitEvent(state(4, 'down', T0 + 9000, { station: 'a' }), T0);
    expect(s.reads.states('l1', s.reads.stationsSeen('l1'), T0, T0 + 9000)).toEqual([
      { station: 'a', ts: T0 - 60_000, state: 'down', reason: null },
      { station: 'b', ts: T0 - 10_000, state: 'idle', reason: null },
      { station: 'a', ts: T0 + 5000, state: 'running', reason: null },
      { station: 'b', ts: T0 + 7000, state: 'down', reason: null },
    ]);
    // Only the stations asked for.
    expect(s.reads.states('l1', ['b'], T0, T0 + 9000).map((r) => r.station)).toEqual(['b', 'b']);
  });

  it('lists lines and stations seen, configured or not', () => {
    const s = newStore();
    s.writer.commitEvent(cycle(1, { line: 'zeta', station: 's9' }), T0);
    s.writer.commitEvent(cycle(1, { line: 'alpha', station: 's2' }), T0);
    s.writer.commitEvent(cycle(1, { line: 'alpha', station: 's1' }), T0);
    expect(s.reads.linesSeen()).toEqual(['alpha', 'zeta']);
    expect(s.reads.stationsSeen('alpha')).toEqual(['s1', 's2']);
    expect(s.reads.stationsSeen('nope')).toEqual([]);
  });

  it('gives the live view its first snapshot per station after a restart', () => {
    const file = path.join(tempDir('last'), 'db.sqlite');
    let s = newStore(file);
    s.writer.commitEvent(state(1, 'down', T0 + 1000), T0 + 1100);
    s.writer.commitEvent(state(2, 'running', T0 + 2000), T0 + 2100);
    s.writer.commitEvent(state(3, 'running', T0 + 3000), T0 + 3100);
    s.writer.commitEvent(cycle(4, { ts: T0 + 4000, cycleMs: 950 }), T0 + 4100);
    s.writer.commitEvent(cycle(5, { ts: T0 + 5000, cycleMs: undefined }), T0 + 5100);
    s.close();
    s = newStore(file);
    expect(s.reads.lastEventPerStation('l1')).toEqual([
      { station: 'out', lastTs: T0 + 5000, receivedAt: T0 + 5100, lastCycleTs: T0 + 5000, lastCycleMs: null, state: 'running', stateSince: T0 + 2000, downSince: null, downReason: null },
    ]);
  });

  it('tells where the current down period began: a repeated down with the same reason continues it, another reason begins a new one', () => {
    const s = newStore();
    s.writer.commitEvent(state(1, 'down', T0, { station: 'a', reason: 'JAM' }), T0);
    s.writer.commitEvent(state(2, 'down', T0 + 1000, { station: 'a', reason: 'JAM' }), T0);
    s.writer.commitEvent(state(3, 'down', T0 + 2000, { station: 'a', reason: 'HEAT' }), T0);
    s.writer.commitEvent(state(4, 'down', T0 + 3000, { station: 'a', reason: 'HEAT' }), T0);
    expect(s.reads.lastEventPerStation('l1')[0]).toMatchObject({ state: 'down', stateSince: T0, downSince: T0 + 2000, downReason: 'HEAT' });
  });

  it('reports the median clock skew per station', () => {
    const s = newStore();
    [100, 300, 200].forEach((d, i) => s.writer.commitEvent(cycle(i + 1, { station: 'a' }), T0 + (i + 1) * 1000 + d));
    s.writer.commitEvent(cycle(1, { station: 'b' }), T0 + 1000 - 50);
    expect(s.reads.clockSkew()).toEqual([
      { line: 'l1', station: 'a', skewMs: 200 },
      { line: 'l1', station: 'b', skewMs: -50 },
    ]);
  });

  it('reports file sizes and the synchronous level', () => {
    const s = newStore();
    s.writer.commitEvent(cycle(1), T0);
    const info = s.care.info();
    expect(info.synchronous).toBe('NORMAL');
    expect(info.sizeBytes).toBeGreaterThan(0);
    expect(info.walBytes).toBeGreaterThan(0);
    expect(s.care.quickCheck()).toMatchObject({ ok: true, detail: 'ok' });
    expect(s.care.info().lastQuickCheck?.ok).toBe(true);
  });

  it('logs queries slower than 40 ms with their name', () => {
    const s = newStore();
    const lines: string[] = [];
    const restore = setLogSink((l) => lines.push(l));
    setLogLevel('warn');
    try {
      // 20 000 stations means 20 000 "state before the window" lookups: slow on any machine.
      s.writer.commitEvents(Array.from({ length: 20_000 }, (_, i) => cycle(1, { station: `s${i}` })), T0);
      s.reads.states('l1', s.reads.stationsSeen('l1'), T0, T0 + 1);
    } finally {
      restore();
      setLogLevel(['debug', 'info', 'warn', 'error'].includes(process.env.TAKTBOARD_LOG ?? '') ? (process.env.TAKTBOARD_LOG as Level) : 'info');
    }
    expect(lines.some((l) => l.includes('slow query') && l.includes('"query":"states"'))).toBe(true);
  });
});

describe('quarantine', () => {
  it('keeps the newest rows up to the bound and counts every one by reason', () => {
    const s = newStore(undefined, 10);
    for (let i = 0; i < 25; i++) {
      s.writer.quarantine({ topic: `t/${i}`, payloadPrefix: `p${i}`, reason: i % 5 === 0 ? `payload too large (${20_000 + i} bytes)` : 'invalid JSON', receivedAt: T0 + i });
    }
    const items = s.reads.quarantineItems(100);
    expect(items).toHaveLength(10);
    // Written without words (as an older build did): they are found from the English.
    expect(items[0]).toEqual({ receivedAt: T0 + 24, topic: 't/24', payload: 'p24', reason: 'invalid JSON', words: { key: 'quarantine.invalid_json' } });
    expect(items[9].topic).toBe('t/15');
    expect(s.reads.quarantineCounts()).toEqual([
      { reason: 'invalid JSON', count: 20 },
      { reason: 'payload too large', count: 5 },
    ]);
    expect(s.writer.counters()).toMatchObject({ received: 25, quarantined: 25 });
  });

  it('counts reasons by their words, not their values', () => {
    expect(reasonKey('unknown station "x9" for line "l1"')).toBe('unknown station "…" for line "…"');
    expect(reasonKey('payload too large (52428800 bytes)')).toBe('payload too large');
    // A detail with parentheses of its own is dropped whole, so it counts under its key's English.
    expect(reasonKey('could not be stored (SqliteError: CHECK constraint failed: (ts > 0))')).toBe('could not be stored');
    expect(reasonKey('not valid UTF-8')).toBe('not valid UTF-8');
  });
});

describe('persistence and migrations', () => {
  it('keeps counters, gaps and quarantine counts across a reopen', () => {
    const file = path.join(tempDir('persist'), 'db.sqlite');
    let s = newStore(file);
    s.writer.commitEvents([cycle(1), cycle(2), cycle(2), cycle(9)], T0);
    s.writer.quarantine({ topic: 't', payloadPrefix: '', reason: 'invalid JSON', receivedAt: T0 });
    const before = s.writer.counters();
    s.close();
    s = newStore(file);
    expect(s.writer.counters()).toEqual(before);
    expect(before).toEqual({ received: 5, stored: 3, duplicates: 1, quarantined: 1, gapsMissing: 6 });
  });

  it('migrates a v1 file: keeps its events and rebuilds streams, counters and gaps from them', () => {
    const file = path.join(tempDir('v1'), 'old.sqlite');
    const v1 = openDatabase(file, { synchronous: 'NORMAL' }, MIGRATIONS.slice(0, 1));
    expect(v1.pragma('user_version', { simple: true })).toBe(1);
    const ins = v1.prepare('INSERT INTO events (line, station, ts, boot, seq, kind, cycle_ms, ok, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    for (const seq of [1, 2, 3, 7, 8]) ins.run('l1', 'out', T0 + seq * 1000, 'b1', seq, 'cycle', 900, 1, T0 + seq * 1000 + 5);
    v1.close();

    const s = newStore(file);
    expect(s.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBeGreaterThan(1);
    expect(s.writer.counters()).toMatchObject({ stored: 5, gapsMissing: 3 });
    expect(s.reads.gaps().map((g) => [g.boot, g.fromSeq, g.toSeq])).toEqual([['b1', 4, 6]]);
    expect(s.reads.cycles('l1', s.reads.stationsSeen('l1'), T0, T0 + 10_000)).toHaveLength(5);
    expect(s.writer.commitEvent(cycle(8, { boot: 'b1' }), T0)).toBe('duplicate');
    s.writer.commitEvent(cycle(10, { boot: 'b1' }), T0);
    expect(s.writer.counters().gapsMissing).toBe(4);
  });

  it('refuses a file from a newer build instead of guessing', () => {
    const file = path.join(tempDir('newer'), 'db.sqlite');
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openDatabase(file, { synchronous: 'NORMAL' })).toThrow(/newer than this Taktboard build/);
  });

  it('creates the parent folder and opens in WAL with the asked synchronous level', () => {
    const file = path.join(tempDir('nested'), 'a', 'b', 'db.sqlite');
    const db = openDatabase(file, { synchronous: 'FULL' });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(migrate(db)).toBe(SCHEMA_VERSION);
    db.close();
  });
});

describe('failed commits', () => {
  it('refuses every write once the file is known to be damaged, in words the banner can show', async () => {
    const s = newStore();
    s.writer.commitEvent(cycle(1), T0);
    s.writer.refuseWrites('quick_check: Tree 2 page 12: free space corruption');
    const refused = (write: () => unknown) => {
      try {
        write();
      } catch (err) {
        return err as { code?: string; message: string };
      }
      throw new Error('the write went through');
    };
    for (const err of [
      refused(() => s.writer.commitEvent(cycle(2), T0)),
      refused(() => s.writer.groupCommit(() => s.writer.commitEvent(cycle(3), T0))),
      refused(() => s.writer.commitEvents([cycle(4)], null)),
      refused(() => s.writer.quarantine({ topic: 't', payloadPrefix: 'x', reason: 'bad', receivedAt: T0 })),
      refused(() => s.writer.pruneRaw(T0 + 10_000)),
    ]) {
      expect(err.code).toBe(DB_DAMAGED);
      expect(storageAlert(err)).toEqual({
        code: 'db_damaged',
        message: expect.stringMatching(/^database damaged: quick_check: Tree 2 page 12.*nothing more is acknowledged/),
        words: { key: 'alert.db_damaged_write', params: { damage: 'quick_check: Tree 2 page 12: free space corruption' } },
      });
    }
    await expect(s.care.backupTo(path.join(tempDir('store'), 'b.sqlite'))).rejects.toMatchObject({ code: DB_DAMAGED });
    expect(rows(s)).toBe(1);
  });

  it('throws SQLITE_FULL on a full disk, leaves nothing behind, and goes on when space returns', () => {
    const s = newStore();
    s.writer.commitEvent(cycle(1), T0);
    const pages = s.db.pragma('page_count', { simple: true }) as number;
    s.db.pragma(`max_page_count = ${pages}`);
    let error: unknown;
    let seq = 1;
    // Fill the last free pages; the commit that needs one more page fails.
    for (let i = 0; i < 100_000 && !error; i++) {
      try {
        s.writer.commitEvent(cycle(++seq, { unit: 'x'.repeat(60) }), T0);
      } catch (err) {
        error = err;
      }
    }
    expect((error as { code?: string }).code).toBe('SQLITE_FULL');
    const failedSeq = seq;
    const counters = s.writer.counters();
    const count = rows(s);
    expect(count).toBe(counters.stored);

    // Still full: the same message fails again and changes nothing.
    expect(() => s.writer.commitEvent(cycle(failedSeq, { unit: 'x'.repeat(60) }), T0)).toThrow();
    expect(s.writer.counters()).toEqual(counters);

    s.db.pragma('max_page_count = 1073741823');
    // Memory must have forgotten the failed message too: skipping it now opens exactly its gap.
    expect(s.writer.commitEvent(cycle(failedSeq + 1), T0)).toBe('stored');
    expect(s.reads.gaps().map((g) => [g.fromSeq, g.toSeq])).toEqual([[failedSeq, failedSeq]]);
    expect(s.writer.commitEvent(cycle(failedSeq, { unit: 'x'.repeat(60) }), T0)).toBe('stored');
    expect(counters.gapsMissing).toBe(0);
    expect(s.writer.counters()).toEqual({ ...counters, received: counters.received + 2, stored: counters.stored + 2 });
    expect(s.reads.gaps()).toEqual([]);
    expect(s.care.quickCheck().ok).toBe(true);
  });

  it('keeps memory equal to the file through many commits that fail at different statements', () => {
    const file = path.join(tempDir('fail-many'), 'db.sqlite');
    const s = newStore(file);
    s.writer.commitEvent(cycle(1), T0);
    let failures = 0;
    let seq = 1;
    for (let i = 0; i < 400; i++) {
      // Skip seq numbers now and then (gaps), send some late (gap fills), and use a new minute each time
      // so the events, rollups and gaps tables all need new pages: the failing statement varies.
      seq += i % 9 === 0 ? 3 : 1;
      const late = i % 9 === 1 ? seq - 3 : null;
      for (const n of late === null ? [seq] : [seq, late]) {
        const e = cycle(n, { station: `st${i % 3}`, ts: T0 + n * 60_000, unit: 'u'.repeat(40) });
        let limit = s.db.pragma('page_count', { simple: true }) as number;
        s.db.pragma(`max_page_count = ${limit}`);
        for (let attempt = 0; ; attempt++) {
          if (attempt > 20) throw new Error(`event ${n} still fails with ${limit} pages`);
          try {
            s.writer.commitEvent(e, T0);
            break;
          } catch (err) {
            if ((err as { code?: string }).code !== 'SQLITE_FULL') throw err;
            failures++;
            s.db.pragma(`max_page_count = ${++limit}`);
          }
        }
      }
    }
    expect(failures).toBeGreaterThan(10);
    s.db.pragma('max_page_count = 1073741823');
    const fromFile = () => {
      const fresh = new Store(new Database(file), { quarantineRows: 10 });
      try {
        return { counters: fresh.writer.counters(), gaps: fresh.reads.gaps() };
      } finally {
        fresh.close();
      }
    };
    expect({ counters: s.writer.counters(), gaps: s.reads.gaps() }).toEqual(fromFile());
    expect(s.writer.counters().stored).toBe(rows(s));
    // What memory believes about each stream's highest seq decides the next gap: check it the same way.
    for (const st of ['st0', 'st1', 'st2']) s.writer.commitEvent(cycle(seq + 5, { station: st, ts: T0 + 1e9 }), T0);
    expect({ counters: s.writer.counters(), gaps: s.reads.gaps() }).toEqual(fromFile());
  });

  it('throws SQLITE_BUSY while another connection holds an exclusive lock, then commits', () => {
    const file = path.join(tempDir('busy'), 'db.sqlite');
    const s = Store.open(file, { synchronous: 'NORMAL', quarantineRows: 10, busyTimeoutMs: 20 });
    open.push(s);
    s.writer.commitEvent(cycle(1), T0);
    const other = new Database(file);
    other.exec('BEGIN EXCLUSIVE');
    try {
      expect(() => s.writer.commitEvent(cycle(3), T0)).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY' }));
      expect(s.writer.counters()).toMatchObject({ stored: 1, gapsMissing: 0 });
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(s.writer.commitEvent(cycle(3), T0)).toBe('stored');
    expect(s.writer.counters()).toMatchObject({ stored: 2, gapsMissing: 1 });
  });
});
