// Settings' Inputs offered from what the broker shows (renderer/src/screens/settings/inputOffers.ts, issue 13):
// from the adapters' status as Diagnostics gives it, the sources received and not mapped, each mapped into the
// form in one step with where it comes from, and the metric and tag names offered for the signal fields.
import { describe, expect, it } from 'vitest';
import { parseConfig, type Config } from '../../shared/config.ts';
import type { InputsStatus, SignalStatus, SourceStatus } from '../../shared/inputs-status.ts';
import { configToForm, formToConfig, type FormModel, type SparkplugInputForm, type TagsInputForm } from '../../renderer/src/screens/settings/formModel.ts';
import { guessPlace, mapOffer, signalOptions, sourceOffers, sparkplugNames } from '../../renderer/src/screens/settings/inputOffers.ts';

function configOrThrow(input: unknown): Config {
  const r = parseConfig(input);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.config;
}

const CONFIG = configOrThrow({
  site: 'zigong',
  timezone: 'Asia/Shanghai',
  lines: [
    { id: 'cell-3', name: 'Cell 3', targetTaktS: 1, outputStation: 'grade', stations: ['stack', 'grade'] },
    { id: 'pack-1', name: 'Pack 1', targetTaktS: 30, outputStation: 'test', stations: ['press', 'test'] },
  ],
  shifts: [{ name: 'All day', start: '00:00', end: '00:00' }],
  inputs: [
    {
      id: 'gw',
      kind: 'sparkplug',
      groups: ['zigong'],
      sources: [{ group: 'zigong', node: 'cell-3', device: 'grade', line: 'cell-3', station: 'grade', signals: { partCounter: 'Production/PartCount' } }],
    },
    {
      id: 'neuron',
      kind: 'tags',
      topic: 'neuron/{node}',
      format: 'neuron',
      sources: [{ node: 'pack-1', group: 'test', line: 'pack-1', station: 'test', signals: { partCounter: 'part_count' } }],
    },
  ],
});

const metric = (name: string, type: string | null, roles: SignalStatus['roles'] = null): SignalStatus => ({ name, alias: null, type, roles, seen: true });

function source(over: Partial<SourceStatus> & Pick<SourceStatus, 'source' | 'group' | 'node' | 'device'>): SourceStatus {
  return {
    line: null,
    station: null,
    online: null,
    lastSampleAt: null,
    counter: null,
    rejects: null,
    state: null,
    reason: null,
    product: null,
    cycleMs: null,
    units: 0,
    counterResets: 0,
    rejectResets: 0,
    counterJumps: 0,
    jumpUnits: 0,
    signals: [],
    unmappedStateValues: [],
    tagErrors: [],
    ...over,
  };
}

const SPB_METRICS = [metric('Production/PartCount', 'UInt64'), metric('Production/RejectCount', 'UInt64'), metric('Status/State', 'Int32'), metric('Status/CycleTimeMs', 'Double')];

/** What Diagnostics says after the simulator's Sparkplug edge nodes were born, and a Neuron gateway published. */
const STATUS: InputsStatus = {
  inputs: [
    {
      id: 'gw',
      kind: 'sparkplug',
      filters: ['spBv1.0/zigong/#'],
      counts: {},
      primaryHost: null,
      nodes: [],
      sources: [
        source({ source: 'zigong/cell-3/grade', group: 'zigong', node: 'cell-3', device: 'grade', line: 'cell-3', station: 'grade', online: true, signals: SPB_METRICS.map((m, k) => (k === 0 ? { ...m, roles: ['partCounter'] } : m)) }),
        source({ source: 'zigong/cell-3/stack', group: 'zigong', node: 'cell-3', device: 'stack', online: true, signals: SPB_METRICS }),
        // The node's own birth: Sparkplug's housekeeping only, nothing to map.
        source({ source: 'zigong/cell-3', group: 'zigong', node: 'cell-3', device: null, online: true, signals: [metric('bdSeq', 'Int64'), metric('Node Control/Rebirth', 'Boolean')] }),
        source({ source: 'zigong/pack-1/press', group: 'zigong', node: 'pack-1', device: 'press', online: true, signals: SPB_METRICS }),
        // Data without a birth since start: where it is is known, its metrics are not.
        source({ source: 'zigong/oven-7/Oven', group: 'zigong', node: 'oven-7', device: 'Oven', online: false }),
      ],
    },
    {
      id: 'neuron',
      kind: 'tags',
      filters: ['neuron/+'],
      counts: {},
      primaryHost: null,
      nodes: [],
      sources: [
        source({ source: 'pack-1/test', group: 'test', node: 'pack-1', device: null, line: 'pack-1', station: 'test', signals: [metric('part_count', null, ['partCounter'])] }),
        source({ source: 'pack-1/press', group: 'press', node: 'pack-1', device: null, signals: [metric('part_count', null), metric('state', null), metric('heartbeat', null)] }),
      ],
    },
    // An input of the running configuration that the form has since removed: nothing to offer it to.
    { id: 'gone', kind: 'tags', filters: ['x/+'], counts: {}, primaryHost: null, nodes: [], sources: [source({ source: 'a/b', group: 'b', node: 'a', device: null, signals: [metric('n', null)] })] },
  ],
};

const form = (): FormModel => configToForm(CONFIG);

