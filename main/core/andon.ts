// The andon (CONTRACT §6.1): about once a second the causes present in the live view are compared with
// the open alerts — a new cause opens an alert (one per cause), one that stays rises a level past each
// escalateAfterS unless acknowledged, one whose cause ended closes by itself. Every change is stored
// (andon_alerts, on the writer's connection) and told to listeners (banners, desktop notifications).
// Nothing here runs per telemetry message.
import type { AndonAlert, AndonChange, Caller, LiveSnapshot } from '../../shared/api.ts';
import type { Config } from '../../shared/config.ts';
import { causesOfLine, levelOf, newAndonMemory, thresholdsFor, type AndonCause } from '../../shared/andon.ts';
import type { Db } from './store/db.ts';
import { RequestError } from './errors.ts';
import { logger } from './log.ts';

const log = logger('andon');

interface Row {
  id: number;
  cause_key: string;
  line: string;
  station: string | null;
  kind: AndonAlert['kind'];
  level: number;
  since: number;
  opened_at: number;
  ack_by: string | null;
  ack_at: number | null;
  ack_level: number | null;
  closed_at: number | null;
  detail: string;
}

function alertOf(r: Row): AndonAlert {
  const d = JSON.parse(r.detail) as AndonCause['detail'];
  return {
    id: r.id,
    line: r.line,
    station: r.station,
    kind: r.kind,
    level: r.level,
    since: r.since,
    openedAt: r.opened_at,
    ackBy: r.ack_by,
    ackAt: r.ack_at,
    closedAt: r.closed_at,
    detail: d.text,
    words: { key: d.key, params: d.params },
  };
}

export interface Andon {
  /** Compares the snapshot's causes with the open alerts; returns what changed. */
  evaluate(snapshot: LiveSnapshot, config: Config, now: number): AndonChange[];
  open(): AndonAlert[];
  acknowledge(id: number, caller: Caller, now: number): AndonAlert;
}

export function createAndon(db: Db): Andon {
  const open = new Map<string, Row>();
  for (const r of db.prepare('SELECT * FROM andon_alerts WHERE closed_at IS NULL ORDER BY id').all() as Row[]) open.set(r.cause_key, r);
  const memory = newAndonMemory();
  const insert = db.prepare(
    `INSERT INTO andon_alerts (cause_key, line, station, kind, level, since, opened_at, detail) VALUES (@cause_key, @line, @station, @kind, @level, @since, @opened_at, @detail)`,
  );
  const setLevel = db.prepare('UPDATE andon_alerts SET level = ?, detail = ? WHERE id = ?');
  const close = db.prepare('UPDATE andon_alerts SET closed_at = ? WHERE id = ?');
  const ack = db.prepare('UPDATE andon_alerts SET ack_by = ?, ack_at = ?, ack_level = ? WHERE id = ? AND closed_at IS NULL');

  return {
    evaluate(snapshot, config, now) {
      const causes = new Map<string, AndonCause>();
      for (const line of snapshot.lines) {
        const cfg = config.lines.find((l) => l.id === line.id);
        if (!cfg) continue;
        for (const c of causesOfLine(line, cfg, thresholdsFor(config.alerts, cfg), now, memory)) causes.set(c.key, c);
      }
      const changes: AndonChange[] = [];
      db.transaction(() => {
        for (const [key, row] of open) {
          if (causes.has(key)) continue;
          close.run(now, row.id);
          open.delete(key);
          changes.push({ change: 'closed', alert: alertOf({ ...row, closed_at: now }) });
        }
        for (const [key, cause] of causes) {
          const row = open.get(key);
          const detail = JSON.stringify(cause.detail);
          if (!row) {
            const fresh: Row = {
              id: 0,
              cause_key: key,
              line: cause.line,
              station: cause.station,
              kind: cause.kind,
              // Levels count from the opening: a behind-plan alert of a shift begun hours ago starts at 1, too.
              level: levelOf(0, config.alerts.escalateAfterS, null),
              since: cause.since,
              opened_at: now,
              ack_by: null,
              ack_at: null,
              ack_level: null,
              closed_at: null,
              detail,
            };
            fresh.id = Number(insert.run(fresh).lastInsertRowid);
            open.set(key, fresh);
            changes.push({ change: 'opened', alert: alertOf(fresh) });
            continue;
          }
          const level = levelOf(now - row.opened_at, config.alerts.escalateAfterS, row.ack_level);
          // The words follow the cause (how many units behind, the takt now) while the level stays or rises.
          if (level !== row.level || detail !== row.detail) {
            const rose = level > row.level;
            row.level = level;
            row.detail = detail;
            setLevel.run(level, detail, row.id);
            if (rose) changes.push({ change: 'escalated', alert: alertOf(row) });
          }
        }
      }).immediate();
      for (const c of changes) log.info(`alert ${c.change}`, { id: c.alert.id, kind: c.alert.kind, line: c.alert.line, station: c.alert.station, level: c.alert.level });
      return changes;
    },
    open: () => [...open.values()].map(alertOf),
    acknowledge(id, caller, now) {
      const row = [...open.values()].find((r) => r.id === id);
      if (!row) throw new RequestError(`alert ${id} is not open (closed already, or no such alert)`);
      ack.run(caller.who, now, row.level, id);
      row.ack_by = caller.who;
      row.ack_at = now;
      row.ack_level = row.level;
      return alertOf(row);
    },
  };
}

/** The alerts of a line that were open at any time in [from, to), oldest first (History). */
export function alertsBetween(db: Db, line: string, from: number, to: number): AndonAlert[] {
  return (
    db.prepare('SELECT * FROM andon_alerts WHERE line = ? AND opened_at < ? AND (closed_at IS NULL OR closed_at > ?) ORDER BY opened_at, id').all(line, to, from) as Row[]
  ).map(alertOf);
}
