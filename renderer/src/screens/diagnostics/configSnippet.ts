// What to add to the configuration for stations telemetry names but the newest configuration version
// does not list (CONTRACT §1.4). Until Settings has forms, the Diagnostics screen shows this JSON to
// copy into the configuration file (or the desktop's Settings text).
import type { UnconfiguredStation } from '../../../../shared/api.ts';

export interface UnconfiguredGroup {
  line: string;
  lineConfigured: boolean;
  stations: UnconfiguredStation[];
}

/** One group per line, lines and stations in the order the server lists them. */
export function groupUnconfigured(items: readonly UnconfiguredStation[]): UnconfiguredGroup[] {
  const groups = new Map<string, UnconfiguredGroup>();
  for (const item of items) {
    let g = groups.get(item.line);
    if (!g) groups.set(item.line, (g = { line: item.line, lineConfigured: item.lineConfigured, stations: [] }));
    g.stations.push(item);
  }
  return [...groups.values()];
}

export interface ConfigSnippet {
  /** 'stations': the line's `stations` with the new ones appended; 'stations-only': just the new names to add
   *  (the line's current list is not known here); 'line': a whole line object for `lines`. */
  kind: 'stations' | 'stations-only' | 'line';
  json: string;
}

/**
 * `configuredStations` is the line's `stations` as the live snapshot knows them (configured order), or
 * undefined when the line is not in it. A new line's `targetTaktS` is left null on purpose: the
 * configuration is refused until someone writes the real target, rather than accepting a made-up one.
 */
export function configSnippet(group: UnconfiguredGroup, configuredStations: readonly string[] | undefined): ConfigSnippet {
  const added = group.stations.map((s) => s.station);
  if (!group.lineConfigured) {
    const line = { id: group.line, name: group.line, targetTaktS: null, outputStation: added[added.length - 1], stations: added };
    return { kind: 'line', json: JSON.stringify(line, null, 2) };
  }
  if (!configuredStations) return { kind: 'stations-only', json: JSON.stringify(added) };
  const stations = [...configuredStations, ...added.filter((s) => !configuredStations.includes(s))];
  return { kind: 'stations', json: `"stations": ${JSON.stringify(stations)}` };
}