describe('sources offered from what the broker shows', () => {
  it('offers, per input of the form, what its adapter receives and nothing maps, with metric names and datatypes', () => {
    const offers = sourceOffers(STATUS, form());
    expect([...offers.keys()]).toEqual(['gw', 'neuron']);
    expect(offers.get('gw')!.map((o) => o.source)).toEqual(['zigong/cell-3/stack', 'zigong/oven-7/Oven', 'zigong/pack-1/press']);
    expect(offers.get('gw')![0]).toEqual({
      source: 'zigong/cell-3/stack',
      kind: 'sparkplug',
      group: 'zigong',
      node: 'cell-3',
      device: 'stack',
      online: true,
      signals: [
        { name: 'Production/PartCount', type: 'UInt64' },
        { name: 'Production/RejectCount', type: 'UInt64' },
        { name: 'Status/State', type: 'Int32' },
        { name: 'Status/CycleTimeMs', type: 'Double' },
      ],
    });
    expect(offers.get('gw')![1]).toMatchObject({ device: 'Oven', online: false, signals: [] });
    expect(offers.get('neuron')).toEqual([
      { source: 'pack-1/press', kind: 'tags', group: 'press', node: 'pack-1', device: null, online: null, signals: [{ name: 'part_count', type: null }, { name: 'state', type: null }, { name: 'heartbeat', type: null }] },
    ]);
  });

  it('nothing without the status, and nothing for an input whose id or kind the form changed', () => {
    expect(sourceOffers(null, form()).size).toBe(0);
    const f = form();
    const renamed = { ...f, inputs: [{ ...f.inputs[0], id: 'gw-2' }, f.inputs[1]] };
    expect([...sourceOffers(STATUS, renamed).keys()]).toEqual(['neuron']);
  });

  it('a tags mapping without a node takes every node: nothing of its group is offered', () => {
    const f = form();
    const tags = f.inputs[1] as TagsInputForm;
    const wide = { ...f, inputs: [f.inputs[0], { ...tags, sources: [{ ...tags.sources[0], node: null, group: null }] }] };
    expect(sourceOffers(STATUS, wide).has('neuron')).toBe(false);
  });
});

describe('mapping an offered source', () => {
  it('adds a mapping with its group, node and device, the line and station it is named like, and no signal guessed', () => {
    const f = form();
    const offer = sourceOffers(STATUS, f).get('gw')![0];
    const { form: next, sourceIndex } = mapOffer(f, 0, offer);
    const input = next.inputs[0] as SparkplugInputForm;
    expect(sourceIndex).toBe(1);
    expect(input.sources[1]).toMatchObject({ group: 'zigong', node: 'cell-3', device: 'stack', line: 'cell-3', station: 'stack', signals: { partCounter: '', state: null } });
    // Mapped in the form (not saved yet): no longer offered.
    expect(sourceOffers(STATUS, next).get('gw')!.map((o) => o.source)).toEqual(['zigong/oven-7/Oven', 'zigong/pack-1/press']);
    // Its signal fields are offered what it publishes; with a part counter chosen, the configuration is valid.
    expect(signalOptions(STATUS, input, input.sources[1]).map((o) => o.name)).toEqual(['Production/PartCount', 'Production/RejectCount', 'Status/State', 'Status/CycleTimeMs']);
    const chosen = { ...input, sources: input.sources.map((s, j) => (j === 1 ? { ...s, signals: { ...s.signals, partCounter: 'Production/PartCount', state: 'Status/State' } } : s)) };
    const config = parseConfig(formToConfig({ ...next, inputs: [chosen, next.inputs[1]] }));
    expect(config.ok).toBe(true);
    if (config.ok) expect(config.config.inputs![0]).toMatchObject({ sources: [{ device: 'grade' }, { device: 'stack', line: 'cell-3', station: 'stack', signals: { partCounter: 'Production/PartCount' } }] });
  });

  it('a tag stream’s node and group; line and station left to choose when nothing is named like them', () => {
    const f = form();
    const { form: next } = mapOffer(f, 1, sourceOffers(STATUS, f).get('neuron')![0]);
    expect((next.inputs[1] as TagsInputForm).sources[1]).toMatchObject({ node: 'pack-1', group: 'press', line: 'pack-1', station: 'press' });
    expect(guessPlace(f, { group: 'zigong', node: 'oven-7', device: 'Oven' })).toEqual({ line: '', station: '' });
    expect(guessPlace(f, { group: 'zigong', node: 'pack-1', device: 'Oven' })).toEqual({ line: 'pack-1', station: '' });
  });

  it('lists the group again when the form no longer has it, and refuses an offer of the other kind', () => {
    const f = form();
    const offer = sourceOffers(STATUS, f).get('gw')![2];
    const without = { ...f, inputs: [{ ...(f.inputs[0] as SparkplugInputForm), groups: [] }, f.inputs[1]] };
    expect((mapOffer(without, 0, offer).form.inputs[0] as SparkplugInputForm).groups).toEqual(['zigong']);
    expect(mapOffer(f, 1, offer)).toEqual({ form: f, sourceIndex: -1 });
  });
});

describe('names offered in the fields', () => {
  it('the edge nodes of a group and the devices of a node', () => {
    expect(sparkplugNames(STATUS, 'gw', 'zigong', 'cell-3')).toEqual({ nodes: ['cell-3', 'oven-7', 'pack-1'], devices: ['grade', 'stack'] });
    expect(sparkplugNames(STATUS, 'gw', 'other', 'cell-3')).toEqual({ nodes: [], devices: [] });
  });

  it('a tags source without a node is offered the tags of every node it takes; housekeeping metrics never', () => {
    const f = form();
    const tags = f.inputs[1] as TagsInputForm;
    expect(signalOptions(STATUS, tags, { ...tags.sources[0], node: null, group: null }).map((o) => o.name)).toEqual(['part_count', 'state', 'heartbeat']);
    const spb = f.inputs[0] as SparkplugInputForm;
    expect(signalOptions(STATUS, spb, { ...spb.sources[0], device: null })).toEqual([]);
  });
});
