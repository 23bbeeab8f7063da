// (1b) The better-sqlite3 limit for the same rows: plain INSERTs into the product's `events` table (same
// schema, WAL, synchronous NORMAL, same pragmas via openDatabase), one row per transaction (what
// ack-after-commit of one message at a time allows) and 1 000 rows per transaction (what batching would
// allow); and, to split serve's cost, the product's own commit path without MQTT: Store.commitEvent (one
// message per transaction) and Store.groupCommit of 1 000 messages (what ingest's group commit does).
import path from 'node:path';
import { openDatabase } from '../../main/core/store/db.ts';
import { Store } from '../../main/core/store/store.ts';
import { parsePayload, topicMatcher, type TelemetryEvent } from '../../shared/telemetry.ts';
import { MessageSource, SITE } from '../lib/plant.ts';
import { removeTempDir, tempDir } from '../lib/procs.ts';
import { median, spread } from '../lib/stats.ts';

export interface SqliteResult {
  oneRowPerTx: number[];
  batch1000: number[];
  storeCommit: number[];
  storeGroupCommit: number[];
  /** Share of wall time the commit path spent on CPU (the rest: blocked in write/fsync). */
  storeCpuShare: number[];
}

export function sameRows(n: number, boot = 'sqlite'): TelemetryEvent[] {
  const src = new MessageSource(SITE, boot);
  const m = topicMatcher('factory/{site}/{line}/{station}/{event}', SITE);
  const now = Date.now();
  const out: TelemetryEvent[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const msg = src.next(now - 60_000 + Math.floor(i / 20));
    const parts = m.match(msg.topic);
    if ('error' in parts) throw new Error(parts.error);
    const r = parsePayload(parts, msg.payload, { now, oldestTs: 0 });
    if (!r.ok) throw new Error(r.reason);
    out[i] = r.event;
  }
  return out;
}

function rawInsert(file: string, rows: TelemetryEvent[], perTx: number): number {
  const db = openDatabase(file, { synchronous: 'NORMAL' });
  try {
    const ins = db.prepare(
      `INSERT OR IGNORE INTO events (line, station, ts, boot, seq, kind, unit, cycle_ms, ok, state, reason, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const now = Date.now();
    const tx = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const e = rows[i];
        ins.run(e.line, e.station, e.ts, e.boot, e.seq, e.kind, e.unit ?? null, e.cycleMs ?? null, e.kind === 'cycle' ? (e.ok === false ? 0 : 1) : null, e.state ?? null, e.reason ?? null, now);
      }
    }).immediate;
    const t0 = performance.now();
    for (let i = 0; i < rows.length; i += perTx) tx(i, Math.min(rows.length, i + perTx));
    return rows.length / ((performance.now() - t0) / 1000);
  } finally {
    db.close();
  }
}

function storeCommit(file: string, rows: TelemetryEvent[], perTx: number): { rate: number; cpuShare: number } {
  const store = Store.open(file, { synchronous: 'NORMAL', quarantineRows: 1000 });
  try {
    const now = Date.now();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    if (perTx === 1) for (const e of rows) store.writer.commitEvent(e, now);
    else {
      for (let i = 0; i < rows.length; i += perTx) {
        const group = rows.slice(i, i + perTx);
        store.writer.groupCommit(() => {
          for (const e of group) store.writer.commitEvent(e, now);
        });
      }
    }
    const wall = performance.now() - t0;
    const c = process.cpuUsage(c0);
    return { rate: rows.length / (wall / 1000), cpuShare: (c.user + c.system) / 1000 / wall };
  } finally {
    store.close();
  }
}

export function runSqlite(opts: { reps: number; perTxRows: number; batchRows: number }): SqliteResult {
  const single = sameRows(opts.perTxRows, 'single');
  const batch = sameRows(opts.batchRows, 'batch');
  const r: SqliteResult = { oneRowPerTx: [], batch1000: [], storeCommit: [], storeGroupCommit: [], storeCpuShare: [] };
  for (let i = 0; i < opts.reps; i++) {
    const dir = tempDir('sqlite');
    try {
      r.oneRowPerTx.push(rawInsert(path.join(dir, 'one.sqlite'), single, 1));
      r.batch1000.push(rawInsert(path.join(dir, 'batch.sqlite'), batch, 1000));
      const s = storeCommit(path.join(dir, 'store.sqlite'), single, 1);
      r.storeCommit.push(s.rate);
      r.storeCpuShare.push(s.cpuShare);
      r.storeGroupCommit.push(storeCommit(path.join(dir, 'group.sqlite'), batch, 1000).rate);
    } finally {
      removeTempDir(dir);
    }
  }
  return r;
}

export function describeSqlite(r: SqliteResult): string {
  return `1 row/tx ${spread(r.oneRowPerTx)} rows/s; 1000 rows/tx ${spread(r.batch1000)} rows/s; Store.commitEvent ${spread(r.storeCommit)} msg/s (on CPU ${Math.round(100 * median(r.storeCpuShare))} % of its wall time); Store.groupCommit of 1 000 ${spread(r.storeGroupCommit)} msg/s`;
}
