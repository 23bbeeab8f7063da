// Inputs (issue 12): Sparkplug B groups and tag streams (EMQX Neuron or flat JSON) from PLC gateways, and
// which source is which line and station, with what its counters and state values mean. What the running
// adapters receive and nothing maps is offered (inputOffers.ts): Sparkplug devices with their births' metrics
// and datatypes, tag streams with their tags; their names are offered in the signal fields too.
import { useId } from 'react';
import type { AdoptionHint } from '../../../../shared/api.ts';
import type { InputsStatus } from '../../../../shared/inputs-status.ts';
import { useClient } from '../../clientContext.tsx';
import { usePolling } from '../../hooks/usePolling.ts';
import { useI18n } from '../../i18nContext.tsx';
import { Field, FieldErrors, GroupHead, RowTools, SelectField, useForm } from './fields.tsx';
import { mapOffer, signalOptions, sourceOffers, sparkplugNames, type OfferedSignal, type SourceOffer } from './inputOffers.ts';
import {
  moveItem,
  newInput,
  newSignals,
  removeAt,
  replaceAt,
  switchInputKind,
  type InputForm,
  type PairRows,
  type SignalsForm,
  type SparkplugSourceForm,
  type TagsSourceForm,
} from './formModel.ts';
import type { Segment } from './errors.ts';

const STATES = ['running', 'idle', 'starved', 'blocked', 'down', 'changeover', 'planned_stop'] as const;
/** How often the adapters' view of the broker is read while this section is open. */
const STATUS_EVERY_MS = 5_000;

export function InputsSection({ hints }: { hints: AdoptionHint[] | null }) {
  const { form, update } = useForm();
  const { t } = useI18n();
  const client = useClient();
  const linesId = useId();
  // Diagnostics carries what each running adapter sees (a read: a viewer sees the offers too, read-only).
  const polled = usePolling(() => client.diagnostics({}).then((d) => d.inputs), 'inputs-status', STATUS_EVERY_MS);
  const status = polled.data;
  const offers = sourceOffers(status, form);
  // Offered for a source's line and station: the configured ones and what the broker shows unconfigured.
  const lineNames = [...new Set([...form.lines.map((l) => l.id), ...(hints ?? []).map((h) => h.line)])].filter(Boolean);
  const stationsOf = (line: string) => [...new Set([...(form.lines.find((l) => l.id === line)?.stations ?? []), ...(hints ?? []).filter((h) => h.line === line).flatMap((h) => h.stations)])];
  return (
    <div className="st-section" data-testid="section-inputs">
      <GroupHead fieldKeyName="inputs" level={2} />
      <p className="note st-callout">{t('st.inputsNative')}</p>
      <datalist id={linesId}>
        {lineNames.map((l) => (
          <option key={l} value={l} />
        ))}
      </datalist>
      {hints && hints.length ? (
        <p className="note" data-testid="inputs-offered">
          {t('st.inputsOffered', { lines: [...new Set(hints.map((h) => h.line))].join(', ') })}
        </p>
      ) : null}
      <FieldErrors path="inputs" />
      {form.inputs.some((x) => x.kind === 'sparkplug') ? <p className="note">{t('st.offersGroups')}</p> : null}
      {form.inputs.map((x, i) => (
        <InputPanel key={i} input={x} i={i} linesId={linesId} stationsOf={stationsOf} status={status} offers={offers.get(x.id) ?? []} />
      ))}
      <div className="button-row">
        <button type="button" data-testid="add-sparkplug" onClick={() => update((f) => ({ ...f, inputs: [...f.inputs, newInput(f, 'sparkplug')] }))}>
          + {t('st.addSparkplug')}
        </button>
        <button type="button" data-testid="add-tags" onClick={() => update((f) => ({ ...f, inputs: [...f.inputs, newInput(f, 'tags')] }))}>
          + {t('st.addTags')}
        </button>
      </div>
    </div>
  );
}

