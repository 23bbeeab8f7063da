// The operator's word beside the telemetry (CONTRACT §6.2): stop codes, shift handover notes, and the
// audit of every write and every refused attempt. Written on the writer's connection (the engine
// thread: small, human-paced transactions), read on any.
import type { AuditItem, ShiftNote } from '../../../shared/api.ts';
import type { StopCode } from '../../../shared/losses.ts';
import type { Db } from './db.ts';
import { timed } from './writer.ts';

/** The newest audit rows kept; a flood of refused attempts cannot grow the file without end. */
const AUDIT_ROWS = 20_000;

export interface Caller {
  /** A token's name, `desktop:<user>`, or `anonymous`. */
  who: string;
  role: string;
}

export function recordStopCode(db: Db, c: Omit<StopCode, 'by' | 'at'>, caller: Caller, at: number): void {
  db.prepare('INSERT INTO stop_codes (line, station, start_ts, reason, comment, by, role, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
    c.line,
    c.station ?? '',
    c.start,
    c.reason,
    c.comment,
    caller.who,
    caller.role,
    at,
  );
}

export function recordShiftNote(db: Db, n: { date: string; shift: string; line: string; text: string }, caller: Caller, at: number): void {
  db.prepare('INSERT INTO shift_notes (date, shift, line, text, by, role, at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(n.date, n.shift, n.line, n.text, caller.who, caller.role, at);
}

export interface AuditEntry {
  who: string;
  role: string;
  action: string;
  target: unknown;
  outcome: AuditItem['outcome'];
  detail: string;
}

export function recordAudit(db: Db, e: AuditEntry, at: number): void {
  const id = Number(
    db
      .prepare('INSERT INTO audit (at, who, role, action, target, outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(at, e.who.slice(0, 128), e.role.slice(0, 32), e.action.slice(0, 64), JSON.stringify(e.target ?? null).slice(0, 2000), e.outcome, e.detail.slice(0, 500)).lastInsertRowid,
  );
  if (id > AUDIT_ROWS) db.prepare('DELETE FROM audit WHERE id <= ?').run(id - AUDIT_ROWS);
}

// ---- reads ------------------------------------------------------------------------------------------

/** The codes in force for stops of `line` beginning in [from, to): the newest per (station, start). */
export function stopCodes(db: Db, line: string, from: number, to: number): StopCode[] {
  return timed('stopCodes', () => {
    const rows = db
      .prepare(
        `SELECT line, station, start_ts AS start, reason, comment, by, at FROM stop_codes
         WHERE id IN (SELECT MAX(id) FROM stop_codes WHERE line = ? AND start_ts >= ? AND start_ts < ? GROUP BY station, start_ts)
         ORDER BY start_ts`,
      )
      .all(line, from, to) as (Omit<StopCode, 'station'> & { station: string })[];
    return rows.map((r) => ({ ...r, station: r.station === '' ? null : r.station }));
  });
}

/** The newest note of each (shift, line) of a production date. */
export function shiftNotes(db: Db, date: string): ShiftNote[] {
  return timed('shiftNotes', () =>
    db
      .prepare(
        `SELECT date, shift, line, text, by, at FROM shift_notes
         WHERE id IN (SELECT MAX(id) FROM shift_notes WHERE date = ? GROUP BY shift, line) ORDER BY line, shift`,
      )
      .all(date) as ShiftNote[],
  );
}

/** Newest first. */
export function auditItems(db: Db, limit = 100): AuditItem[] {
  return timed('auditItems', () =>
    (db.prepare('SELECT at, who, role, action, target, outcome, detail FROM audit ORDER BY id DESC LIMIT ?').all(limit) as (Omit<AuditItem, 'target'> & { target: string })[]).map(
      (r) => ({ ...r, target: JSON.parse(r.target) as unknown }),
    ),
  );
}
