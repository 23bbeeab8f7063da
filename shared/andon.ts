// Andon (CONTRACT §6.1): which causes are present in a live snapshot, and the level an alert has reached.
// Pure: the engine (main/core/andon.ts) evaluates it about once a second from the live view — no work per
// telemetry message — and keeps, stores and closes the alerts.
import type { LiveLine } from './api.ts';
import type { AlertsConfig, LineConfig } from './config.ts';
import { lossThresholdsOf } from './losses.ts';

export const ANDON_KINDS = ['line_down', 'line_stopped', 'behind_plan', 'slow_takt', 'station_stale', 'telemetry_gap'] as const;
export type AndonKind = (typeof ANDON_KINDS)[number];

/** A cause present now: one open alert per key. */
export interface AndonCause {
  key: string;
  line: string;
  station: string | null;
  kind: AndonKind;
  /** When the cause began (a station's down period, the last unit, …). */
  since: number;
  /** What the operator reads, as a message key with parameters (translated in the renderer) and in English. */
  detail: { key: string; params: Record<string, string | number>; text: string };
}

export interface LineThresholds {
  downAfterS: number;
  behindPlanMin: number;
  slowPct: number;
  slowForS: number;
  /** The line's stopAfterS (CONTRACT §2.4 L). */
  stopAfterS: number;
  gapQuietS: number;
}

export function thresholdsFor(alerts: AlertsConfig, line: LineConfig): LineThresholds {
  const own = alerts.lines[line.id] ?? {};
  return {
    downAfterS: own.downAfterS ?? alerts.downAfterS,
    behindPlanMin: own.behindPlanMin ?? alerts.behindPlanMin,
    slowPct: own.slowPct ?? alerts.slowPct,
    slowForS: own.slowForS ?? alerts.slowForS,
    stopAfterS: lossThresholdsOf(line).L,
    gapQuietS: alerts.gapQuietS,
  };
}

/** What the evaluation remembers between snapshots: since when a line has been slow, and its seq gaps. */
export interface AndonMemory {
  slowSince: Map<string, number>;
  gaps: Map<string, { missing: number; grewAt: number }>;
}

export function newAndonMemory(): AndonMemory {
  return { slowSince: new Map(), gaps: new Map() };
}

const fmt = (template: string, params: Record<string, string | number>) => template.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? `{${k}}`));

function detail(key: string, template: string, params: Record<string, string | number>): AndonCause['detail'] {
  return { key, params, text: fmt(template, params) };
}

/**
 * The causes present on one configured line now. Alerts are production alerts: outside a shift instance
 * nothing is raised (a station down at night with no shift planned is not a loss), and what was open
 * then closes by itself.
 */
export function causesOfLine(line: LiveLine, cfg: LineConfig, th: LineThresholds, now: number, memory: AndonMemory): AndonCause[] {
  const out: AndonCause[] = [];
  const gapsNow = line.gaps.missing;
  const gapMemo = memory.gaps.get(line.id);
  if (!gapMemo || gapsNow > gapMemo.missing) memory.gaps.set(line.id, { missing: gapsNow, grewAt: gapMemo ? now : 0 });
  else if (gapsNow < gapMemo.missing) memory.gaps.set(line.id, { missing: gapsNow, grewAt: gapMemo.grewAt });
  if (!line.shift) {
    memory.slowSince.delete(line.id);
    return out;
  }
  const T = cfg.targetTaktS;
  const configured = line.stations.filter((s) => s.configured);
  for (const s of configured) {
    if (s.state === 'down' && s.stateSince !== null && now - s.stateSince > th.downAfterS * 1000) {
      out.push({
        key: `line_down|${line.id}|${s.id}`,
        line: line.id,
        station: s.id,
        kind: 'line_down',
        since: s.stateSince,
        detail: detail('andon.line_down', 'station {station} down for more than {seconds} s', { station: s.id, seconds: th.downAfterS }),
      });
    }
  }
  const anyDown = configured.some((s) => s.state === 'down');
  if (!anyDown && line.lastUnitTs !== null && now - line.lastUnitTs > th.stopAfterS * 1000) {
    out.push({
      key: `line_stopped|${line.id}`,
      line: line.id,
      station: null,
      kind: 'line_stopped',
      since: line.lastUnitTs,
      detail: detail('andon.line_stopped', 'no unit for more than {seconds} s and no station says why', { seconds: th.stopAfterS }),
    });
  }
  if (line.shiftTargetUnits !== null) {
    const short = line.shiftTargetUnits - line.shiftUnits;
    const allowed = (th.behindPlanMin * 60) / T;
    if (short > allowed) {
      out.push({
        key: `behind_plan|${line.id}`,
        line: line.id,
        station: null,
        kind: 'behind_plan',
        since: line.shift.start,
        detail: detail('andon.behind_plan', '{short} units behind the plan so far (more than {minutes} min of output at target)', { short, minutes: th.behindPlanMin }),
      });
    }
  }
  const slow = line.actualTaktS !== null && line.actualTaktS > T * (1 + th.slowPct / 100);
  if (slow) {
    const since = memory.slowSince.get(line.id) ?? now;
    memory.slowSince.set(line.id, since);
    if (now - since >= th.slowForS * 1000) {
      out.push({
        key: `slow_takt|${line.id}`,
        line: line.id,
        station: null,
        kind: 'slow_takt',
        since,
        detail: detail('andon.slow_takt', 'takt {actual} s against a target of {target} s for more than {seconds} s', {
          actual: Math.round((line.actualTaktS as number) * 1000) / 1000,
          target: T,
          seconds: th.slowForS,
        }),
      });
    }
  } else memory.slowSince.delete(line.id);
  for (const s of configured) {
    if (s.stale && s.lastSeen !== null) {
      out.push({
        key: `station_stale|${line.id}|${s.id}`,
        line: line.id,
        station: s.id,
        kind: 'station_stale',
        since: s.lastSeen,
        detail: detail('andon.station_stale', 'station {station} has sent nothing since {since}', { station: s.id, since: new Date(s.lastSeen).toISOString() }),
      });
    }
  }
  const g = memory.gaps.get(line.id)!;
  if (gapsNow > 0 && g.grewAt > 0 && now - g.grewAt < th.gapQuietS * 1000) {
    out.push({
      key: `telemetry_gap|${line.id}`,
      line: line.id,
      station: null,
      kind: 'telemetry_gap',
      since: g.grewAt,
      detail: detail('andon.telemetry_gap', '{missing} messages missing from the stations of this line', { missing: gapsNow }),
    });
  }
  return out;
}

/** CONTRACT §6.1: level 1 → 2 → 3 as the alert stays open past `escalateAfterS`; an acknowledged alert escalates no further. */
export function levelOf(openForMs: number, escalateAfterS: readonly number[], levelAtAck: number | null): number {
  let level = 1;
  for (let i = 1; i < escalateAfterS.length; i++) if (openForMs >= escalateAfterS[i] * 1000) level = i + 1;
  return levelAtAck === null ? level : Math.min(level, levelAtAck);
}