function InputPanel({
  input,
  i,
  linesId,
  stationsOf,
  status,
  offers,
}: {
  input: InputForm;
  i: number;
  linesId: string;
  stationsOf(line: string): string[];
  status: InputsStatus | null;
  offers: SourceOffer[];
}) {
  const { form, update } = useForm();
  const { t } = useI18n();
  const at: Segment[] = ['inputs', i];
  const set = (next: InputForm) => update((f) => ({ ...f, inputs: replaceAt(f.inputs, i, next) }));
  const addSource = () => {
    if (input.kind === 'sparkplug') {
      const s: SparkplugSourceForm = { group: input.groups[0] ?? '', node: '', device: null, line: form.lines[0]?.id ?? '', station: '', signals: newSignals() };
      set({ ...input, sources: [...input.sources, s] });
    } else {
      const s: TagsSourceForm = { node: null, group: null, line: form.lines[0]?.id ?? '', station: '', signals: newSignals() };
      set({ ...input, sources: [...input.sources, s] });
    }
  };
  return (
    <section className="panel st-item" data-testid="input-panel" data-input={input.id}>
      <header className="st-item-head">
        <h3>
          {input.id} <span className="tag">{t(`st.inputKind.${input.kind}`)}</span>
        </h3>
        <RowTools index={i} count={form.inputs.length} name={input.id} onMove={(to) => update((f) => ({ ...f, inputs: moveItem(f.inputs, i, to) }))} onRemove={() => update((f) => ({ ...f, inputs: removeAt(f.inputs, i) }))} />
      </header>
      <FieldErrors path={`inputs[${i}]`} />
      <div className="st-grid">
        <Field at={[...at, 'id']} mono />
        <SelectField
          at={[...at, 'kind']}
          options={[
            { value: 'sparkplug', label: t('st.inputKind.sparkplug') },
            { value: 'tags', label: t('st.inputKind.tags') },
          ]}
          value={input.kind}
          onChange={(v) => set(switchInputKind(input, v === 'tags' ? 'tags' : 'sparkplug'))}
        />
        {input.kind === 'sparkplug' ? (
          <>
            <Field at={[...at, 'primaryHostId']} kind="optional" mono />
            <Field at={[...at, 'rebirthEveryS']} kind="number" />
            <Field at={[...at, 'maxPayloadBytes']} kind="number" />
          </>
        ) : (
          <>
            <Field at={[...at, 'topic']} mono wide />
            <SelectField
              at={[...at, 'format']}
              options={[
                { value: 'neuron', label: t('st.format.neuron') },
                { value: 'flat', label: t('st.format.flat') },
              ]}
            />
            <Field at={[...at, 'timestampField']} mono />
            <SelectField at={[...at, 'timestampUnit']} options={UNITS(t)} />
            <Field at={[...at, 'seqTag']} kind="optional" mono />
            <Field at={[...at, 'maxPayloadBytes']} kind="number" />
          </>
        )}
      </div>
      {input.kind === 'sparkplug' ? (
        <div>
          <GroupHead fieldKeyName="inputs.groups" />
          <FieldErrors path={`inputs[${i}].groups`} />
          <ul className="st-list">
            {input.groups.map((g, j) => (
              <li key={j} className="st-list-row">
                <Field at={[...at, 'groups', j]} labelKey="inputs.groups" bare noHelp mono />
                <RowTools index={j} count={input.groups.length} name={g} onRemove={() => set({ ...input, groups: removeAt(input.groups, j) })} />
              </li>
            ))}
          </ul>
          <button type="button" onClick={() => set({ ...input, groups: [...input.groups, ''] })}>
            + {t('st.addGroup')}
          </button>
        </div>
      ) : null}
      <GroupHead fieldKeyName="inputs.sources" />
      <FieldErrors path={`inputs[${i}].sources`} />
      {offers.length ? (
        <OffersPanel
          offers={offers}
          onMap={(offer) => {
            let j = -1;
            update((f) => {
              const r = mapOffer(f, i, offer);
              j = r.sourceIndex;
              return r.form;
            });
            // The new mapping's line is what is left to choose (or check): there, at once.
            requestAnimationFrame(() => {
              const el = document.querySelector<HTMLElement>(`[data-path="inputs[${i}].sources[${j}].line"]`);
              el?.scrollIntoView({ block: 'center' });
              el?.focus();
            });
          }}
        />
      ) : null}
      {input.sources.map((s, j) => (
        <div key={j} className="st-source" data-testid="input-source">
          <header className="st-item-head">
            <h4>
              {t('st.sourceTitle', { n: j + 1 })} → {s.line || '—'} / {s.station || '—'}
            </h4>
            <RowTools
              index={j}
              count={input.sources.length}
              name={`${s.line}/${s.station}`}
              onRemove={() => set(input.kind === 'sparkplug' ? { ...input, sources: removeAt(input.sources, j) } : { ...input, sources: removeAt(input.sources, j) })}
            />
          </header>
          <FieldErrors path={`inputs[${i}].sources[${j}]`} />
          <div className="st-grid">
            {input.kind === 'sparkplug' ? (
              <>
                <SelectField at={[...at, 'sources', j, 'group']} options={input.groups.map((g) => ({ value: g, label: g }))} />
                <SparkplugPlaceFields at={[...at, 'sources', j]} names={sparkplugNames(status, input.id, (s as SparkplugSourceForm).group, (s as SparkplugSourceForm).node)} />
              </>
            ) : (
              <>
                <Field at={[...at, 'sources', j, 'node']} kind="optional" mono labelKey="inputs.sources.tagNode" />
                <Field at={[...at, 'sources', j, 'group']} kind="optional" mono labelKey="inputs.sources.tagGroup" />
              </>
            )}
            <Field at={[...at, 'sources', j, 'line']} mono list={linesId} />
            <StationField at={[...at, 'sources', j, 'station']} options={stationsOf(s.line)} />
          </div>
          <SignalsFields at={[...at, 'sources', j, 'signals']} signals={s.signals} options={signalOptions(status, input, s)} />
        </div>
      ))}
      <button type="button" data-testid="add-source" onClick={addSource}>
        + {t('st.addSource')}
      </button>
    </section>
  );
}

