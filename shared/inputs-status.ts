// What Diagnostics shows of each input adapter (main/core/ingest/inputs/): types only, for the engine and the screens.
import type { StationState } from './telemetry.ts';

/** What a mapped metric or tag means. */
export type SignalRole = 'partCounter' | 'rejectCounter' | 'state' | 'reason' | 'cycleTime' | 'product';

export interface SignalStatus {
  name: string;
  alias: number | null;
  /** Sparkplug datatype (Int32, Boolean, …); null for tags, and for a mapped metric the birth does not have. */
  type: string | null;
  /** The roles it plays (partCounter, state, …); null when not mapped. */
  roles: SignalRole[] | null;
  /** False for a mapped metric or tag that the source has not (yet) published. */
  seen: boolean;
}

export interface SourceStatus {
  /** "group/node/device" (Sparkplug; "group/node" for a node's own metrics) or "node/group" (tags). */
  source: string;
  /**
   * Where it publishes, as a mapping names it: Sparkplug's group, edge node and device (null for the node's own
   * metrics); for tags the node and group the stream gives (null where it gives none), and no device.
   */
  group: string | null;
  node: string | null;
  device: string | null;
  /** Null when no mapping takes this source (seen, not stored). */
  line: string | null;
  station: string | null;
  /** Sparkplug: the node or device is born and not dead; tags: null. */
  online: boolean | null;
  lastSampleAt: number | null;
  counter: number | null;
  rejects: number | null;
  state: StationState | null;
  reason: string | null;
  product: string | null;
  cycleMs: number | null;
  /** Units derived so far, counter resets (a decrease), jumps (increases above maxUnitsPerSample) and their units. */
  units: number;
  counterResets: number;
  rejectResets: number;
  counterJumps: number;
  jumpUnits: number;
  signals: SignalStatus[];
  unmappedStateValues: { value: string; count: number }[];
  tagErrors: { tag: string; code: string; count: number; lastAt: number }[];
}

export interface NodeStatus {
  group: string;
  node: string;
  online: boolean;
  bdSeq: number | null;
  birthAt: number | null;
  deathAt: number | null;
  lastAt: number;
  lastSeq: number | null;
  devices: { device: string; online: boolean; birthAt: number | null; deathAt: number | null; lastAt: number }[];
}

export interface InputStatus {
  id: string;
  kind: 'sparkplug' | 'tags';
  filters: string[];
  /**
   * Since start, of committed batches: messages, events (derived and stored), duplicates, quarantined,
   * decodeErrors, badValues, counterResets, counterJumps, seqGaps, seqMissing; Sparkplug: births, deaths,
   * staleDeaths, commands, unknownAliases, rebirthRequests; tags: tagErrors, unmapped.
   */
  counts: Record<string, number>;
  /** Sparkplug primary host application: its STATE. */
  primaryHost: { hostId: string; online: boolean; since: number } | null;
  nodes: NodeStatus[];
  sources: SourceStatus[];
}

export interface InputsStatus {
  inputs: InputStatus[];
}

