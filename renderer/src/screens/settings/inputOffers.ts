// Inputs offered from what the broker shows (issue 13): the sources an input adapter receives that no mapping
// takes (Diagnostics' `inputs`: Sparkplug devices and edge nodes of the subscribed groups with their births'
// metrics and datatypes, tag streams' node and group with the tags seen), and the names of what a source
// publishes for its signal fields. An integrator picks an offered source and gets a mapping with where it
// comes from filled in; which line and station it is, and which metric means what, stay theirs to choose.
// Pure functions, no React.
import type { InputsStatus, SourceStatus } from '../../../../shared/inputs-status.ts';
import { newSignals, type FormModel, type InputForm, type SparkplugSourceForm, type TagsSourceForm } from './formModel.ts';

export interface OfferedSignal {
  name: string;
  /** The Sparkplug datatype from the birth (UInt64, Boolean, …); null for tags. */
  type: string | null;
}

export interface SourceOffer {
  /** The status's key of the source ("group/node/device" or "node/group"). */
  source: string;
  kind: 'sparkplug' | 'tags';
  group: string | null;
  node: string | null;
  device: string | null;
  /** Sparkplug: born and not dead; tags: null. */
  online: boolean | null;
  signals: OfferedSignal[];
}

/** Sparkplug's own metrics of an edge node (its birth's sequence, its commands): never a production signal. */
function isSparkplugHousekeeping(name: string): boolean {
  return name === 'bdSeq' || name.startsWith('Node Control/') || name.startsWith('Properties/');
}

function signalsOf(kind: 'sparkplug' | 'tags', s: SourceStatus): OfferedSignal[] {
  return s.signals.filter((x) => x.seen && !(kind === 'sparkplug' && isSparkplugHousekeeping(x.name))).map((x) => ({ name: x.name, type: x.type }));
}

/** Whether a source of the form takes what the status calls (group, node, device): the engine's matching rules. */
function formTakes(input: InputForm, o: Pick<SourceOffer, 'group' | 'node' | 'device'>): boolean {
  if (input.kind === 'sparkplug') return input.sources.some((s) => s.group === o.group && s.node === o.node && (s.device || null) === o.device);
  // A tags mapping without a node (or group) takes every node (or group).
  return input.sources.some((s) => (s.node === null || s.node === o.node) && (s.group === null || s.group === o.group));
}

/**
 * Per input id of the form: the sources its running adapter receives and nothing maps, neither the running
 * configuration nor the form (a source mapped in the form and not yet saved is no longer offered). An edge
 * node's own metrics are offered only when its birth has more than Sparkplug's housekeeping.
 */
export function sourceOffers(status: InputsStatus | null, form: FormModel): Map<string, SourceOffer[]> {
  const out = new Map<string, SourceOffer[]>();
  if (!status) return out;
  for (const input of form.inputs) {
    const running = status.inputs.find((x) => x.id === input.id && x.kind === input.kind);
    if (!running) continue;
    const offers: SourceOffer[] = [];
    for (const s of running.sources) {
      if (s.line !== null) continue;
      const signals = signalsOf(input.kind, s);
      if (input.kind === 'sparkplug' && s.device === null && signals.length === 0) continue;
      const offer: SourceOffer = { source: s.source, kind: input.kind, group: s.group, node: s.node, device: s.device, online: s.online, signals };
      if (!formTakes(input, offer)) offers.push(offer);
    }
    offers.sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
    if (offers.length) out.set(input.id, offers);
  }
  return out;
}

/** What a source of the form publishes, as the broker shows it: the names offered for its signal fields. */
export function signalOptions(status: InputsStatus | null, input: InputForm, source: SparkplugSourceForm | TagsSourceForm): OfferedSignal[] {
  const running = status?.inputs.find((x) => x.id === input.id && x.kind === input.kind);
  if (!running) return [];
  const seen = new Map<string, OfferedSignal>();
  for (const s of running.sources) {
    const takes =
      input.kind === 'sparkplug'
        ? s.group === source.group && s.node === source.node && s.device === ((source as SparkplugSourceForm).device || null)
        : (source.node === null || source.node === s.node) && (source.group === null || source.group === s.group);
    if (!takes) continue;
    for (const x of signalsOf(input.kind, s)) if (!seen.has(x.name)) seen.set(x.name, x);
  }
  return [...seen.values()];
}

/** The edge nodes seen in a Sparkplug group, and the devices seen on a node: offered for those fields. */
export function sparkplugNames(status: InputsStatus | null, inputId: string, group: string, node: string): { nodes: string[]; devices: string[] } {
  const running = status?.inputs.find((x) => x.id === inputId && x.kind === 'sparkplug');
  const nodes = new Set<string>();
  const devices = new Set<string>();
  for (const s of running?.sources ?? []) {
    if (s.group !== group || s.node === null) continue;
    nodes.add(s.node);
    if (s.node === node && s.device !== null) devices.add(s.device);
  }
  return { nodes: [...nodes].sort(), devices: [...devices].sort() };
}

/**
 * The line and station an offered source most likely is: a configured line named like its edge node, group or
 * device, and a station of that line named like another of them (the simulator's and many gateways' naming).
 * Empty where nothing matches: the form then asks for them rather than guessing a wrong station.
 */
export function guessPlace(form: FormModel, offer: Pick<SourceOffer, 'group' | 'node' | 'device'>): { line: string; station: string } {
  const names = [offer.node, offer.device, offer.group].filter((x): x is string => x !== null && x !== '');
  const line = form.lines.find((l) => names.includes(l.id));
  if (!line) return { line: '', station: '' };
  const station = names.find((n) => n !== line.id && line.stations.includes(n)) ?? '';
  return { line: line.id, station };
}

/** The offered source as a new mapping of input `inputIndex`, where it comes from filled in; its index among the input's sources. */
export function mapOffer(form: FormModel, inputIndex: number, offer: SourceOffer): { form: FormModel; sourceIndex: number } {
  const input = form.inputs[inputIndex];
  if (!input || input.kind !== offer.kind) return { form, sourceIndex: -1 };
  const { line, station } = guessPlace(form, offer);
  let next: InputForm;
  if (input.kind === 'sparkplug') {
    const group = offer.group ?? '';
    const source: SparkplugSourceForm = { group, node: offer.node ?? '', device: offer.device, line, station, signals: newSignals() };
    // A group the form no longer lists is listed again: the source could not be chosen otherwise.
    const groups = input.groups.includes(group) ? input.groups : [...input.groups, group];
    next = { ...input, groups, sources: [...input.sources, source] };
  } else {
    const source: TagsSourceForm = { node: offer.node, group: offer.group, line, station, signals: newSignals() };
    next = { ...input, sources: [...input.sources, source] };
  }
  return { form: { ...form, inputs: form.inputs.map((x, i) => (i === inputIndex ? next : x)) }, sourceIndex: next.sources.length - 1 };
}