const UNITS = (t: ReturnType<typeof useI18n>['t']) => [
  { value: 'ms', label: t('st.unit.ms') },
  { value: 's', label: t('st.unit.s') },
];

function StationField({ at, options }: { at: Segment[]; options: string[] }) {
  const id = useId();
  return (
    <>
      <datalist id={id}>
        {options.map((s) => (
          <option key={s} value={s} />
        ))}
      </datalist>
      <Field at={at} mono list={id} />
    </>
  );
}

/** "Seen on the broker, not mapped": each offered source becomes a mapping of this input with one click. */
function OffersPanel({ offers, onMap }: { offers: SourceOffer[]; onMap(offer: SourceOffer): void }) {
  const { readOnly } = useForm();
  const { t } = useI18n();
  const headId = useId();
  const where = (o: SourceOffer) => (o.kind === 'sparkplug' ? [o.group, o.node, o.device ?? t('st.offerNode')].join(' / ') : [o.node ?? '*', o.group ?? '*'].join(' / '));
  const signal = (x: OfferedSignal) => (x.type ? `${x.name} (${x.type})` : x.name);
  return (
    <section className="st-offers" data-testid="input-offers" aria-labelledby={headId}>
      <h4 id={headId}>{t('st.offersTitle', { count: offers.length })}</h4>
      <p className="st-help">{t('st.offersHelp')}</p>
      <ul className="st-adopt-list">
        {offers.map((o) => (
          <li key={o.source} className="st-adopt-item" data-testid="input-offer" data-source={o.source}>
            <div>
              <strong className="mono untrusted">{where(o)}</strong>
              {o.online === false ? <span className="tag">{t('st.offerOffline')}</span> : null}
              <p className="note untrusted" data-testid="input-offer-signals">
                {o.signals.length ? o.signals.map(signal).join(' · ') : t('st.offerNoSignals')}
              </p>
            </div>
            <button type="button" className="primary" disabled={readOnly} data-testid="offer-map" aria-label={t('st.offerMapLabel', { source: where(o) })} onClick={() => onMap(o)}>
              {t('st.offerMap')}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** A Sparkplug source's edge node and device, offered from those the broker shows in its group. */
function SparkplugPlaceFields({ at, names }: { at: Segment[]; names: { nodes: string[]; devices: string[] } }) {
  const nodesId = useId();
  const devicesId = useId();
  return (
    <>
      <Names id={nodesId} names={names.nodes} />
      <Names id={devicesId} names={names.devices} />
      <Field at={[...at, 'node']} mono list={nodesId} />
      <Field at={[...at, 'device']} kind="optional" mono list={devicesId} />
    </>
  );
}

function Names({ id, names, labels }: { id: string; names: string[]; labels?: (string | null)[] }) {
  return (
    <datalist id={id}>
      {names.map((n, k) => (
        <option key={n} value={n} label={labels?.[k] ?? undefined} />
      ))}
    </datalist>
  );
}

/** `options`: what the source publishes (names and Sparkplug datatypes), offered in every field that names a metric or tag. */
function SignalsFields({ at, signals, options }: { at: Segment[]; signals: SignalsForm; options: OfferedSignal[] }) {
  const { t } = useI18n();
  const namesId = useId();
  const list = options.length ? namesId : undefined;
  return (
    <div className="st-signals">
      <Names id={namesId} names={options.map((o) => o.name)} labels={options.map((o) => o.type)} />
      <div className="st-grid">
        <Field at={[...at, 'partCounter']} mono list={list} />
        <SelectField
          at={[...at, 'partCounterCounts']}
          options={[
            { value: 'all', label: t('st.counts.all') },
            { value: 'good', label: t('st.counts.good') },
          ]}
        />
        <Field at={[...at, 'rejectCounter']} kind="optional" mono list={list} />
        <SelectField
          at={[...at, 'onReset']}
          options={[
            { value: 'from-zero', label: t('st.reset.fromZero') },
            { value: 'none', label: t('st.reset.none') },
          ]}
        />
        <Field at={[...at, 'maxUnitsPerSample']} kind="number" />
        <Field at={[...at, 'state']} kind="optional" mono list={list} />
        <Field at={[...at, 'reason']} kind="optional" mono list={list} />
        <Field at={[...at, 'cycleTime']} kind="optional" mono list={list} />
        <SelectField at={[...at, 'cycleTimeUnit']} options={UNITS(t)} />
        <Field at={[...at, 'product']} kind="optional" mono list={list} />
      </div>
      <div className="st-columns">
        <PairsEditor at={[...at, 'stateValues']} rows={signals.stateValues} states />
        <PairsEditor at={[...at, 'reasonValues']} rows={signals.reasonValues} />
      </div>
    </div>
  );
}

/** A map of values as rows: the gateway's value → a state (or a reason's words). */
function PairsEditor({ at, rows, states }: { at: Segment[]; rows: PairRows; states?: boolean }) {
  const { update } = useForm();
  const { t } = useI18n();
  const key = states ? 'stateValues' : 'reasonValues';
  const base = at.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
  const setRows = (next: PairRows) =>
    update((f) => {
      // The same immutable walk as setIn, kept here so the map can become unset (null) when emptied.
      const walk = (v: unknown, rest: Segment[]): unknown => {
        if (rest.length === 0) return next;
        const [h, ...r] = rest;
        if (Array.isArray(v)) return v.map((x, i) => (i === h ? walk(x, r) : x));
        const o = v as Record<string, unknown>;
        return { ...o, [h]: walk(o[h as string], r) };
      };
      return walk(f, at) as typeof f;
    });
  const list = rows ?? [];
  return (
    <div className="st-pairs">
      <GroupHead fieldKeyName={`inputs.sources.signals.${key}`} />
      <FieldErrors path={base} />
      <ul className="st-list">
        {list.map(([k, v], j) => (
          <li key={j} className="st-list-row">
            <Field at={[...at, j, 0]} labelKey={`inputs.sources.signals.${key}.value`} bare noHelp mono value={k} onChange={(nk) => setRows(replaceAt(list, j, [nk, v]))} errorPath={`${base}[${j}]:value`} />
            <span aria-hidden="true">→</span>
            {states ? (
              <SelectField
                at={[...at, j, 1]}
                labelKey="inputs.sources.signals.stateValues.state"
                bare
                noHelp
                options={STATES.map((s) => ({ value: s, label: t(`stationState.${s}`) }))}
                value={v}
                onChange={(nv) => setRows(replaceAt(list, j, [k, nv]))}
                errorPath={`${base}.${k}`}
              />
            ) : (
              <Field at={[...at, j, 1]} labelKey="inputs.sources.signals.reasonValues.text" bare noHelp value={v} onChange={(nv) => setRows(replaceAt(list, j, [k, nv]))} errorPath={`${base}.${k}`} />
            )}
            <RowTools index={j} count={list.length} name={k} onRemove={() => setRows(list.length === 1 ? null : removeAt(list, j))} />
          </li>
        ))}
      </ul>
      <button type="button" onClick={() => setRows([...list, ['', states ? 'running' : '']])}>
        + {t(states ? 'st.addStateValue' : 'st.addReasonValue')}
      </button>
    </div>
  );
}
